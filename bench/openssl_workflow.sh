#!/bin/sh
# The openssl CLI doing what `create-ca`, `create-node <hosts>` and `create-client <user>`
# do: same keys (RSA-2048, PKCS#1 PEM), subjects, extensions, criticality and lifetimes as
# cockroach (spec §4). Eight openssl processes, as a shell script would run them.
# Usage: openssl_workflow.sh <certs-dir> <ca-key> <user> <host>...
# Not reproduced: NotBefore back-dating (openssl 3.0's x509/req cannot back-date).
# Serial numbers: openssl's own random serials (no -set_serial, so no extra processes).
set -eu
dir=$1 cakey=$2 user=$3
shift 3
mkdir -p -m 0700 "$dir"
umask 077
ext="$dir/.openssl-ext.cnf"
dns="" ips=""  # cockroach's SAN order: DNS names first, then IP addresses
for h in "$@"; do
  case $h in
    *:*) ips="$ips,IP:$h" ;;
    *[!0-9.]*) dns="$dns,DNS:$h" ;;
    *) ips="$ips,IP:$h" ;;
  esac
done
san="$dns$ips"
cat >"$ext" <<CNF
[req]
distinguished_name = dn
[dn]
[ca]
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign
basicConstraints = critical, CA:TRUE, pathlen:1
subjectKeyIdentifier = hash
[node]
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
authorityKeyIdentifier = keyid:always
subjectKeyIdentifier = none
subjectAltName = ${san#,}
[client]
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid:always
subjectKeyIdentifier = none
CNF
# create-ca: key, then self-signed certificate (10 years of 366 days)
openssl genrsa -traditional -out "$cakey" 2048 2>/dev/null
openssl req -new -x509 -config "$ext" -extensions ca -key "$cakey" -sha256 -days 3660 \
  -subj "/O=Cockroach/CN=Cockroach CA" -out "$dir/ca.crt"
# create-node and create-client: key, CSR, certificate signed by the CA (5 years)
leaf() { # <name> <cn> <extensions>
  openssl genrsa -traditional -out "$dir/$1.key" 2048 2>/dev/null
  openssl req -new -config "$ext" -key "$dir/$1.key" -subj "/O=Cockroach/CN=$2" \
    -out "$dir/$1.csr"
  openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$cakey" -sha256 -days 1830 \
      -extfile "$ext" -extensions "$3" -out "$dir/$1.crt" 2>/dev/null
  rm -f "$dir/$1.csr"
}
leaf node node node
leaf "client.$user" "$user" client
chmod 0644 "$dir/ca.crt" "$dir/node.crt" "$dir/client.$user.crt"
rm -f "$ext"
