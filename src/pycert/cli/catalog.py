"""Every command: its name, the module that defines it, its one-line help, its groups.

`pycert --help` is drawn from this table without importing any command module, and a
command's module is imported only when that command runs (docs/performance.md).
"""

from __future__ import annotations

TOP, CERT, MT = "", "cert", "mt cert"  # pycert's top level, `cert …`, `mt cert …`
LEDGER = "ledger"  # `ledger …`
EXTENSION = "(pycert extension)"  # the one label of what cockroach does not have

# (name, module, short help, groups), in the order help lists them (cockroach's first).
ENTRIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("create-ca", "create", "create CA certificate and key", (TOP, CERT)),
    ("create-client-ca", "create", "create client CA certificate and key", (TOP, CERT)),
    ("create-tenant-client-ca", "create", "create tenant client CA certificate and key",
     (TOP, CERT, MT)),
    ("create-node", "create", "create node certificate and key", (TOP, CERT)),
    ("create-client", "create", "create client certificate and key", (TOP, CERT)),
    ("create-tenant-client", "create", "create tenant client certificate and key",
     (TOP, CERT, MT)),
    ("create-tenant-signing", "create", "create tenant signing certificate and key",
     (TOP, CERT, MT)),
    ("list", "listing", "list certs in --certs-dir", (TOP, CERT)),
    ("sign-csr", "sign_csr",
     f"sign a certificate signing request as a node, client or UI cert {EXTENSION}", (TOP,)),
    ("create-nodes", "create_nodes",
     f"create node certificates and keys, one directory per node {EXTENSION}", (TOP,)),
    ("create-ui-ca", "create", f"create the UI CA certificate and key, ca-ui.crt {EXTENSION}",
     (TOP,)),
    ("create-ui", "create", "create the DB Console's certificate and key, ui.crt and ui.key "
     f"{EXTENSION}", (TOP,)),
    ("trust", "trust", "put a CA into the system, browser (NSS) and Java trust stores, or take "
     f"it out {EXTENSION}", (TOP,)),
    ("export", "export", f"export a node or client key as PKCS#8 or PKCS#12 {EXTENSION}",
     (TOP,)),
    ("check", "check", f"check a certs dir as a node would load it {EXTENSION}", (TOP,)),
    ("metrics", "metrics", "certs dirs as Prometheus metrics, CockroachDB's names "
     f"{EXTENSION}", (TOP,)),
    ("inspect", "inspect", f"describe certificate files {EXTENSION}", (TOP,)),
    ("renew", "renew", "re-issue certificates from what they say, signed by the current CA "
     f"{EXTENSION}", (TOP,)),
    ("rotate-ca", "rotation", "stage 1 of a CA rotation: new CA key, its certificate "
     f"prepended to ca.crt {EXTENSION}", (TOP,)),
    ("rotate-client-ca", "rotation", "stage 1 of a client CA rotation, for ca-client.crt "
     f"{EXTENSION}", (TOP,)),
    ("rotate-tenant-client-ca", "rotation", "stage 1 of a tenant client CA rotation, for "
     f"ca-client-tenant.crt {EXTENSION}", (TOP,)),
    ("prune-ca", "rotation", "stage 3: remove expired (or unused) CA certificates from ca.crt "
     f"{EXTENSION}", (TOP,)),
    ("prune-client-ca", "rotation", f"stage 3 for ca-client.crt {EXTENSION}", (TOP,)),
    ("prune-tenant-client-ca", "rotation", f"stage 3 for ca-client-tenant.crt {EXTENSION}",
     (TOP,)),
    ("revoke", "revoke", f"mark a certificate revoked in the ledger {EXTENSION}", (TOP,)),
    ("create-crl", "crl", f"write a CRL of the ledger's revocations {EXTENSION}", (TOP,)),
    ("create-ocsp-signer", "ocsp", "issue the OCSP responder's short-lived certificate "
     f"{EXTENSION}", (TOP,)),
    ("ocsp-responder", "ocsp", f"answer OCSP requests from the ledger over HTTP {EXTENSION}",
     (TOP,)),
    ("import", "ledger", "record the certificates of a certs dir in the ledger "
     f"{EXTENSION}", (LEDGER,)),
    ("k8s", "k8s", f"print Kubernetes Secrets and ConfigMaps of the certs dir, as kubectl "
     f"would {EXTENSION}", (TOP,)),
    ("ca-key", "ca_key", f"encrypt or decrypt the CA key file, or change its password "
     f"{EXTENSION}", (TOP,)),
    ("version", "version", "output version information", (TOP,)),
    ("help", "help", "Help about any command", (TOP,)),
)
SHORT = {name: short for name, _, short, _ in ENTRIES}


def in_group(path: str) -> dict[str, tuple[str, str]]:
    """name -> (module, short help) of the commands under `path`, in help order."""
    return {name: (f"pycert.cli.{module}", short)
            for name, module, short, groups in ENTRIES if path in groups}
