"""Identity rules shared by every command: SQL usernames, tenant ids and names.

Pure functions with no crypto, so the CLI can reject bad input before it pays for
importing `cryptography`.
"""

from __future__ import annotations

import re
import unicodedata

from pycert.errors import EXIT_FLAG, CertError
from pycert.gocompat import go_quote

USERNAME_HINT = (
    "Usernames are case insensitive, must start with a letter, digit or underscore, "
    "may contain letters, digits, dashes, periods, or underscores, and must not exceed "
    "63 characters."
)
_MAX_USERNAME_BYTES = 63
_TENANT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,98}[a-z0-9])?$")
_UINT64_MAX = 2**64 - 1


def normalize_username(raw: str) -> str:
    """Lower-cases code point by code point, as cockroach does (not `str.lower()`)."""
    out = []
    for ch in raw:
        if ch in "\u0130\u0131":
            out.append("i")
            continue
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    name = "".join(out)
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def username_problem(name: str) -> str:
    """Returns cockroach's reason a normalised name is not a valid SQL user, or ''."""
    if not name:
        return "username is empty"
    if len(name.encode("utf-8", "surrogateescape")) > _MAX_USERNAME_BYTES:
        return "username is too long"
    if not _username_char_ok(name[0], first=True) or not all(
        _username_char_ok(c, first=False) for c in name[1:]
    ):
        return "username is invalid"
    return ""


def client_username(raw: str, *, validate: bool = True) -> str:
    """The user a client cert names: normalised, and refused with a hint if not valid SQL
    (or if it could not be a file name at all)."""
    user = normalize_username(raw)
    problem = username_problem(user) if validate else ""
    if problem:
        raise CertError(problem, hint=USERNAME_HINT, prefixed=False)
    check_safe_filename(user)  # only a name validation let through can fail here
    return user


def _username_char_ok(ch: str, *, first: bool) -> bool:
    if ch == "_" or ("0" <= ch <= "9") or unicodedata.category(ch) == "Ll":
        return True
    return not first and ch in ".-"


def parse_tenant_id(arg: str) -> int:
    """Parses a tenant id like Go's `strconv.ParseUint(arg, 10, 64)`; 0 is allowed here."""
    if not arg or not arg.isascii() or not arg.isdigit():
        raise CertError(
            f"{arg} is invalid uint64: strconv.ParseUint: parsing {go_quote(arg)}: "
            "invalid syntax",
            prefixed=False,
        )
    value = int(arg)
    if value > _UINT64_MAX:
        raise CertError(
            f"{arg} is invalid uint64: strconv.ParseUint: parsing {go_quote(arg)}: "
            "value out of range",
            prefixed=False,
        )
    return value


def parse_tenant_scope(value: str) -> list[int]:
    """`--tenant-scope=1,2`: ids > 0; pycert rejects 0 where cockroach panics."""
    ids = []
    for elem in value.split(","):
        reason = ""
        if not elem.isascii() or not elem.isdigit():
            reason = f"strconv.ParseUint: parsing {go_quote(elem)}: invalid syntax"
        elif int(elem) > _UINT64_MAX:
            reason = f"strconv.ParseUint: parsing {go_quote(elem)}: value out of range"
        elif int(elem) == 0:
            reason = "tenant ID 0 is the reserved zero tenant"
        if reason:
            raise CertError(
                f'invalid argument {go_quote(value)} for "--tenant-scope" flag: invalid tenant ID '
                f"{elem}, tenant ID should be an unsigned int greater than 0: {reason}",
                exit_code=EXIT_FLAG,
                prefixed=False,
            )
        ids.append(int(elem))
    return ids


def parse_tenant_name_scope(value: str) -> list[str]:
    """`--tenant-name-scope=a,b`: each name 1-100 chars of [a-z0-9-], no edge hyphen."""
    names = value.split(",")
    for name in names:
        if not _TENANT_NAME.match(name):
            raise CertError(
                f'invalid argument {go_quote(value)} for "--tenant-name-scope" flag: '
                f"invalid tenant name: {go_quote(name)}",
                exit_code=EXIT_FLAG,
                prefixed=False,
            )
    return names


def parse_principal_map(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--cert-principal-map a:b,c:d` (repeatable): each entry needs a `:`, split on the last."""
    out = {}
    for entry in (e for v in values for e in v.split(",") if e):
        if ":" not in entry:
            raise CertError(
                f'invalid <cert-principal>:<db-principal> mapping: "{entry}"', prefixed=False
            )
        cert, _, db = entry.rpartition(":")
        out[cert] = db
    return out


def check_safe_filename(name: str) -> None:
    """Refuses names that would leave the certs dir or make unreadable file names.

    cockroach writes `client.<name>.crt` with such names as they are; pycert does not.
    """
    bad = [c for c in name if c in "/\\\0" or not c.isprintable()]
    if bad or name in (".", ".."):
        raise CertError(
            f"identity {go_quote(name)} cannot be used in a file name: it contains "
            f"{go_quote(''.join(dict.fromkeys(bad)) or name)}; choose a name without path "
            "separators or control characters"
        )
