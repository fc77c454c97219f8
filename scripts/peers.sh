#!/usr/bin/env bash
# Installs the real TLS peers the interop tests start, the man page checkers (mandoc,
# groff) of `gen man`'s test, Prometheus, promtool and node_exporter for `metrics`' tests,
# kubectl (the oracle of `pycert k8s`), and the browser and trust-store tools of `trust`'s
# tests (chromium, certutil, curl, update-ca-certificates; a font for screenshots) (Debian
# packages), if any is missing. A kubectl
# already on the machine (e.g. a cloud SDK's, which owns /usr/bin/kubectl so that Debian's
# kubernetes-client cannot be installed) is used as it is.
# As root with apt-get it installs them; otherwise it names what to install, and those
# tests skip (under CI=true they fail instead).
set -euo pipefail
pkgs="openssl golang-go golang-golang-x-crypto-dev postgresql default-jdk-headless libpostgresql-jdbc-java zsh fish mandoc groff-base prometheus prometheus-node-exporter chromium libnss3-tools curl ca-certificates fonts-dejavu-core"
missing=0
for tool in openssl go psql javac zsh fish mandoc groff promtool prometheus prometheus-node-exporter chromium certutil curl; do command -v "$tool" >/dev/null || missing=1; done
[ -x /usr/sbin/update-ca-certificates ] || missing=1
[ -d /usr/share/fonts/truetype/dejavu ] || missing=1
[ -f /usr/share/java/postgresql.jar ] || missing=1
[ -d /usr/share/gocode/src/golang.org/x/crypto/ocsp ] || missing=1
command -v kubectl >/dev/null || missing=1
[ "$missing" = 1 ] || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing interop peers: $pkgs" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  if ! command -v kubectl >/dev/null; then  # never over another package's kubectl
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      kubernetes-client >/dev/null || echo "note: could not install kubernetes-client" >&2
  fi
else
  echo "note: some interop peers are missing; their tests will skip. Install: $pkgs" \
    "kubernetes-client" >&2
fi
