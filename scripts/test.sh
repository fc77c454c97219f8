#!/usr/bin/env bash
# The whole test suite, in a virtualenv of its own. Interop peers (Go, PostgreSQL, Java,
# openssl, zsh, fish) are Debian packages: scripts/peers.sh installs any that is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/peers.sh
[ -x .venv/bin/pytest ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'; }
exec .venv/bin/python -m pytest -q "$@"
