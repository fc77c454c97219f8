"""SAN hygiene (issue 8): refuse host strings no TLS client could match; IDNA to punycode.

cockroach copies any string into a DNS SAN. A `host:port`, a space, a comma-joined list or
an empty name yields a certificate that silently matches nothing, so pycert refuses them.
Pure functions, no I/O: the caller logs the warnings.
"""

from __future__ import annotations

import re

from pycert.errors import CertError

_HOST_PORT = re.compile(r"(\[[^\]]*\]|[^:\[\]]+):[0-9]*")
_FIX = "pass each host as its own argument, without port"


def clean_hosts(hosts: list[str]) -> tuple[list[str], list[str]]:
    """(hosts ready for pki.host_sans, warnings); raises CertError on a hopeless name."""
    out: list[str] = []
    warnings: list[str] = []
    for host in hosts:
        host = _check(host)
        if not host.isascii():
            host = to_punycode(host)
        warning = wildcard_warning(host)
        if warning:
            warnings.append(warning)
        out.append(host)
    return out, warnings


def _check(host: str) -> str:
    quoted = f'"{host}"'
    if not host:
        raise CertError(f"invalid host name {quoted}: empty; {_FIX}")
    if any(ch.isspace() for ch in host):
        raise CertError(f"invalid host name {quoted}: contains white space; {_FIX}")
    if "," in host:
        raise CertError(f"invalid host name {quoted}: contains a comma; {_FIX}")
    if _HOST_PORT.fullmatch(host):
        raise CertError(f"invalid host name {quoted}: looks like host:port; certificates "
                        f"name hosts, not ports; {_FIX}")
    return host


def to_punycode(host: str) -> str:
    """IDNA (RFC 3490) per label; `*` labels pass through, as browsers expect them."""
    labels = []
    for label in host.split("."):
        if label == "*" or label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(label.encode("idna").decode("ascii"))
        except UnicodeError as exc:
            raise CertError(f'invalid host name "{host}": not a valid IDNA name ({exc})') from None
    return ".".join(labels)


def wildcard_warning(host: str) -> str:
    """TLS clients (RFC 6125) match `*` only in the left-most label, one label deep."""
    labels = host.split(".")
    if not any("*" in label for label in labels[1:]):
        return ""
    return (f'wildcard "{host}" is deeper than one label: TLS clients match "*" only in '
            "the left-most label, so this name matches no host")
