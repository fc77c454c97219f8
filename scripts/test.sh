#!/usr/bin/env bash
# The whole test suite, in a virtualenv of its own. Interop peers (Go, PostgreSQL, Java,
# openssl) come from Debian packages: see .ci/run, which installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pytest ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'; }
exec .venv/bin/python -m pytest -q "$@"
