package main

import (
	"bufio"
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
	"strings"
	"time"
)

// startupRow is one provider binary's size and start-up.
type startupRow struct {
	Provider string // ours, null
	Size     int64
	Serving  []time.Duration // from process start to the handshake line
}

// startupPhase measures each binary's size and how long it takes from
// process start to its handshake line, the moment terraform can talk to it,
// started as terraform starts it. The binaries take turns, so that a busy
// moment of the machine hits both alike.
func (b *bench) startupPhase(ctx context.Context) ([]startupRow, error) {
	cert, err := clientCertPEM()
	if err != nil {
		return nil, err
	}
	rows := []startupRow{{Provider: ours}, {Provider: null}}
	for i := range rows {
		st, err := os.Stat(b.bins[rows[i].Provider])
		if err != nil {
			return nil, err
		}
		rows[i].Size = st.Size()
	}
	runs := 15
	if b.opts.Tiny {
		runs = 2
	}
	for range runs {
		for i := range rows {
			d, err := timeToServe(ctx, b.bins[rows[i].Provider], cert)
			if err != nil {
				return nil, err
			}
			rows[i].Serving = append(rows[i].Serving, d)
		}
	}
	for _, r := range rows {
		b.logf("%-4s %5.1f MB, serving after %s", r.Provider, float64(r.Size)/1e6, fmtDuration(median(r.Serving)))
	}
	return rows, nil
}

// timeToServe starts bin as terraform starts a protocol 6 provider (magic
// cookie, and a client certificate, so that the provider makes a server
// certificate for mTLS) and returns the time until its handshake line; then
// it stops the process.
func timeToServe(ctx context.Context, bin, cert string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "PLUGIN_PROTOCOL_VERSIONS=6", "PLUGIN_CLIENT_CERT="+cert,
		"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
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
	if err == nil && !strings.HasPrefix(line, "1|6|") {
		err = errors.New("not a protocol 6 handshake")
	}
	if err != nil {
		return 0, fmt.Errorf("%s: no handshake line (%q): %w", bin, line, err)
	}
	return took, nil
}

// clientCertPEM makes a certificate like the one terraform passes in
// PLUGIN_CLIENT_CERT.
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
