"""Every command: its name, the module that defines it, its one-line help, its groups.

`pycert --help` is drawn from this table without importing any command module, and a
command's module is imported only when that command runs (docs/performance.md).
"""

from __future__ import annotations

TOP, CERT, MT = "", "cert", "mt cert"  # pycert's top level, `cert …`, `mt cert …`

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
     "sign a certificate signing request as a node or client cert (pycert)", (TOP,)),
    ("create-nodes", "create_nodes",
     "create node certificates and keys, one directory per node (pycert)", (TOP,)),
    ("export", "export", "export a node or client key as PKCS#8 or PKCS#12 (pycert)", (TOP,)),
    ("check", "check", "check a certs dir as a node would load it (pycert extension)", (TOP,)),
    ("inspect", "check", "describe certificate files (pycert extension)", (TOP,)),
    ("renew", "renew", "re-issue certificates from what they say, signed by the current CA "
     "(pycert)", (TOP,)),
    ("rotate-ca", "rotation", "stage 1 of a CA rotation: new CA key, its certificate "
     "prepended to ca.crt (pycert)", (TOP,)),
    ("rotate-client-ca", "rotation", "stage 1 of a client CA rotation, for ca-client.crt "
     "(pycert)", (TOP,)),
    ("rotate-tenant-client-ca", "rotation", "stage 1 of a tenant client CA rotation, for "
     "ca-client-tenant.crt (pycert)", (TOP,)),
    ("prune-ca", "rotation", "stage 3: remove expired (or unused) CA certificates from ca.crt "
     "(pycert)", (TOP,)),
    ("prune-client-ca", "rotation", "stage 3 for ca-client.crt (pycert)", (TOP,)),
    ("prune-tenant-client-ca", "rotation", "stage 3 for ca-client-tenant.crt (pycert)",
     (TOP,)),
)
SHORT = {name: short for name, _, short, _ in ENTRIES}


def in_group(path: str) -> dict[str, tuple[str, str]]:
    """name -> (module, short help) of the commands under `path`, in help order."""
    return {name: (f"pycert.cli.{module}", short)
            for name, module, short, groups in ENTRIES if path in groups}
