"""The flag sets commands share, and the one place the environment is read.

Every environment variable cockroach honours is read here, at the edge, then passed down
as plain values. The flags' value types are in `flagtypes`.
"""

from __future__ import annotations

import functools
import os
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from pycert import log
from pycert.cli import logflags
from pycert.cli.cobra import flag_error, shared
from pycert.cli.flagtypes import Choice, GoDuration, GoInt, Rfc3339, Threshold
from pycert.cli.gen import complete_dir, complete_file
from pycert.gocompat import (
    GoSyntaxError,
    format_duration,
    parse_bool,
    parse_duration,
)
from pycert.kinds import CA_KINDS, CA_LIFETIME, DEFAULT_RSA_BITS, LEAF_LIFETIME

if TYPE_CHECKING:
    from pycert.certdir.directory import CertsDir
    from pycert.certdir.install import Target
    from pycert.certdir.passwords import Password
    from pycert.certdir.trust.model import TrustPaths
    from pycert.pki.keys import PendingKey
    from pycert.pki.specs import KeySpec, Lifetime

Fn = Callable[..., Any]
KEY_TYPES = ("rsa", "ecdsa", "ed25519")  # pycert.pki.specs.KEY_TYPES, without its imports
PASSWORD_FILE_ENV = "PYCERT_CA_KEY_PASSWORD_FILE"


# --- the environment, read once at the edge ---------------------------------------------

def default_certs_dir() -> str:
    return os.environ.get("HOME", "") + "/.cockroach-certs"


def env_or(value: str | None, env: str, default: str) -> str:
    """cockroach's env override: a set-but-empty variable still counts as set."""
    return value if value is not None else os.environ.get(env, default)


def certs_dir(opts: dict[str, Any]) -> str:
    return env_or(opts.get("certs_dir"), "COCKROACH_CERTS_DIR", default_certs_dir())


def ca_key(opts: dict[str, Any]) -> str:
    return env_or(opts.get("ca_key"), "COCKROACH_CA_KEY", "")


def ca_key_password(opts: dict[str, Any]) -> Password:
    """The CA key's password for a command that has --ca-key-password-file: the file's
    first line (the flag, else PYCERT_CA_KEY_PASSWORD_FILE), else on a terminal a prompt
    asked only if the key turns out to be encrypted, else None."""
    if "ca_key_password_file" not in opts:
        return None
    path = env_or(opts["ca_key_password_file"], PASSWORD_FILE_ENV, "")
    if path:
        from pycert.certdir.passwords import read_password_file

        return read_password_file(path)
    from pycert.cli import prompt

    return prompt.asker("Password for CA key {path}: ") if prompt.on_terminal() else None


def node_user() -> str:
    """CN of node certs: `node`, or COCKROACH_CERT_NODE_USER (a testing aid)."""
    from pycert.identities import normalize_username

    return normalize_username(os.environ.get("COCKROACH_CERT_NODE_USER", "node") or "node")


def key_permissions() -> bool:
    """False when COCKROACH_SKIP_KEY_PERMISSION_CHECK is true in Go syntax; junk is false."""
    return _key_permissions(os.environ.get("COCKROACH_SKIP_KEY_PERMISSION_CHECK", ""))


@functools.cache
def _key_permissions(value: str) -> bool:
    """Cached per value, so a junk value is reported once, not once per directory opened."""
    if not value:
        return True
    try:
        return not parse_bool(value)
    except GoSyntaxError as exc:
        log.error("error parsing COCKROACH_SKIP_KEY_PERMISSION_CHECK: %s; key permissions "
                  "are still checked", exc)
        return True


SYSTEM_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")  # update-ca-certificates lives here


def trust_paths() -> TrustPaths:
    """Where the trust stores are: HOME (NSS databases), JAVA_HOME (the JDK's cacerts),
    PYCERT_TRUST_ROOT (prefix of every system path), and PATH plus the sbin directories
    (a user's PATH often lacks /usr/sbin, where update-ca-certificates is)."""
    from pycert.certdir.trust.model import TrustPaths

    search = os.environ.get("PATH", os.defpath).split(os.pathsep)
    search += [d for d in SYSTEM_SBIN if d not in search]
    return TrustPaths(home=os.environ.get("HOME", ""), java_home=os.environ.get("JAVA_HOME", ""),
                      root=os.environ.get("PYCERT_TRUST_ROOT", ""),
                      path=os.pathsep.join(search))


def trust_env(store: str) -> str:
    """The variable (as `NAME=value `) a store's location came from, for a `sudo` line."""
    name = {"system": "PYCERT_TRUST_ROOT", "nss": "HOME", "java": "JAVA_HOME"}[store]
    value = os.environ.get(name, "")
    return f"{name}={shlex.quote(value)} " if value else ""


def setup(opts: dict[str, Any]) -> None:
    """What every command does first: check the principal map's syntax, set up logging."""
    from pycert.identities import parse_principal_map

    parse_principal_map(opts.get("cert_principal_map", ()))  # cert commands check syntax only
    logflags.configure(opts)


def certs_dirs(opts: dict[str, Any]) -> list[str]:
    """A repeatable --certs-dir: each path once, in the order given; none given: the
    environment's or the default, as for a single --certs-dir."""
    given = opts.get("certs_dir") or ()
    return list(dict.fromkeys(given)) if given else [certs_dir({})]


def directory(opts: dict[str, Any], path: str | None = None) -> CertsDir:
    """The --certs-dir (or `path`) as the API's CertsDir, with the environment's two
    switches."""
    from pycert.certdir.directory import CertsDir

    return CertsDir(certs_dir(opts) if path is None else path, node_user=node_user(),
                    key_permissions=key_permissions())


def target(opts: dict[str, Any], **how: Any) -> Target:
    """How a create command writes: the certs dir, CA key (and its password), ledger and the
    write switches."""
    how.setdefault("overwrite", bool(opts.get("overwrite")))
    how.setdefault("ledger", opts.get("ledger") or "")
    return directory(opts).target(
        ca_key(opts), dry_run=bool(opts.get("dry_run")), out_dir=opts.get("out_dir") or "",
        backup=bool(opts.get("backup")), ca_key_password=ca_key_password(opts), **how)


def key_spec(opts: dict[str, Any]) -> KeySpec:
    from pycert.pki.specs import KeySpec

    return KeySpec.of(opts.get("key_type") or "rsa", opts.get("key_size"))


def start_key(spec: KeySpec, ca_key: str | None = None) -> PendingKey | None:
    """A new key, started on another core before the CLI imports the API and x509 (~50 ms
    of a create command overlap the key search); None when `ca_key` exists (no new key)."""
    if ca_key and os.path.lexists(ca_key):
        return None
    from pycert.pki.keys import PendingKey

    return PendingKey(spec)


def lifetime(opts: dict[str, Any]) -> Lifetime:
    """--lifetime or --not-after (never both), and --lifetime-policy."""
    from pycert.pki.specs import Lifetime

    not_after = opts.get("not_after")
    if not_after is not None and opts.get("lifetime") is not None:
        raise flag_error(not_after.strftime("%Y-%m-%dT%H:%M:%SZ"), "--not-after",
                         "cannot be combined with --lifetime")
    lifetime = Lifetime(opts.get("lifetime"), not_after, opts.get("lifetime_policy") or "error")
    if lifetime.problem():
        assert lifetime.ns is not None
        raise flag_error(format_duration(lifetime.ns), "--lifetime", lifetime.problem())
    return lifetime


# --- flag sets --------------------------------------------------------------------------

def _cert_flags(f: Fn) -> Fn:
    """What every cert command accepts besides --certs-dir: its principal map, the
    distinguished names and the logging flags."""
    f = click.option("--cert-principal-map", multiple=True, metavar="<cert:db>",
                     help="A comma-separated list of <cert-principal>:<db-principal> mappings; "
                     "only its syntax is checked by cert commands.")(f)
    f = click.option("--root-cert-distinguished-name", default="", metavar="<dn>",
                     help="Accepted for compatibility; no effect on cert commands.")(f)
    f = click.option("--node-cert-distinguished-name", default="", metavar="<dn>",
                     help="Accepted for compatibility; no effect on cert commands.")(f)
    return logflags.options(f)


_CERTS_DIR_HELP = ("Path to the directory containing SSL certificates and keys.{} "
                   f"[default: {default_certs_dir()}] Environment variable: COCKROACH_CERTS_DIR")


@shared
def common(f: Fn) -> Fn:
    """Flags every cert command accepts (cert flags plus cockroach's logging flags)."""
    f = click.option("--certs-dir", default=None, metavar="<path>", shell_complete=complete_dir,
                     help=_CERTS_DIR_HELP.format(""))(f)
    return _cert_flags(f)


@shared
def common_dirs(f: Fn) -> Fn:
    """`common`, with --certs-dir repeatable: for commands that read several directories."""
    f = click.option("--certs-dir", multiple=True, metavar="<path>", shell_complete=complete_dir,
                     help=_CERTS_DIR_HELP.format(" Repeatable: each directory is read."))(f)
    return _cert_flags(f)


@shared
def check_options(f: Fn) -> Fn:
    """What `check` judges a directory by (and `metrics`, which reports its verdicts)."""
    f = click.option("--host", "hosts", multiple=True, metavar="<name>",
                     help="A host name or IP the node certificate must cover (repeatable).")(f)
    f = click.option("--warn-within", type=Threshold(), default="30d", show_default=True,
                     help="Warn when a chain expires within this time (`30d`, `720h`) or "
                     "share of its lifetime (`10%`).")(f)
    return click.option("--fail-within", type=Threshold(), default="7d", show_default=True,
                        help="Fail when a chain expires within this time or share of its "
                        "lifetime.")(f)


def report_options(f: Fn) -> Fn:
    """--json and --dry-run, the reports of every command that writes."""
    f = click.option("--json", "json_out", is_flag=True,
                     help="Print a JSON manifest of the files written (path, mode, SHA-256, "
                     "serial, not_after). (pycert extension)")(f)
    return click.option("--dry-run", is_flag=True,
                        help="Show what would be issued and written; write nothing. "
                        "(pycert extension)")(f)


def backup_option(f: Fn) -> Fn:
    return click.option("--backup", is_flag=True,
                        help="Keep every file this replaces beside it as "
                        "<name>.<UTC time>.bak (keys 0600); cockroach never reads those. "
                        "(pycert extension)")(f)


backup = shared(backup_option)  # for commands outside the create-* family (export)


def end_options(f: Fn) -> Fn:
    """--not-after and --lifetime-policy: when a leaf ends, and what if its CA ends first."""
    f = click.option("--not-after", type=Rfc3339(), default=None, metavar="<RFC3339>",
                     help="Certificate end as a date, e.g. 2027-01-01T00:00:00Z; "
                     "replaces --lifetime. (pycert extension)")(f)
    return click.option("--lifetime-policy", type=Choice(("error", "clamp"), "lifetime policy"),
                        default="error", show_default=True,
                        help="When a certificate would outlive its CA: error (fail, as "
                        "cockroach does) or clamp (end it with the CA). One of: error, clamp. "
                        "(pycert extension)")(f)


def issue_options(f: Fn) -> Fn:
    """pycert's issuing flags; each defaults to "off", so output stays cockroach's."""
    f = report_options(f)
    f = click.option("--key-type", type=Choice(KEY_TYPES, "key type"), default="rsa",
                     show_default=True,
                     help="Key algorithm: rsa, ecdsa or ed25519; for ecdsa --key-size "
                     "names the curve (256, 384, 521; default 256). One of: rsa, ecdsa, "
                     "ed25519. (pycert extension)")(f)
    return backup_option(end_options(f))


def ca_key_option(f: Fn, text: str = "Path to the CA key.") -> Fn:
    """--ca-key, and --ca-key-password-file for the commands that read or write it."""
    f = click.option("--ca-key-password-file", default=None, metavar="<path>",
                     shell_complete=complete_file,
                     help="File (mode 0600 or 0400) whose first line is the CA key's password: "
                     "an encrypted CA key is opened with it, and a new CA key is written "
                     "encrypted (PKCS#8, PBKDF2-HMAC-SHA256, AES-256-CBC). Without it, pycert "
                     "asks on a terminal when the key is encrypted. Environment variable: "
                     f"{PASSWORD_FILE_ENV} (pycert extension)")(f)
    return click.option("--ca-key", default=None, metavar="<path>", shell_complete=complete_file,
                        help=f"{text} Environment variable: COCKROACH_CA_KEY")(f)


def ledger_option(f: Fn) -> Fn:
    return click.option("--ledger", default=None, metavar="<path>", shell_complete=complete_file,
                        help="The ledger of the certificates the CA signed (OpenSSL's "
                        "index.txt format). [default: index.txt beside --ca-key] "
                        "(pycert extension)")(f)


ledger = shared(ledger_option)


@shared
def ledger_key(f: Fn) -> Fn:
    """--ca-key for commands that only need the ledger beside it: the key is never read, so
    no --ca-key-password-file."""
    return click.option("--ca-key", default=None, metavar="<path>", shell_complete=complete_file,
                        help="Path to the CA key; only its directory is used: the ledger is "
                        "index.txt beside it. The key itself is not read. Environment "
                        "variable: COCKROACH_CA_KEY")(f)


def positive_duration(opts: dict[str, Any], name: str) -> int:
    """A GoDuration flag's nanoseconds, refused (exit 4) unless above zero."""
    if opts[name] <= 0:
        raise flag_error(format_duration(opts[name]), "--" + name.replace("_", "-"),
                         "must be positive")
    return int(opts[name])


@shared
def ocsp_url(f: Fn) -> Fn:
    return click.option("--ocsp-url", multiple=True, metavar="<url>",
                        help="Add this OCSP responder URL to the certificate (Authority "
                        "Information Access), which CockroachDB asks when security.ocsp.mode "
                        "is on; repeatable. (pycert extension)")(f)


@shared
def crl_sign(f: Fn) -> Fn:
    return click.option("--crl-sign", is_flag=True,
                        help="Add cRLSign to the CA's key usage (cockroach's profile lacks "
                        "it), so the CA can sign the CRLs of pycert create-crl. "
                        "(pycert extension)")(f)


def issuer_option(f: Fn) -> Fn:
    """--issuer: which CA of the certs dir, by kind (the CAs pycert creates)."""
    values = tuple(k.name for k in CA_KINDS)
    return click.option("--issuer", type=Choice(values, "issuer"), default="ca",
                        show_default=True,
                        help="The CA, by kind: its certificate file's first certificate, with "
                        f"--ca-key. One of: {', '.join(values)}.")(f)


def lifetime_option(f: Fn, default_lifetime: str) -> Fn:
    shown = format_duration(parse_duration(default_lifetime))
    return click.option("--lifetime", type=GoDuration(), default=None,
                        help=f"Certificate lifetime. [default: {shown}]")(f)


def _create_flags(default_lifetime: str) -> Callable[[Fn], Fn]:
    def deco(f: Fn) -> Fn:
        f = ca_key_option(common(f))
        f = click.option("--key-size", type=GoInt(), default=None,
                         help="Key size in bits for CA/Node/Client certificates. "
                         f"[default: {DEFAULT_RSA_BITS}]")(f)
        f = click.option("--overwrite", is_flag=True,
                         help="Certificate and key files are overwritten if they exist.")(f)
        return lifetime_option(issue_options(f), default_lifetime)
    return deco


create_ca = shared(_create_flags(CA_LIFETIME))
create_leaf = shared(_create_flags(LEAF_LIFETIME))


@shared
def ca_reuse(f: Fn) -> Fn:
    return click.option("--allow-ca-key-reuse", is_flag=True,
                        help="Use the CA key if it exists.")(f)


@shared
def leaf_outputs(f: Fn) -> Fn:
    """Flags of the commands that issue a leaf with host names."""
    f = click.option("--csr-only", is_flag=True,
                     help="Write the key and a certificate signing request (.csr) for an "
                     "offline CA to sign with sign-csr; no CA needed. (pycert extension)")(f)
    f = click.option("--out-dir", default="", metavar="<path>",
                     help="Write the certificate and key (and a copy of ca.crt) into this "
                     "directory, created 0700, instead of --certs-dir. (pycert extension)")(f)
    return click.option("--san", multiple=True, metavar="<host[,host...]>",
                        help="Extra host names or addresses for the certificate, added after "
                        "the positional hosts; repeatable. (pycert extension)")(f)


def hosts_with_sans(hosts: tuple[str, ...], opts: dict[str, Any]) -> tuple[str, ...]:
    """Positional hosts, then each --san host not already among them."""
    extra = [h for v in opts.get("san") or () for h in v.split(",")]
    return tuple(hosts) + tuple(h for h in extra if h not in hosts)
