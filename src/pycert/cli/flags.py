"""Flag types and the flag sets commands share, and the one place the environment is read.

Values fail in pflag's words (`invalid argument "x" for "--flag" flag: ...`, exit 4),
and every environment variable cockroach honours is read here, at the edge, then passed
down as plain values.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import click

from pycert import log
from pycert.cli import logflags
from pycert.cli.cobra import FlagError, flag_error, shared
from pycert.cli.gen import complete_dir, complete_file
from pycert.errors import CertError
from pycert.gocompat import (
    GoSyntaxError,
    format_duration,
    parse_bool,
    parse_duration,
    parse_int,
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


def _flag(param: click.Parameter | None) -> str:
    return "--" + ((param.name if param else "") or "").replace("_", "-")


class _GoValue(click.ParamType):
    """A flag value read by one of gocompat's Go parsers, failing as pflag does."""

    parse: Callable[[str], int]

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        try:
            return type(self).parse(str(value))
        except GoSyntaxError as exc:
            raise flag_error(str(value), _flag(param), str(exc)) from None


class GoInt(_GoValue):
    """Go's strconv.ParseInt(s, 0, 64)."""

    name = "int"
    parse = staticmethod(parse_int)


class GoDuration(_GoValue):
    """Go duration syntax (`8760h`, `1h30m`) plus `d` and 366-day `y`; nanoseconds."""

    name = "duration"
    parse = staticmethod(parse_duration)


class Choice(click.ParamType):
    """A fixed set of values, failing as cockroach's enum flags do (a flag error); its
    help ends in `One of: <values>.` (tests/test_first_minutes.py holds every flag to it)."""

    name = "string"

    def __init__(self, values: tuple[str, ...], what: str, *, ignore_case: bool = False) -> None:
        self.values, self.what, self.ignore_case = values, what, ignore_case

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> str:
        if self.ignore_case:  # the value as the list spells it, as OpenSSL reads its names
            value = next((v for v in self.values if v.lower() == str(value).lower()), value)
        if value not in self.values:
            raise flag_error(str(value), _flag(param), f"invalid {self.what}: {value} "
                             f"(possible values: {', '.join(self.values)})")
        return str(value)


class ChoiceList(click.ParamType):
    """A comma-separated list of fixed values, as pflag's StringSlice: `--store=system,nss`;
    a value outside `values` fails as Choice does, and its help ends in `One of: <values>.`
    too."""

    name = "list"

    def __init__(self, values: tuple[str, ...], what: str) -> None:
        self.values, self.what = values, what

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        items = tuple(item.strip() for item in str(value).split(","))
        for item in items:
            if item not in self.values:
                raise flag_error(str(value), _flag(param), f"invalid {self.what}: {item} "
                                 f"(possible values: {', '.join(self.values)})")
        return items


class Rfc3339(click.ParamType):
    """An RFC 3339 instant with an explicit zone, e.g. `2027-01-01T00:00:00Z`."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value)
        try:
            when = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None or "T" not in text.upper():
            raise flag_error(text, _flag(param),
                             "want an RFC 3339 time such as 2027-01-01T00:00:00Z")
        return when.astimezone(dt.timezone.utc)


class Threshold(click.ParamType):
    """`30d`, `720h` (time left) or `10%` (share of the lifetime left), for `check`."""

    name = "duration|percent"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> Any:
        from pycert.certdir.thresholds import parse_threshold

        try:
            return parse_threshold(str(value))
        except ValueError as exc:
            raise flag_error(str(value), _flag(param), str(exc)) from None


class TenantList(click.ParamType):
    """A comma-separated tenant id (`ids`) or name (`names`) list, checked per occurrence
    like a pflag Value."""

    name = "list"

    def __init__(self, of: Literal["ids", "names"]) -> None:
        self.of = of

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> Any:
        from pycert import identities

        if isinstance(value, list):
            return value
        parse = identities.parse_tenant_scope if self.of == "ids" else \
            identities.parse_tenant_name_scope
        try:
            return parse(str(value))
        except CertError as exc:
            raise FlagError(exc.message) from exc


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
