"""The one table of certificate kinds: file names, signers, profiles and texts.

`create-*`, `list` and the directory loader all read this table, so adding a kind is
adding a row (the role cockroach's `certnames` package plays).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    """One kind of certificate file cockroach knows about."""

    name: str
    prefix: str  # first dot-separated part of the file name
    usage: str  # label in `list`; "" = loaded but hidden, as in cockroach
    is_ca: bool = False
    named: bool = False  # file is <prefix>.<name>.crt rather than <prefix>.crt
    profile: str = ""  # X.509 profile in pki; "" = never created by the CLI
    signers: tuple[str, ...] = ()  # CA kinds tried in order, by file existence
    bad_name: str = ""  # cockroach's "bad filename" reason for a malformed name
    texts: dict[str, str] = field(default_factory=dict)

    def cert_file(self, name: str = "") -> str:
        return f"{self.prefix}.{name}.crt" if self.named else f"{self.prefix}.crt"

    def key_file(self, name: str = "") -> str:
        return f"{self.prefix}.{name}.key" if self.named else f"{self.prefix}.key"


def _ca(name: str, prefix: str, usage: str, label: str, bad: str, what: str) -> Kind:
    return Kind(
        name,
        prefix,
        usage,
        is_ca=True,
        profile="ca",
        bad_name=f"{bad} filename should match {prefix}.crt",
        texts={"failed": f"failed to generate {what} cert and key", "label": label},
    )


KINDS: tuple[Kind, ...] = (
    _ca("ca", "ca", "CA", "CA", "CA certificate", "CA"),
    _ca("client-ca", "ca-client", "Client CA", "client CA", "client CA certificate", "client CA"),
    _ca("ui-ca", "ca-ui", "UI CA", "UI CA", "UI CA certificate", "UI CA"),
    _ca(
        "tenant-client-ca",
        "ca-client-tenant",
        "",
        "tenant client CA",
        "tenant CA certificate",
        "tenant client CA",
    ),
    Kind(
        "node",
        "node",
        "Node",
        profile="node",
        signers=("ca",),
        bad_name="node certificate filename should match node.crt",
        texts={
            "failed": "failed to generate node certificate and key",
            "creating": "error creating node server certificate and key",
            "keygen": "could not generate new node key",
            "cert": "error writing node server certificate to",
            "key": "error writing node server key to",
            "log cert": "generated node certificate:",
            "log key": "generated node key:",
        },
    ),
    Kind("ui", "ui", "UI", bad_name="UI certificate filename should match ui.crt"),
    Kind(
        "client",
        "client",
        "Client",
        named=True,
        profile="client",
        signers=("client-ca", "ca"),
        bad_name="client certificate filename should match client.<user>.crt",
        texts={
            "failed": "failed to generate client certificate and key",
            "creating": "error creating client certificate and key",
            "keygen": "could not generate new client key",
            "cert": "error writing client certificate to",
            "key": "error writing client key to",
            "pk8": "error writing client PKCS8 key to",
            "log cert": "generated client certificate:",
            "log key": "generated client key:",
            "log pk8": "generated PKCS8 client key:",
        },
    ),
    Kind(
        "tenant-client",
        "client-tenant",
        "",
        named=True,
        profile="tenant-client",
        signers=("tenant-client-ca", "client-ca", "ca"),
        bad_name="tenant certificate filename should match client-tenant.<tenantid>.crt",
        texts={
            "failed": "failed to generate tenant client certificate and key",
            "creating": "error creating tenant certificate and key",
            "keygen": "could not generate new tenant key",
            "cert": "error writing tenant certificate to",
            "key": "error writing tenant key to",
            "log cert": "wrote SQL tenant client certificate:",
            "log key": "generated tenant key:",
        },
    ),
    Kind(
        "tenant-signing",
        "tenant-signing",
        "",
        named=True,
        profile="tenant-signing",
        bad_name="tenant signing certificate filename should match tenant-signing.<tenantid>.crt",
        texts={
            "failed": "failed to generate tenant signing cert and key",
            "keygen": "could not generate new tenant signing key",
            "cert": "could not write tenant signing certificate file",
            "key": "could not write tenant signing key to file",
        },
    ),
)

BY_NAME = {kind.name: kind for kind in KINDS}
BY_PREFIX = {kind.prefix: kind for kind in KINDS}
# Rows of `list`, in cockroach's fixed order; tenant kinds come last and are hidden.
LIST_ORDER = ("ca", "client-ca", "ui-ca", "node", "ui", "client")
