"""The one table of certificate kinds: names, signers, profiles, defaults and texts.

Issuing, signing CSRs, loading, `list`, `check` and `export` all read this table, so
adding a kind is adding a row (the role cockroach's `certnames` package plays, without
its function-per-file-name).
"""

from __future__ import annotations

from typing import Literal

CA_LIFETIME = "87840h"  # 10 years of 366 days, so leap years never shorten a cert
LEAF_LIFETIME = "43920h"  # 5 years of 366 days
DEFAULT_RSA_BITS = 2048
DEFAULT_EC_BITS = 256  # --key-type=ecdsa without --key-size: P-256
# Where a CN comes from: the fixed CA name, the node user, the <user>/<id> in the file name,
# the first host (cockroach's UI server profile).
CommonName = Literal["ca", "node-user", "name", "tenant-signing", "first-host"]
# What `list` shows in its Notes column.
Note = Literal["num-certs", "addresses", "user", "tenant"]
Profile = Literal["", "ca", "node", "ui", "client", "tenant-client", "tenant-signing"]


class Kind:
    """One kind of certificate file cockroach knows about (a read-only row).

    A plain class, not a dataclass: `pycert --help` imports this table, and generating a
    dataclass costs more start-up than the whole table.
    """

    def __init__(
        self,
        name: str,
        prefix: str,  # first dot-separated part of the file name
        label: str,  # `list`'s Usage column (and the JSON `usage`)
        note: Note,  # what `list` shows in its Notes column
        *,
        listed: bool = True,  # False: loaded by cockroach but left out of `list`
        is_ca: bool = False,
        named: bool = False,  # file is <prefix>.<name>.crt rather than <prefix>.crt
        profile: Profile = "",  # X.509 profile built by pki; "" = never created by pycert
        command: str = "",  # the pycert command that creates this kind
        signers: tuple[str, ...] = (),  # CA kinds tried in order, by file existence
        eku: tuple[str, ...] = (),  # extended key usages, in certificate order
        cn: CommonName = "name",
        unit: str = "",  # OU of the subject
        takes_hosts: bool = False,  # positional hosts become DNS/IP SANs
        tenant_scoped: bool = False,  # --tenant-scope URIs are added to the SANs
        name_is_tenant_id: bool = False,
        default_hosts: tuple[str, ...] = (),  # when no host is given (with a warning)
        ca_copies: tuple[str, ...] = (),  # CA kinds whose bundle `--out-dir` copies alongside
        default_lifetime: str = LEAF_LIFETIME,
        rejected_names: tuple[tuple[str, str], ...] = (),  # (name, cockroach's message)
        missing_signer: str = "",  # cockroach's message when no signer file exists
        bad_name: str = "",  # cockroach's "bad filename" reason for a malformed name
        texts: dict[str, str] | None = None,  # cockroach's wording of messages and logs
        rotate_command: str = "",  # CA kinds: the pycert command that starts a rotation
        prune_command: str = "",  # CA kinds: the pycert command that ends one
        trusted_by: str = "",  # CA kinds: who must hold the bundle, for the rotation runbook
        host_checked: bool = False,  # a certificate a node serves: `check --host` must match it
        browser_facing: bool = False,  # served to browsers, maybe from a public CA (see below)
    ) -> None:
        self.name, self.prefix, self.label, self.note = name, prefix, label, note
        self.listed, self.is_ca, self.named, self.profile = listed, is_ca, named, profile
        self.command, self.signers, self.eku, self.cn = command, signers, eku, cn
        self.unit, self.takes_hosts, self.tenant_scoped = unit, takes_hosts, tenant_scoped
        self.name_is_tenant_id, self.default_hosts = name_is_tenant_id, default_hosts
        self.ca_copies, self.default_lifetime = ca_copies, default_lifetime
        self.rejected_names, self.missing_signer = rejected_names, missing_signer
        self.bad_name, self.texts = bad_name, texts or {}
        self.rotate_command, self.prune_command = rotate_command, prune_command
        self.trusted_by = trusted_by
        # A browser-facing certificate (ui.crt) may come from a public CA (Let's Encrypt,
        # symlinked in), which cockroach accepts: `check` only warns when it does not chain
        # to the CA its clients trust, and `renew --all` never replaces it.
        self.host_checked, self.browser_facing = host_checked, browser_facing

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"

    def cert_file(self, name: str = "") -> str:
        return f"{self.prefix}.{name}.crt" if self.named else f"{self.prefix}.crt"

    def key_file(self, name: str = "") -> str:
        return f"{self.prefix}.{name}.key" if self.named else f"{self.prefix}.key"

    def stem(self, name: str = "") -> str:
        """The file name without `.crt`: `.csr` and `.p12` files share it."""
        return self.cert_file(name)[: -len(".crt")]

    @property
    def renewable(self) -> bool:
        """A leaf pycert can re-issue from itself: it has a profile and a CA signs it."""
        return bool(self.profile and self.signers) and not self.browser_facing


def _ca(name: str, prefix: str, label: str, what: str, command: str = "",
        listed: bool = True, file_what: str = "", trusted_by: str = "",
        rotates: bool = True) -> Kind:
    lifecycle = command.replace("create-", "", 1) if rotates else ""  # ca, client-ca, ...
    return Kind(
        name, prefix, label, "num-certs", listed=listed,
        is_ca=True, profile="ca" if command else "", command=command, cn="ca",
        default_lifetime=CA_LIFETIME, bad_name=f"{file_what or what} certificate filename "
        f"should match {prefix}.crt", texts={"failed": f"failed to generate {what} cert and key"},
        rotate_command=f"rotate-{lifecycle}" if lifecycle else "",
        prune_command=f"prune-{lifecycle}" if lifecycle else "", trusted_by=trusted_by,
    )


_LEAF_TEXTS = ("failed", "creating", "keygen", "cert", "key", "pk8", "log cert", "log key",
               "log pk8")


def _texts(*values: str) -> dict[str, str]:
    return {k: v for k, v in zip(_LEAF_TEXTS, values) if v}


KINDS: tuple[Kind, ...] = (
    _ca("ca", "ca", "CA", "CA", "create-ca",
        trusted_by="every node and every client (nodes verify node and client certificates "
        "with it, clients verify nodes)"),
    _ca("client-ca", "ca-client", "Client CA", "client CA", "create-client-ca",
        trusted_by="every node (nodes verify client certificates with it)"),
    _ca("ui-ca", "ca-ui", "UI CA", "UI CA", "create-ui-ca", rotates=False,
        trusted_by="the browsers that open the DB Console (pycert trust install) and "
        "cockroach's own HTTP clients"),
    _ca("tenant-client-ca", "ca-client-tenant", "Tenant Client CA", "tenant client CA",
        "create-tenant-client-ca", listed=False, file_what="tenant CA",
        trusted_by="every node and SQL server that accepts tenant client certificates"),
    Kind(
        "node", "node", "Node", "addresses", profile="node", command="create-node",
        signers=("ca",), eku=("serverAuth", "clientAuth"), cn="node-user", takes_hosts=True,
        host_checked=True, ca_copies=("ca", "client-ca"),
        bad_name="node certificate filename should match node.crt",
        texts=_texts("failed to generate node certificate and key",
                     "error creating node server certificate and key",
                     "could not generate new node key", "error writing node server certificate to",
                     "error writing node server key to", "", "generated node certificate:",
                     "generated node key:"),
    ),
    Kind(
        "ui", "ui", "UI", "addresses", profile="ui", command="create-ui",
        signers=("ui-ca", "ca"), eku=("serverAuth",), cn="first-host", takes_hosts=True,
        host_checked=True, browser_facing=True, ca_copies=("ui-ca",),
        bad_name="UI certificate filename should match ui.crt",
        texts=_texts("failed to generate UI certificate and key",
                     "error creating UI server certificate and key",
                     "could not generate new UI key", "error writing UI server certificate to",
                     "error writing UI server key to", "", "generated UI certificate:",
                     "generated UI key:"),
    ),
    Kind(
        "client", "client", "Client", "user", named=True, profile="client",
        command="create-client", signers=("client-ca", "ca"), eku=("clientAuth",),
        tenant_scoped=True, ca_copies=("ca",), rejected_names=(("", "user cannot be empty"),),
        bad_name="client certificate filename should match client.<user>.crt",
        texts=_texts("failed to generate client certificate and key",
                     "error creating client certificate and key",
                     "could not generate new client key", "error writing client certificate to",
                     "error writing client key to", "error writing client PKCS8 key to",
                     "generated client certificate:", "generated client key:",
                     "generated PKCS8 client key:"),
    ),
    Kind(
        "tenant-client", "client-tenant", "Tenant Client", "tenant", listed=False, named=True,
        profile="tenant-client", command="create-tenant-client",
        signers=("tenant-client-ca", "client-ca", "ca"), eku=("clientAuth", "serverAuth"),
        unit="Tenants", takes_hosts=True, name_is_tenant_id=True, ca_copies=("ca",),
        default_hosts=("127.0.0.1", "::1", "localhost", "*.local"),
        rejected_names=(("0", "tenantId 0 is invalid (requires != 0)"),),
        missing_signer="problem with CA certificate: not found",
        bad_name="tenant certificate filename should match client-tenant.<tenantid>.crt",
        texts=_texts("failed to generate tenant client certificate and key",
                     "error creating tenant certificate and key",
                     "could not generate new tenant key", "error writing tenant certificate to",
                     "error writing tenant key to", "", "wrote SQL tenant client certificate:",
                     "generated tenant key:"),
    ),
    Kind(
        "tenant-signing", "tenant-signing", "Tenant Signing", "tenant", listed=False,
        named=True, profile="tenant-signing", command="create-tenant-signing",
        cn="tenant-signing", name_is_tenant_id=True,
        rejected_names=(("0", "tenantId 0 is invalid (requires != 0)"),),
        bad_name="tenant signing certificate filename should match tenant-signing.<tenantid>.crt",
        texts=_texts("failed to generate tenant signing cert and key", "",
                     "could not generate new tenant signing key",
                     "could not write tenant signing certificate file",
                     "could not write tenant signing key to file"),
    ),
)

# The delegated OCSP responder certificate (`create-ocsp-signer`): pycert issues it with a
# CA key, but it lives beside that key, never in a certs dir, so it is not a row of KINDS
# (the loader, `list` and `check` never see it).
OCSP_SIGNER = Kind("ocsp-signer", "ocsp", "OCSP Signer", "addresses", listed=False,
                   command="create-ocsp-signer", default_lifetime="168h",
                   texts={"failed": "failed to generate OCSP signer certificate and key"})

BY_NAME = {kind.name: kind for kind in KINDS}
BY_PREFIX = {kind.prefix: kind for kind in KINDS}
CA = BY_NAME["ca"]
NODE = BY_NAME["node"]
CLIENT = BY_NAME["client"]
# cockroach's fixed `list` order: the listed kinds in table order; the hidden ones follow.
LIST_ORDER = tuple(k.name for k in KINDS if k.listed) + tuple(k.name for k in KINDS
                                                              if not k.listed)
ISSUED = tuple(k for k in KINDS if k.command)  # kinds pycert creates
CA_KINDS = tuple(k for k in KINDS if k.is_ca and k.command)  # CAs pycert creates
RENEWABLE = tuple(k for k in KINDS if k.renewable)  # node, client, tenant-client


def signer_kinds(kind: Kind) -> tuple[Kind, ...]:
    return tuple(BY_NAME[name] for name in kind.signers)
