// crlcheck reads a CRL as Go does (the standard library CockroachDB is built on):
//
//	crlcheck CRL CA...
//	    parses CRL (PEM or DER) with x509.ParseRevocationList, then prints one line per
//	    CA: "CA: <CheckSignatureFrom's error or ok>", then "number N", "next RFC3339" and
//	    one "revoked HEX" line per entry. Exits 1 when the CRL does not parse.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"time"
)

func der(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Println("read:", err)
		os.Exit(2)
	}
	if p, _ := pem.Decode(b); p != nil {
		return p.Bytes
	}
	return b
}

func main() {
	crl, err := x509.ParseRevocationList(der(os.Args[1]))
	if err != nil {
		fmt.Println("ParseRevocationList:", err)
		os.Exit(1)
	}
	for _, path := range os.Args[2:] {
		ca, err := x509.ParseCertificate(der(path))
		if err != nil {
			fmt.Println("ParseCertificate:", err)
			os.Exit(2)
		}
		if err := crl.CheckSignatureFrom(ca); err != nil {
			fmt.Printf("%s: %v\n", path, err)
		} else {
			fmt.Printf("%s: ok\n", path)
		}
	}
	fmt.Printf("number %v\n", crl.Number)
	fmt.Printf("next %s\n", crl.NextUpdate.UTC().Format(time.RFC3339))
	for _, entry := range crl.RevokedCertificates {
		fmt.Printf("revoked %s\n", strings.ToUpper(entry.SerialNumber.Text(16)))
	}
}
