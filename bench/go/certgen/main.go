// certgen does what `cockroach cert create-ca|create-node|create-client` do, with the same
// Go standard-library path cockroach uses (crypto/rsa, crypto/x509, crypto/tls, encoding/pem),
// so the benchmark can compare pycert with a compiled peer. Standard library only.
//
// Usage: certgen create-ca|create-node|create-client --certs-dir=D --ca-key=K [args...]
package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	caLifetime   = 87840 * time.Hour
	leafLifetime = 43920 * time.Hour
	keySize      = 2048
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: certgen create-ca|create-node|create-client --certs-dir=D --ca-key=K [args]"))
	}
	var certsDir, caKey string
	var args []string
	for _, a := range os.Args[2:] {
		switch {
		case strings.HasPrefix(a, "--certs-dir="):
			certsDir = strings.TrimPrefix(a, "--certs-dir=")
		case strings.HasPrefix(a, "--ca-key="):
			caKey = strings.TrimPrefix(a, "--ca-key=")
		default:
			args = append(args, a)
		}
	}
	var err error
	switch os.Args[1] {
	case "create-ca":
		err = createCA(certsDir, caKey)
	case "create-node":
		err = createLeaf(certsDir, caKey, "node", "node", args, []x509.ExtKeyUsage{
			x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth})
	case "create-client":
		if len(args) != 1 {
			err = fmt.Errorf("accepts 1 arg(s), received %d", len(args))
			break
		}
		err = createLeaf(certsDir, caKey, "client."+args[0], args[0], nil,
			[]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "ERROR: %v\n", err)
	os.Exit(1)
}

func subject(cn string) pkix.Name {
	return pkix.Name{Organization: []string{"Cockroach"}, CommonName: cn}
}

func template(cn string, lifetime time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject(cn),
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(lifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}, nil
}

func writePEM(path, kind string, der []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: kind, Bytes: der}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func createCA(certsDir, caKey string) error {
	if err := os.MkdirAll(certsDir, 0700); err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, keySize)
	if err != nil {
		return err
	}
	if err := writePEM(caKey, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key), 0600); err != nil {
		return err
	}
	tmpl, err := template("Cockroach CA", caLifetime)
	if err != nil {
		return err
	}
	tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageContentCommitment
	tmpl.BasicConstraintsValid, tmpl.IsCA, tmpl.MaxPathLen = true, true, 1
	tmpl.SubjectKeyId, err = skid(&key.PublicKey)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	return writePEM(filepath.Join(certsDir, "ca.crt"), "CERTIFICATE", der, 0644)
}

// skid is RFC 5280 method 1, what Go <= 1.24 generates itself (Go 1.19 does not).
func skid(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	sum := sha1.Sum(info.PublicKey.Bytes)
	return sum[:], nil
}

func createLeaf(certsDir, caKey, base, cn string, hosts []string, eku []x509.ExtKeyUsage) error {
	pair, err := tls.LoadX509KeyPair(filepath.Join(certsDir, "ca.crt"), caKey)
	if err != nil {
		return fmt.Errorf("error loading CA certificate and key: %w", err)
	}
	caCert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, keySize)
	if err != nil {
		return err
	}
	tmpl, err := template(cn, leafLifetime)
	if err != nil {
		return err
	}
	tmpl.ExtKeyUsage = eku
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, pair.PrivateKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(certsDir, base+".crt"), "CERTIFICATE", der, 0644); err != nil {
		return err
	}
	return writePEM(filepath.Join(certsDir, base+".key"), "RSA PRIVATE KEY",
		x509.MarshalPKCS1PrivateKey(key), 0600)
}
