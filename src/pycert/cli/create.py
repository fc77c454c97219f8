"""cockroach's create-* commands: parse the flags, call the API, report what was written.

Without pycert's extension flags each command prints nothing and writes exactly what
`cockroach cert` writes.
"""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import CobraCommand, command, flag_error, write_err, write_out
from pycert.errors import CertError
from pycert.gocompat import go_quote
from pycert.kinds import BY_NAME, Kind

CERTS = "--certs-dir=<path to cockroach certs dir>"
KEY = "--ca-key=<path-to-ca-key>"


def no_args(name: str, args: tuple[str, ...]) -> None:
    if args:
        raise CertError(f"unknown command {go_quote(args[0])} for "
                        f"{go_quote('cockroach cert ' + name)}", prefixed=False)


def exactly_one(args: tuple[str, ...], what: str = "") -> str:
    if len(args) != 1:
        raise CertError(f"accepts 1 arg(s), received {len(args)}", prefixed=False,
                        hint=f"give exactly one {what}" if what else "")
    return args[0]


def report(outcomes: list[Any], opts: dict[str, Any]) -> None:
    from pycert.cli.render import outcome_report

    text = outcome_report(outcomes, json_out=bool(opts.get("json_out")),
                          dry_run=bool(opts.get("dry_run")), overwrite=bool(opts.get("overwrite")))
    if text:
        write_out(text)


def _ca_command(kind: Kind, path: str = "cert") -> CobraCommand:
    @flags.create_ca
    @flags.ca_reuse
    @flags.crl_sign
    @flags.ledger
    @click.argument("args", nargs=-1)
    def create(args: tuple[str, ...], **opts: Any) -> None:
        from pycert.pki.specs import CASpec

        no_args(kind.command, args)
        flags.setup(opts)
        spec = CASpec(kind, flags.key_spec(opts), flags.lifetime(opts),
                      opts["allow_ca_key_reuse"], opts["crl_sign"])
        key = flags.start_key(spec.key, flags.ca_key(opts))
        report([flags.directory(opts).issue_ca(spec, flags.target(opts), key)], opts)

    return command(create, kind.command, f"{CERTS} {KEY}", path)


def issue_leaf(kind: Kind, opts: dict[str, Any], name: str = "", hosts: tuple[str, ...] = (),
               **scope: Any) -> None:
    """A leaf of `kind` as the flags ask: signed into the dir, or key + CSR (--csr-only)."""
    from pycert.pki.specs import LeafSpec

    flags.setup(opts)
    urls = tuple(opts.get("ocsp_url") or ())
    if urls and opts.get("csr_only"):
        raise flag_error(urls[0], "--ocsp-url", "a CSR does not carry it: give it to sign-csr")
    spec = LeafSpec(kind, name, flags.hosts_with_sans(hosts, opts), key=flags.key_spec(opts),
                    lifetime=flags.lifetime(opts), node_user=flags.node_user(),
                    ocsp_urls=urls, **scope)
    key = None if opts.get("csr_only") else flags.start_key(spec.key)
    directory = flags.directory(opts)
    target = flags.target(opts, pkcs8=bool(opts.get("also_generate_pkcs8_key")))
    if opts.get("csr_only"):
        outcome = directory.create_csr(spec, target)
    else:
        outcome = directory.issue(spec, target, key)
    report([outcome], opts)


def statefulset_hosts(opts: dict[str, Any]) -> tuple[str, ...]:
    """--k8s: the hosts the helm chart's self-signer gives a node of that StatefulSet."""
    name = opts.get("k8s")
    if name is None:
        for flag in ("k8s_namespace", "k8s_domain"):
            if opts.get(flag) is not None:
                raise flag_error(opts[flag], "--" + flag.replace("_", "-"),
                                 "needs --k8s=<statefulset name>")
        return ()
    from pycert import kube

    namespace = opts.get("k8s_namespace") or kube.DEFAULT_NAMESPACE
    for value, flag, what in ((name, "--k8s", "StatefulSet name"),
                              (namespace, "--k8s-namespace", "namespace")):
        try:
            kube.check_label(value, flag, what)
        except ValueError as exc:
            raise flag_error(value, flag, str(exc).split(": ", 1)[1]) from None
    return kube.statefulset_hosts(name, namespace, opts.get("k8s_domain") or
                                  kube.DEFAULT_DOMAIN)


@flags.create_leaf
@flags.leaf_outputs
@flags.ocsp_url
@flags.ledger
@click.option("--k8s", default=None, metavar="<statefulset>",
              help="Add, before the hosts given, the SANs CockroachDB's helm chart gives a node "
              "of this StatefulSet: localhost, 127.0.0.1, <name>-public[.<ns>[.svc.<domain>]], "
              "*.<name>[.<ns>[.svc.<domain>]]; duplicates are dropped. (pycert extension)")
@click.option("--k8s-namespace", default=None, metavar="<namespace>",
              help="Namespace of the --k8s StatefulSet. [default: default] (pycert extension)")
@click.option("--k8s-domain", default=None, metavar="<domain>",
              help="Cluster domain of the --k8s StatefulSet. [default: cluster.local] "
              "(pycert extension)")
@click.argument("hosts", nargs=-1)
def _create_node(hosts: tuple[str, ...], **opts: Any) -> None:
    k8s = statefulset_hosts(opts)
    if not hosts and not opts["san"] and not k8s:
        raise CertError("create-node requires at least one host name or address, "
                        "none was specified", prefixed=False,
                        hint="name every host name and IP address clients use to reach the "
                        "node, e.g. pycert create-node localhost 127.0.0.1 node1.example.com "
                        "--certs-dir=... --ca-key=...")
    if k8s:  # without --k8s the hosts stay exactly as given, as cockroach keeps them
        hosts = tuple(dict.fromkeys(k8s + hosts))
    issue_leaf(BY_NAME["node"], opts, hosts=hosts)


@flags.create_leaf
@flags.leaf_outputs
@flags.ocsp_url
@flags.ledger
@click.argument("hosts", nargs=-1)
def _create_ui(hosts: tuple[str, ...], **opts: Any) -> None:
    if not hosts and not opts["san"]:
        raise CertError("create-ui requires at least one host name or address, "
                        "none was specified", prefixed=False)
    issue_leaf(BY_NAME["ui"], opts, hosts=hosts)


@flags.create_leaf
@flags.leaf_outputs
@flags.ocsp_url
@flags.ledger
@click.option("--tenant-scope", type=flagtypes.TenantList("ids"), multiple=True,
              metavar="<[]TenantID>",
              help="Tenant IDs the certificate is valid for (comma-separated); "
              "when omitted, valid for all tenants. Repeating the flag replaces the list.")
@click.option("--tenant-name-scope", type=flagtypes.TenantList("names"),
              multiple=True, metavar="<[]TenantName>",
              help="Tenant names the certificate is valid for (comma-separated). "
              "Repeating the flag replaces the list.")
@click.option("--also-generate-pkcs8-key", is_flag=True,
              help="Also write the key in pkcs8 format to <certs-dir>/client.<username>.key.pk8.")
@click.option("--disable-username-validation", is_flag=True,
              help="Do not validate that the identity is a valid SQL username; such a cert "
              "needs an identity map rule on the server.")
@click.argument("args", nargs=-1)
def _create_client(args: tuple[str, ...], **opts: Any) -> None:
    from pycert import identities

    raw = exactly_one(args, "<username>, e.g. pycert create-client root ...")
    # pflag checks every occurrence as it parses (click did, via TenantList); the last wins.
    ids = opts["tenant_scope"][-1] if opts["tenant_scope"] else []
    tnames = opts["tenant_name_scope"][-1] if opts["tenant_name_scope"] else []
    kind = BY_NAME["client"]
    lenient = bool(opts["disable_username_validation"])
    try:
        user = identities.client_username(raw, validate=not lenient)
    except CertError as exc:
        raise exc.wrap(kind.texts["failed"]) from exc
    if lenient and identities.username_problem(user):
        write_err(f"warning: the specified identity {go_quote(raw)} is not a valid "
                  "SQL username.\nBefore it can be used to log in, an identity map rule "
                  "will need to be set on the server.\n")
    issue_leaf(kind, opts, user, tenant_scope=tuple(ids), tenant_name_scope=tuple(tnames))


@flags.create_leaf
@flags.leaf_outputs
@flags.ocsp_url
@flags.ledger
@click.argument("args", nargs=-1)
def _create_tenant_client(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.identities import parse_tenant_id

    if not args:
        raise CertError("requires at least 1 arg(s), only received 0", prefixed=False,
                        hint="give the tenant id, then its hosts: "
                        "pycert create-tenant-client 10 localhost ...")
    kind = BY_NAME["tenant-client"]
    hosts = tuple(args[1:])
    if not hosts:
        hosts = kind.default_hosts
        write_err(f"Warning: no server address specified. Using [{' '.join(hosts)}].\n")
    issue_leaf(kind, opts, str(parse_tenant_id(args[0])), hosts)


@flags.create_leaf
@click.argument("args", nargs=-1)
def _create_tenant_signing(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.identities import parse_tenant_id

    tenant = parse_tenant_id(exactly_one(args, "<tenant-id>"))
    kind = BY_NAME["tenant-signing"]
    if tenant == 0:
        raise CertError(dict(kind.rejected_names)["0"], prefixed=False)
    flags.setup(opts)
    directory = flags.directory(opts)
    report([directory.create_tenant_signing(tenant, flags.target(opts), flags.lifetime(opts))],
           opts)


COMMANDS = [
    _ca_command(BY_NAME["ca"]),
    _ca_command(BY_NAME["client-ca"]),
    _ca_command(BY_NAME["tenant-client-ca"], "mt cert"),
    command(_create_node, "create-node", f"{CERTS} {KEY} <host 1> <host 2> ... <host N>"),
    command(_create_client, "create-client", f"{CERTS} {KEY} <username>"),
    command(_create_tenant_client, "create-tenant-client",
            f"{CERTS} {KEY} <tenant-id> <host 1> <host 2> ... <host N>", "mt cert"),
    command(_create_tenant_signing, "create-tenant-signing", f"{CERTS} <tenant-id>", "mt cert"),
    _ca_command(BY_NAME["ui-ca"]),
    command(_create_ui, "create-ui", f"{CERTS} {KEY} <host 1> <host 2> ... <host N>",
            long="create the DB Console's certificate and key, ui.crt and ui.key, for the "
            "hosts browsers use; signed by ca-ui.crt, else ca.crt (pycert extension)"),
]
