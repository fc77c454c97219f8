// ocspcheck asks an OCSP responder about certificates exactly as CockroachDB does
// (pkg/security/ocsp.go, security.ocsp.mode): golang.org/x/crypto/ocsp's request with a
// SHA-256 CertID, an HTTP POST of application/ocsp-request, the response's Content-Type
// compared exactly, then ocsp.ParseResponseForCert against the issuer.
//
//	ocspcheck ISSUER CERT...
//	    for each CERT, POSTs to every OCSP URL of its AIA and prints one line:
//	    "CERT good", "CERT revoked <RFC3339> <reason code>", "CERT unknown" or
//	    "CERT error <message>". Exits 0 unless a file cannot be read.
package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/crypto/ocsp"
)

func load(path string) *x509.Certificate {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Println("read:", err)
		os.Exit(2)
	}
	if p, _ := pem.Decode(b); p != nil {
		b = p.Bytes
	}
	cert, err := x509.ParseCertificate(b)
	if err != nil {
		fmt.Println("parse:", err)
		os.Exit(2)
	}
	return cert
}

func query(url string, cert, issuer *x509.Certificate) string {
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		return "error " + err.Error()
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Post(url, "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		return "error " + err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("error OCSP server returned status code %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/ocsp-response" {
		return "error unexpected Content-Type " + ct
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "error " + err.Error()
	}
	parsed, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		return "error " + err.Error()
	}
	switch parsed.Status {
	case ocsp.Good:
		return "good"
	case ocsp.Revoked:
		return fmt.Sprintf("revoked %s %d", parsed.RevokedAt.UTC().Format(time.RFC3339),
			parsed.RevocationReason)
	default:
		return "unknown"
	}
}

func main() {
	issuer := load(os.Args[1])
	for _, path := range os.Args[2:] {
		cert := load(path)
		if len(cert.OCSPServer) == 0 {
			fmt.Println(path, "error no OCSP URL")
			continue
		}
		fmt.Println(path, query(cert.OCSPServer[0], cert, issuer))
	}
}
