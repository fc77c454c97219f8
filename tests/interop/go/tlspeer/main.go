// tlspeer is the Go crypto/tls peer of pycert's interop tests: CockroachDB nodes speak TLS
// through this very library, so a handshake here is the nearest proof short of cockroach.
//
//	tlspeer server -cert node.crt -key node.key -ca ca.crt [-addr 127.0.0.1:0]
//	    prints "LISTEN <addr>", then for every connection: requires and verifies a client
//	    cert against ca.crt, writes "OK <client CN>\n" and closes. Handshake failures go to
//	    stderr as "REJECT <error>" and the server keeps serving.
//	tlspeer client -addr host:port -servername name -ca ca.crt [-cert c -key k]
//	    verifies the server against ca.crt and name, prints the server's line, exits 0;
//	    any failure prints "FAIL <error>" on stderr and exits 1.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func pool(caFile string) *x509.CertPool {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		die(err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		die(errors.New("no certificate found in " + caFile))
	}
	return p
}

func die(err error) {
	fmt.Fprintln(os.Stderr, "FAIL", err)
	os.Exit(1)
}

func serve(cert tls.Certificate, caFile, addr string) {
	conf := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool(caFile),
		MinVersion:   tls.VersionTLS12,
	}
	ln, err := tls.Listen("tcp", addr, conf)
	if err != nil {
		die(err)
	}
	fmt.Println("LISTEN", ln.Addr().String())
	for {
		conn, err := ln.Accept()
		if err != nil {
			die(err)
		}
		go handle(conn.(*tls.Conn))
	}
}

func handle(conn *tls.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := conn.Handshake(); err != nil {
		fmt.Fprintln(os.Stderr, "REJECT", err)
		return
	}
	cn := conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	fmt.Fprintf(conn, "OK %s\n", cn)
}

func dial(certs []tls.Certificate, caFile, addr, name string) {
	conf := &tls.Config{Certificates: certs, RootCAs: pool(caFile), ServerName: name,
		MinVersion: tls.VersionTLS12}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(dialer, "tcp", addr, conf)
	if err != nil {
		die(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	// Under TLS 1.3 the server judges the client cert after the client's handshake ends,
	// so only this read shows whether the server accepted us.
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		die(fmt.Errorf("server closed the connection: %w", err))
	}
	fmt.Print(line)
}

func main() {
	if len(os.Args) < 2 {
		die(errors.New("usage: tlspeer server|client [flags]"))
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	certFile := fs.String("cert", "", "certificate to present")
	keyFile := fs.String("key", "", "its private key")
	caFile := fs.String("ca", "", "CA bundle that verifies the peer")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on or dial")
	name := fs.String("servername", "", "server name the client verifies")
	_ = fs.Parse(os.Args[2:])
	var certs []tls.Certificate
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			die(err)
		}
		certs = append(certs, cert)
	}
	switch os.Args[1] {
	case "server":
		if len(certs) == 0 {
			die(errors.New("server needs -cert and -key"))
		}
		serve(certs[0], *caFile, *addr)
	case "client":
		dial(certs, *caFile, *addr, *name)
	default:
		die(errors.New("unknown mode " + os.Args[1]))
	}
}
