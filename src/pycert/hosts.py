"""Host names and addresses: which SAN a host becomes, which hosts a SAN matches.

cockroach copies any string into a DNS SAN. A `host:port`, a space, a comma-joined list or
an empty name yields a certificate that silently matches nothing, so pycert refuses them.
Pure functions, no I/O: the caller logs the warnings.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Union

from pycert.errors import CertError

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
_HOST_PORT = re.compile(r"(\[[^\]]*\]|[^:\[\]]+):[0-9]*")
_FIX = "pass each host as its own argument, without port"


def clean_hosts(hosts: list[str]) -> tuple[list[str], list[str]]:
    """(hosts ready for a SAN, warnings); raises CertError on a hopeless name."""
    out: list[str] = []
    warnings: list[str] = []
    for host in hosts:
        host = _check(host)
        if not host.isascii():
            host = to_punycode(host)
        warning = host_warning(host) or wildcard_warning(host)
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
            raise CertError(f'invalid host name "{host}": not a valid IDNA name ({exc})') from exc
    return ".".join(labels)


_HOST_CHARS = re.compile(r"[A-Za-z0-9.*-]*")
_DOTTED_NUMBERS = re.compile(r"[0-9]+(\.[0-9]+){3}")


def host_warning(host: str) -> str:
    """Why a name cockroach would write as a DNS SAN cannot be a host, and what would be
    right; "" for a plausible name or address. Such a certificate matches no client."""
    quoted = f'"{host}"'
    if parse_ip(host) is not None:
        return ""
    if "://" in host:
        inner = host.split("://", 1)[1].split("/", 1)[0]
        return (f"host {quoted} is a URL: a certificate names the host itself "
                f'("{inner}"), not a URL')
    if "/" in host:
        try:
            ipaddress.ip_network(host, strict=False)
        except ValueError:
            pass
        else:
            return (f"host {quoted} is a network range: certificates name single "
                    "addresses, so list each IP address clients use")
    if _DOTTED_NUMBERS.fullmatch(host):
        return (f"host {quoted} is not an IP address (each number must be 0-255), so it is "
                "written as a DNS name that matches nothing: fix the address")
    if "" in host.rstrip(".").split("."):
        return (f"host {quoted} has an empty label (a leading dot or two dots in a row): "
                "no host has that name")
    text, _, zone = host.partition("%")
    if zone and parse_ip(text) is not None:
        return (f"host {quoted} is an IPv6 address with a zone, written as a DNS name that "
                f'matches nothing: certificates hold the address alone ("{text}")')
    bad = "".join(sorted(set(_HOST_CHARS.sub("", host))))
    if bad:
        hint = f': did you mean "{host.replace("_", "-")}"?' if bad == "_" else ""
        return (f"host {quoted} contains {bad!r}, which no host name has (letters, "
                f"digits, '-' and '.' only){hint}")
    return ""


def wildcard_warning(host: str) -> str:
    """TLS clients (RFC 6125) match `*` only in the left-most label, one label deep."""
    labels = host.split(".")
    if not any("*" in label for label in labels[1:]):
        return ""
    return (f'wildcard "{host}" is deeper than one label: TLS clients match "*" only in '
            "the left-most label, so this name matches no host")


def parse_ip(host: str) -> IPAddress | None:
    """Go's net.ParseIP, plus `[v6]` brackets; mapped IPv6 becomes IPv4, zones are names."""
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if "%" in text:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if text is not host and ip.version != 6:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def ip_text(ip: IPAddress | ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    """Go's text form of an IP SAN: a v4-mapped IPv6 address prints as IPv4."""
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return str(mapped or ip)


def host_covered(host: str, dns: list[str], ips: list[str]) -> bool:
    """RFC 6125: IPs match IP SANs only; `*.` matches exactly one whole leftmost label."""
    ip = parse_ip(host)
    if ip is not None:
        return ip_text(ip) in ips
    want = host.lower().rstrip(".")
    for pattern in (p.lower().rstrip(".") for p in dns):
        if pattern == want:
            return True
        if pattern.startswith("*.") and "." in want:
            label, rest = want.split(".", 1)
            if label and rest == pattern[2:] and "*" not in rest:
                return True
    return False
