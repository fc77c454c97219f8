// x509read is the oracle of pycert's certificate reader: Go's own x509.ParseCertificate,
// the parser a CockroachDB node loads its certificates with.
//
//	x509read FILE...
//	    prints one JSON object per file, in order, one a line: {"error": "<Go's error>"}
//	    when Go refuses the DER in FILE, else Go's view of it (the fields below). Exits 0
//	    unless a file cannot be read.
package main

import (
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

type name struct {
	CN string   `json:"cn"`
	O  []string `json:"o"`
	OU []string `json:"ou"`
}

type view struct {
	Subject    name     `json:"subject"`
	Issuer     name     `json:"issuer"`
	RawSubject string   `json:"raw_subject"` // hex, the Name element as Go keeps it
	RawIssuer  string   `json:"raw_issuer"`
	DNS        []string `json:"dns"`
	IP         []string `json:"ip"` // net.IP.String()
	URI        []string `json:"uri"`
	IsCA       bool     `json:"is_ca"`
	// Go keeps the usages it knows and the others apart: serverAuth and clientAuth by
	// name, the rest by dotted OID. Both null when Go sees no usage (absent or empty).
	EKU        []string `json:"eku"`
	EKUUnknown []string `json:"eku_unknown"`
	Serial     string   `json:"serial"` // hex, sign kept
	NotBefore  string   `json:"not_before"`
	NotAfter   string   `json:"not_after"`
	Key        string   `json:"key"` // RSA, ECDSA, Ed25519, DSA, else the SPKI's dotted OID
	KeySize    *int     `json:"key_size"`
	Curve      *string  `json:"curve"`
	Version    int      `json:"version"`
}

var ekuOIDs = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:                            "2.5.29.37.0",
	x509.ExtKeyUsageServerAuth:                     "serverAuth",
	x509.ExtKeyUsageClientAuth:                     "clientAuth",
	x509.ExtKeyUsageCodeSigning:                    "1.3.6.1.5.5.7.3.3",
	x509.ExtKeyUsageEmailProtection:                "1.3.6.1.5.5.7.3.4",
	x509.ExtKeyUsageIPSECEndSystem:                 "1.3.6.1.5.5.7.3.5",
	x509.ExtKeyUsageIPSECTunnel:                    "1.3.6.1.5.5.7.3.6",
	x509.ExtKeyUsageIPSECUser:                      "1.3.6.1.5.5.7.3.7",
	x509.ExtKeyUsageTimeStamping:                   "1.3.6.1.5.5.7.3.8",
	x509.ExtKeyUsageOCSPSigning:                    "1.3.6.1.5.5.7.3.9",
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     "1.3.6.1.4.1.311.10.3.3",
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      "2.16.840.1.113730.4.1",
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "1.3.6.1.4.1.311.2.1.22",
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     "1.3.6.1.4.1.311.61.1.1",
}

var curveNames = map[string]string{
	"P-224": "secp224r1", "P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1",
}

func names(n pkix.Name) name {
	return name{CN: n.CommonName, O: n.Organization, OU: n.OrganizationalUnit}
}

func utc(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

func intp(i int) *int { return &i }

func key(c *x509.Certificate) (string, *int, *string) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", intp(k.N.BitLen()), nil
	case *ecdsa.PublicKey:
		params := k.Curve.Params()
		curve := curveNames[params.Name]
		return "ECDSA", intp(params.BitSize), &curve
	case ed25519.PublicKey:
		return "Ed25519", intp(256), nil
	case *dsa.PublicKey:
		return "DSA", intp(k.P.BitLen()), nil
	}
	// An algorithm Go does not know: it keeps the key unread; name it by its OID.
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return "unreadable SPKI: " + err.Error(), nil, nil
	}
	return spki.Algorithm.Algorithm.String(), nil, nil
}

func read(der []byte) any {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	v := view{
		Subject:    names(c.Subject),
		Issuer:     names(c.Issuer),
		RawSubject: hex.EncodeToString(c.RawSubject),
		RawIssuer:  hex.EncodeToString(c.RawIssuer),
		DNS:        c.DNSNames,
		IsCA:       c.IsCA,
		Serial:     c.SerialNumber.Text(16),
		NotBefore:  utc(c.NotBefore),
		NotAfter:   utc(c.NotAfter),
		Version:    c.Version,
	}
	for _, ip := range c.IPAddresses {
		v.IP = append(v.IP, ip.String())
	}
	for _, u := range c.URIs {
		v.URI = append(v.URI, u.String())
	}
	for _, u := range c.ExtKeyUsage {
		v.EKU = append(v.EKU, ekuOIDs[u])
	}
	for _, u := range c.UnknownExtKeyUsage {
		v.EKUUnknown = append(v.EKUUnknown, u.String())
	}
	v.Key, v.KeySize, v.Curve = key(c)
	return v
}

func main() {
	out := json.NewEncoder(os.Stdout)
	for _, path := range os.Args[1:] {
		der, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := out.Encode(read(der)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}
