"""Keys and X.509 certificates in memory: build, sign, parse. No I/O, no flags, no env.

Submodules import `cryptography`; this package's `__init__` does not, so the CLI can
import the vocabulary in `pycert.pki.specs` without paying for it.
"""
