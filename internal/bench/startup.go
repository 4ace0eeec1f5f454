package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// The handshake environment terraform gives a protocol 6 provider.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
)

// startupRow is one binary's size and start-up.
type startupRow struct {
	Binary   string
	Stripped bool
	Size     int64
	Serving  []time.Duration // process start to handshake line, as terraform starts it (AutoMTLS)
	NoTLS    []time.Duration // the same without PLUGIN_CLIENT_CERT: no server certificate to make
	Init     []time.Duration // Go package initialisation (GODEBUG=inittrace=1)
	Inits    int             // packages with init work
}

// startupPhase measures each binary's size and its time from process start
// to the handshake line, the moment terraform can talk to it.
func (b *bench) startupPhase(ctx context.Context) ([]startupRow, error) {
	cert, err := clientCertPEM()
	if err != nil {
		return nil, err
	}
	type binary struct {
		name, path string
		stripped   bool
	}
	bins := []binary{{varOurs, b.ourBin, true}, {varNull, b.nullBin, true}}
	if b.opts.Unstripped {
		bins = []binary{{varOurs, b.ourBin, true}, {varOurs, b.ourFull, false}, {varNull, b.nullBin, true}, {varNull, b.nullFull, false}}
	}
	rows := make([]startupRow, len(bins))
	for i, bin := range bins {
		st, err := os.Stat(bin.path)
		if err != nil {
			return nil, err
		}
		rows[i] = startupRow{Binary: bin.name, Stripped: bin.stripped, Size: st.Size()}
	}
	// interleaved, so that a busy moment of the machine hits every binary alike
	for range b.opts.StartupRuns {
		for i, bin := range bins {
			d, err := timeToServe(ctx, bin.path, "PLUGIN_CLIENT_CERT="+cert)
			if err != nil {
				return nil, err
			}
			rows[i].Serving = append(rows[i].Serving, d)
			if d, err = timeToServe(ctx, bin.path); err != nil {
				return nil, err
			}
			rows[i].NoTLS = append(rows[i].NoTLS, d)
			if d, rows[i].Inits, err = initTrace(ctx, bin.path); err != nil {
				return nil, err
			}
			rows[i].Init = append(rows[i].Init, d)
		}
	}
	for _, r := range rows {
		b.logf("%-20s stripped=%-5t %5.1f MB, serving after %s (%s without mTLS), init %s",
			r.Binary, r.Stripped, float64(r.Size)/1e6, medianDuration(r.Serving).Round(10*time.Microsecond),
			medianDuration(r.NoTLS).Round(10*time.Microsecond), medianDuration(r.Init).Round(10*time.Microsecond))
	}
	return rows, nil
}

// pluginEnv is the environment terraform starts a protocol 6 provider with.
func pluginEnv(extra ...string) []string {
	return append(append(os.Environ(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=6"), extra...)
}

// timeToServe starts bin as terraform does and returns the time until it
// prints its handshake line; then it stops the process.
func timeToServe(ctx context.Context, bin string, env ...string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = pluginEnv(env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	took := time.Since(start)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err != nil {
		return 0, fmt.Errorf("%s: no handshake line: %w", bin, err)
	}
	if !strings.HasPrefix(line, "1|6|") {
		return 0, fmt.Errorf("%s: unexpected handshake line %q", bin, line)
	}
	return took, nil
}

// initTrace starts bin once with GODEBUG=inittrace=1 and sums the wall time
// of its package initialisers.
func initTrace(ctx context.Context, bin string) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = pluginEnv("GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	_, err = bufio.NewReader(out).ReadString('\n')
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: no handshake line: %w", bin, err)
	}
	// lines read: init <package> @<start> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs
	var total time.Duration
	n := 0
	for _, line := range strings.Split(stderr.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		total += time.Duration(ms * float64(time.Millisecond))
		n++
	}
	return total, n, nil
}

// clientCertPEM makes a certificate like the one terraform passes in
// PLUGIN_CLIENT_CERT, so that the provider sets up mTLS as it does under
// terraform.
func clientCertPEM() (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}
