"""pycert: CockroachDB certificates, as a library and as a drop-in `cockroach cert`.

    ca = pycert.CA()                                 # in memory, cockroach's CA profile
    node = ca.issue_node("localhost", "127.0.0.1")   # .cert_pem, .key_pem, .cert, .key
    certs = pycert.CertsDir("certs")                 # cockroach's names, modes, atomicity
    certs.write_ca(ca, "safe/ca.key"); certs.write(node)
    certs.records()                                  # one Record per certificate (`list`)
    certs.check(hosts=["localhost"]).exit_code       # what `pycert check` exits with

Names are imported on first use, so `import pycert` does not load `cryptography`.
docs/api.md has the whole API; `pytest -p pycert.testing` gives tests a ready certs dir.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # not typing's: until the CLI handles Ctrl-C, every import risks one
if TYPE_CHECKING:
    from typing import Any

    from pycert.certdir.cakey import change_ca_key_password, decrypt_ca_key, encrypt_ca_key
    from pycert.certdir.check import Result as CheckResult
    from pycert.certdir.directory import CertsDir
    from pycert.certdir.inspect import read_certificates
    from pycert.certdir.install import Outcome, Target
    from pycert.certdir.k8s import Manifest
    from pycert.certdir.records import Record
    from pycert.certdir.trust.model import StoreReport, TrustPaths, TrustResult
    from pycert.errors import CertError
    from pycert.kube import statefulset_hosts
    from pycert.pki.authority import CA, Issued
    from pycert.pki.reading import CertFields, Unreadable
    from pycert.pki.specs import CASpec, KeySpec, LeafSpec, Lifetime

_EXPORTS = {
    "CA": "pycert.pki.authority", "Issued": "pycert.pki.authority",
    "CertsDir": "pycert.certdir.directory", "Outcome": "pycert.certdir.install",
    "Target": "pycert.certdir.install", "CertError": "pycert.errors",
    "CASpec": "pycert.pki.specs", "KeySpec": "pycert.pki.specs",
    "LeafSpec": "pycert.pki.specs", "Lifetime": "pycert.pki.specs",
    "Record": "pycert.certdir.records", "read_certificates": "pycert.certdir.inspect",
    "CertFields": "pycert.pki.reading", "Unreadable": "pycert.pki.reading",
    "Manifest": "pycert.certdir.k8s", "statefulset_hosts": "pycert.kube",
    "encrypt_ca_key": "pycert.certdir.cakey", "decrypt_ca_key": "pycert.certdir.cakey",
    "change_ca_key_password": "pycert.certdir.cakey",
    "TrustPaths": "pycert.certdir.trust.model", "TrustResult": "pycert.certdir.trust.model",
    "StoreReport": "pycert.certdir.trust.model",
}
__all__ = ["CA", "CASpec", "CertError", "CertFields", "CertsDir", "CheckResult", "Issued",
           "KeySpec", "LeafSpec", "Lifetime", "Manifest", "Outcome", "Record", "StoreReport",
           "Target", "TrustPaths", "TrustResult", "Unreadable", "__version__",
           "change_ca_key_password", "decrypt_ca_key", "encrypt_ca_key", "read_certificates",
           "statefulset_hosts"]


def __getattr__(name: str) -> Any:
    import importlib

    if name == "CheckResult":
        return importlib.import_module("pycert.certdir.check").Result
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pycert' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
