// certread is the compiled yardstick for pycert's record commands (`list --format=json`,
// `check`): one process, Go's standard library only. For a certs dir it reads ca.crt (all
// its certificates) and every *.crt, parses every certificate with x509.ParseCertificate,
// checks the signature of the first certificate of each file against the CA certificates
// that carry its issuer's name (CheckSignatureFrom), and writes one JSON object per
// certificate, one a line, to a buffered stdout: the fields pycert's records carry.
//
// Usage: certread <certs-dir>
package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

type names struct {
	CN *string  `json:"cn"`
	O  []string `json:"o"`
	OU []string `json:"ou"`
}

type sans struct {
	DNS []string `json:"dns"`
	IP  []string `json:"ip"`
	URI []string `json:"uri"`
}

type keyInfo struct {
	Type  string  `json:"type"`
	Size  int     `json:"size"`
	Curve *string `json:"curve"`
}

type ref struct {
	File  string `json:"file"`
	Index int    `json:"index"`
}

// record holds the fields of pycert's records (docs/schema/cert-report.schema.json) that a
// certificate alone determines, plus signed_by and error. A certificate that does not parse
// gets file, index and error, the rest null.
type record struct {
	File               string   `json:"file"`
	Index              int      `json:"index"`
	Subject            *names   `json:"subject"`
	Issuer             *names   `json:"issuer"`
	Sans               *sans    `json:"sans"`
	Serial             *string  `json:"serial"`
	Key                *keyInfo `json:"key"`
	SignatureAlgorithm *string  `json:"signature_algorithm"`
	NotBefore          *string  `json:"not_before"`
	NotAfter           *string  `json:"not_after"`
	DaysLeft           *int     `json:"days_left"`
	FingerprintSHA256  *string  `json:"fingerprint_sha256"`
	IsCA               *bool    `json:"is_ca"`
	SelfSigned         *bool    `json:"self_signed"`
	EKU                []string `json:"eku"`
	SignedBy           *ref     `json:"signed_by"`
	Error              *string  `json:"error"`
}

// parsed is one PEM block of a file: its certificate or why it has none.
type parsed struct {
	cert *x509.Certificate
	err  error
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: certread <certs-dir>")
		os.Exit(3)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.crt"))
	if err != nil {
		return err
	}
	caPath := filepath.Join(dir, "ca.crt")
	caBlocks, err := readFile(caPath)
	if err != nil {
		return fmt.Errorf("reading the CA certificate: %w", err)
	}
	var cas []*x509.Certificate // ca.crt's certificates, by index (nil: did not parse)
	for _, p := range caBlocks {
		cas = append(cas, p.cert)
	}
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	now := time.Now()
	for _, path := range files {
		blocks := caBlocks
		if path != caPath {
			if blocks, err = readFile(path); err != nil {
				msg := err.Error()
				if err := emit(out, &record{File: filepath.Base(path), Error: &msg}); err != nil {
					return err
				}
				continue
			}
		}
		for i, p := range blocks {
			rec := describe(filepath.Base(path), i, p, now)
			if i == 0 && p.cert != nil && !*rec.SelfSigned {
				rec.SignedBy = signer(p.cert, cas)
			}
			if err := emit(out, rec); err != nil {
				return err
			}
		}
	}
	return out.Flush()
}

func emit(out *bufio.Writer, rec *record) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	out.Write(line)
	return out.WriteByte('\n')
}

// readFile parses every PEM block of a file; a file without any is an error.
func readFile(path string) ([]parsed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blocks []parsed
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			blocks = append(blocks, parsed{err: fmt.Errorf("unexpected PEM block %q", block.Type)})
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		blocks = append(blocks, parsed{cert: cert, err: err})
	}
	if len(blocks) == 0 {
		return nil, errors.New("no certificate found")
	}
	return blocks, nil
}

// signer is the first CA certificate with the issuer's name whose key verifies cert.
func signer(cert *x509.Certificate, cas []*x509.Certificate) *ref {
	for i, ca := range cas {
		if ca != nil && bytes.Equal(ca.RawSubject, cert.RawIssuer) &&
			cert.CheckSignatureFrom(ca) == nil {
			return &ref{File: "ca.crt", Index: i}
		}
	}
	return nil
}

func describe(file string, index int, p parsed, now time.Time) *record {
	rec := &record{File: file, Index: index}
	if p.err != nil {
		msg := p.err.Error()
		rec.Error = &msg
		return rec
	}
	c := p.cert
	serial := c.SerialNumber.Text(16)
	algorithm := signatureName(c.SignatureAlgorithm)
	before, after := rfc3339(c.NotBefore), rfc3339(c.NotAfter)
	days := int(math.Floor(c.NotAfter.Sub(now).Seconds() / 86400))
	sum := sha256.Sum256(c.Raw)
	fingerprint := hex.EncodeToString(sum[:])
	isCA := c.BasicConstraintsValid && c.IsCA
	selfSigned := bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
	ips := make([]string, len(c.IPAddresses))
	for i, ip := range c.IPAddresses {
		ips[i] = ip.String()
	}
	uris := make([]string, len(c.URIs))
	for i, u := range c.URIs {
		uris[i] = u.String()
	}
	rec.Subject = &names{nonEmpty(c.Subject.CommonName), list(c.Subject.Organization),
		list(c.Subject.OrganizationalUnit)}
	rec.Issuer = &names{nonEmpty(c.Issuer.CommonName), list(c.Issuer.Organization),
		list(c.Issuer.OrganizationalUnit)}
	rec.Sans = &sans{list(c.DNSNames), ips, uris}
	rec.Serial = &serial
	rec.Key = keyOf(c.PublicKey)
	rec.SignatureAlgorithm = &algorithm
	rec.NotBefore, rec.NotAfter, rec.DaysLeft = &before, &after, &days
	rec.FingerprintSHA256 = &fingerprint
	rec.IsCA, rec.SelfSigned = &isCA, &selfSigned
	rec.EKU = ekuNames(c)
	return rec
}

func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func keyOf(key any) *keyInfo {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return &keyInfo{Type: "RSA", Size: k.N.BitLen()}
	case *ecdsa.PublicKey:
		names := map[int]string{256: "secp256r1", 384: "secp384r1", 521: "secp521r1"}
		size := k.Curve.Params().BitSize
		curve := names[size]
		return &keyInfo{Type: "ECDSA", Size: size, Curve: &curve}
	case ed25519.PublicKey:
		return &keyInfo{Type: "Ed25519", Size: 256}
	}
	return &keyInfo{Type: fmt.Sprintf("%T", key)}
}

var signatureNames = map[x509.SignatureAlgorithm]string{
	x509.SHA1WithRSA:      "sha1WithRSAEncryption",
	x509.SHA256WithRSA:    "sha256WithRSAEncryption",
	x509.SHA384WithRSA:    "sha384WithRSAEncryption",
	x509.SHA512WithRSA:    "sha512WithRSAEncryption",
	x509.SHA256WithRSAPSS: "rsassaPss",
	x509.SHA384WithRSAPSS: "rsassaPss",
	x509.SHA512WithRSAPSS: "rsassaPss",
	x509.ECDSAWithSHA1:    "ecdsa-with-SHA1",
	x509.ECDSAWithSHA256:  "ecdsa-with-SHA256",
	x509.ECDSAWithSHA384:  "ecdsa-with-SHA384",
	x509.ECDSAWithSHA512:  "ecdsa-with-SHA512",
	x509.PureEd25519:      "ED25519",
}

func signatureName(a x509.SignatureAlgorithm) string {
	if name, ok := signatureNames[a]; ok {
		return name
	}
	return a.String()
}

var ekuText = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageServerAuth: "serverAuth",
	x509.ExtKeyUsageClientAuth: "clientAuth",
}

// ekuNames is `serverAuth`/`clientAuth`/the purpose's dotted OID; nil without the extension.
func ekuNames(c *x509.Certificate) []string {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return nil
	}
	out := make([]string, 0, len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage))
	for _, u := range c.ExtKeyUsage {
		if name, ok := ekuText[u]; ok {
			out = append(out, name)
		} else {
			out = append(out, fmt.Sprintf("eku-%d", u))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		out = append(out, oid.String())
	}
	return out
}
