#!/usr/bin/env bash
# The main job: a CA, a node cert for localhost/127.0.0.1 and a client cert for root,
# in ./demo-certs (certs) and ./demo-certs/safe (CA key), then `list`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pycert ] || { python3 -m venv .venv && .venv/bin/pip install -q -e .; }
out=demo-certs
rm -rf "$out" && mkdir -p "$out/safe"
.venv/bin/pycert create-ca --certs-dir="$out/certs" --ca-key="$out/safe/ca.key"
.venv/bin/pycert create-node localhost 127.0.0.1 --certs-dir="$out/certs" --ca-key="$out/safe/ca.key"
.venv/bin/pycert create-client root --certs-dir="$out/certs" --ca-key="$out/safe/ca.key" --also-generate-pkcs8-key
.venv/bin/pycert list --certs-dir="$out/certs"
