"""`k8s secret node | client <user>` and `k8s configmap ca`: the certs dir as the Kubernetes
objects CockroachDB's charts and operator mount (pycert extension, docs/kubernetes.md)."""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.catalog import SHORT
from pycert.cli.cobra import CobraCommand, CobraGroup, flag_error, shared, write_err, write_out
from pycert.cli.flags import Fn

LAYOUT_VALUES = ("files", "tls")  # pycert.kube.LAYOUTS, without importing the library


@shared
def manifest_flags(f: Fn) -> Fn:
    """What every k8s command takes: the object's name and namespace, where to write it."""
    f = flags.common(f)
    f = click.option("--name", required=True, metavar="<name>",
                     help="Name of the Secret or ConfigMap (a DNS-1123 subdomain).")(f)
    f = click.option("--namespace", default="", metavar="<namespace>",
                     help="metadata.namespace; none when not given, as with kubectl "
                     "(kubectl apply then uses the current context's).")(f)
    f = click.option("--output", default="", metavar="<file>",
                     help="Write the manifest to this file (mode 0600, atomically) instead of "
                     "standard output.")(f)
    return click.option("--overwrite", is_flag=True,
                        help="Replace the --output file if it exists.")(f)


def _check_names(opts: dict[str, Any]) -> None:
    """--name and --namespace as the API server will take them, or a flag error (exit 4)."""
    from pycert import kube

    try:
        kube.check_object_name(opts["name"], "--name")
        if opts["namespace"]:
            kube.check_label(opts["namespace"], "--namespace")
    except ValueError as exc:
        flag = str(exc).split("=", 1)[0]
        raise flag_error(opts[flag[2:]], flag, str(exc).split(": ", 1)[1]) from None


def _emit(manifest: Any, opts: dict[str, Any]) -> None:
    if opts["output"]:
        manifest.write(opts["output"], overwrite=opts["overwrite"])
        write_err(f"wrote {manifest.kind} {manifest.name} to {opts['output']}\n")
    else:
        write_out(manifest.to_yaml().decode("utf-8"))


@manifest_flags
@click.option("--layout", type=flagtypes.Choice(LAYOUT_VALUES, "layout"), default="files",
              show_default=True,
              help="Data keys and type: files (ca.crt and cockroach's file names, "
              "type Opaque: helm's tls.certs.provided mode, bring-your-own-certs) or tls "
              "(ca.crt, tls.crt, tls.key, type kubernetes.io/tls: helm's tlsSecret, "
              "self-signer and cert-manager modes, the operator). One of: files, tls.")
@click.argument("args", nargs=-1)
def _secret(args: tuple[str, ...], **opts: Any) -> None:
    if args[:1] not in (("node",), ("client",)) or len(args) != (1 if args[0] == "node" else 2):
        raise flag_error(" ".join(args), "<what>", "want `k8s secret node` or "
                         "`k8s secret client <user>`")
    flags.setup(opts)
    _check_names(opts)
    manifest = flags.directory(opts).k8s_secret(*args, name=opts["name"],
                                                namespace=opts["namespace"],
                                                layout=opts["layout"])
    _emit(manifest, opts)


@manifest_flags
@click.argument("args", nargs=-1)
def _configmap(args: tuple[str, ...], **opts: Any) -> None:
    if args != ("ca",):
        raise flag_error(" ".join(args), "<what>", "want `k8s configmap ca`: a ConfigMap holds "
                         "the CA certificate only, never a key")
    flags.setup(opts)
    _check_names(opts)
    _emit(flags.directory(opts).k8s_config_map(name=opts["name"], namespace=opts["namespace"]),
          opts)


def _leaf(fn: Any, name: str, usage: str, short: str, long: str) -> CobraCommand:
    return CobraCommand(name, callback=fn, params=list(fn.__click_params__), help=long,
                        short_help=short, cobra_path=f"cert k8s {name}", options_metavar=usage)


def _group() -> CobraGroup:
    short = SHORT["k8s"]
    group = CobraGroup("k8s", help=short, short_help=short, cobra_path="cert k8s", strict=True,
                       invoke_without_command=True)
    group.add_command(_leaf(
        _secret, "secret", "node | client <user> --name=<name> [--namespace=<ns>] "
        "[--layout=files|tls] [--output=<file>]",
        "a node's or client's certificate, key and ca.crt as a Secret",
        "Print the Secret `kubectl create secret generic NAME --from-file=... --type=Opaque "
        "(kubernetes.io/tls with --layout=tls) --dry-run=client -o yaml` would print for "
        "the pair in --certs-dir and ca.crt, byte for byte, after checking that the key "
        "matches and the CA signs the certificate."))
    group.add_command(_leaf(
        _configmap, "configmap", "ca --name=<name> [--namespace=<ns>] [--output=<file>]",
        "ca.crt as a ConfigMap (the operator's caConfigMapName)",
        "Print the ConfigMap `kubectl create configmap NAME --from-file=ca.crt=... "
        "--dry-run=client -o yaml` would print for ca.crt, byte for byte; never a key."))
    return group


COMMANDS = [_group()]

