package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// startupRow is one binary's size and start-up.
type startupRow struct {
	Binary   string
	Stripped bool
	Size     int64
	Serving  []time.Duration // process start to handshake line, as terraform starts it (mTLS)
	NoTLS    []time.Duration // the same without PLUGIN_CLIENT_CERT: no server certificate to make
	Init     []time.Duration // Go package initialisation (GODEBUG=inittrace=1)
	Inits    int             // packages with init work
}

// startupPhase measures each binary's size and its time from process start
// to the handshake line, the moment terraform can talk to it; interleaved,
// so that a busy moment of the machine hits every binary alike.
func (b *bench) startupPhase(ctx context.Context) ([]startupRow, error) {
	cert, err := clientCertPEM()
	if err != nil {
		return nil, err
	}
	var rows []startupRow
	var bins []string
	for _, key := range []string{"ours", "ours-full", "null", "null-full"} {
		if st, err := os.Stat(b.bins[key]); err == nil {
			name := map[bool]string{true: varOurs, false: varNull}[strings.HasPrefix(key, "ours")]
			rows = append(rows, startupRow{Binary: name, Stripped: !strings.HasSuffix(key, "-full"), Size: st.Size()})
			bins = append(bins, b.bins[key])
		}
	}
	for range b.opts.StartupRuns {
		for i, bin := range bins {
			r := &rows[i]
			for _, env := range []string{"PLUGIN_CLIENT_CERT=" + cert, "", "GODEBUG=inittrace=1"} {
				d, stderr, err := timeToServe(ctx, bin, env)
				if err != nil {
					return nil, err
				}
				switch {
				case strings.HasPrefix(env, "PLUGIN"):
					r.Serving = append(r.Serving, d)
				case env == "":
					r.NoTLS = append(r.NoTLS, d)
				default:
					// init <package> @<start> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs
					var total time.Duration
					r.Inits = 0
					for _, line := range strings.Split(stderr, "\n") {
						if f := strings.Fields(line); len(f) >= 7 && f[0] == "init" && f[6] == "clock," {
							ms, _ := strconv.ParseFloat(f[4], 64)
							total += time.Duration(ms * float64(time.Millisecond))
							r.Inits++
						}
					}
					r.Init = append(r.Init, total)
				}
			}
		}
	}
	for _, r := range rows {
		b.logf("%-20s stripped=%-5t %5.1f MB, serving after %s (%s without mTLS), init %s", r.Binary, r.Stripped,
			float64(r.Size)/1e6, medianDuration(r.Serving), medianDuration(r.NoTLS), medianDuration(r.Init))
	}
	return rows, nil
}

// timeToServe starts bin as terraform starts a protocol 6 provider and
// returns the time until its handshake line, and what it wrote to stderr
// by then; then it stops the process.
func timeToServe(ctx context.Context, bin string, env string) (time.Duration, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "PLUGIN_PROTOCOL_VERSIONS=6",
		"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2", env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	took := time.Since(start)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err == nil && !strings.HasPrefix(line, "1|6|") {
		err = errors.New("not a protocol 6 handshake")
	}
	if err != nil {
		return 0, "", fmt.Errorf("%s: no handshake line (%q): %w", bin, line, err)
	}
	return took, stderr.String(), nil
}

// clientCertPEM makes a certificate like the one terraform passes in
// PLUGIN_CLIENT_CERT, so that the provider sets up mTLS as under terraform.
func clientCertPEM() (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), err
}
