"""Go's spellings, so pycert parses and prints what cockroach's Go code does.

Durations (`time.ParseDuration`), booleans (`strconv.ParseBool`), integers
(`strconv.ParseInt(s, 0, 64)`), `%q` and `time.quote` quoting, syscall error texts,
`filepath.Join` and `FileMode.String()`: one place each, no third-party imports.
"""

from __future__ import annotations

import os
import re
import stat

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
YEAR = 366 * DAY  # cockroach's year: leap years never shorten a certificate

GO_UNITS = {"ns": NANOSECOND, "us": MICROSECOND, "\u00b5s": MICROSECOND,
            "\u03bcs": MICROSECOND, "ms": MILLISECOND, "s": SECOND, "m": MINUTE, "h": HOUR}
# pycert's one duration grammar: Go's units plus days and 366-day years.
DURATION_UNITS = {**GO_UNITS, "d": DAY, "y": YEAR}
_MAX_DURATION = 2**63 - 1
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))
_OCTAL = re.compile(r"[+-]?0[0-7_]+")


class GoSyntaxError(ValueError):
    """Carries Go's exact message, e.g. `time: invalid duration "x"`."""


def parse_duration(text: str, units: dict[str, int] = DURATION_UNITS) -> int:
    """Nanoseconds, by Go's `time.ParseDuration` rules over `units`."""
    orig, s, neg = text, text, False
    if s[:1] in ("-", "+"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise GoSyntaxError(f"time: invalid duration {time_quote(orig)}")
    total = 0
    while s:
        whole, frac, s = _take_number(s, orig)
        i = 0
        while i < len(s) and s[i] != "." and s[i] not in "0123456789":
            i += 1
        unit, s = s[:i], s[i:]
        if not unit:
            raise GoSyntaxError(f"time: missing unit in duration {time_quote(orig)}")
        if unit not in units:
            raise GoSyntaxError(
                f"time: unknown unit {time_quote(unit)} in duration {time_quote(orig)}")
        size = units[unit]
        total += whole * size + (int(frac) * size // 10 ** len(frac) if frac else 0)
        if total > _MAX_DURATION + (1 if neg else 0):
            raise GoSyntaxError(f"time: invalid duration {time_quote(orig)}")
    return -total if neg else total


def _take_number(s: str, orig: str) -> tuple[int, str, str]:
    """Splits off `digits[.digits]`; Go accepts `.5` and `5.` but not `.`."""
    i = 0
    while i < len(s) and s[i] in "0123456789":
        i += 1
    whole, frac = s[:i], ""
    if i < len(s) and s[i] == ".":
        j = i + 1
        while j < len(s) and s[j] in "0123456789":
            j += 1
        frac, i = s[i + 1 : j], j
    if not whole and not frac:
        raise GoSyntaxError(f"time: invalid duration {time_quote(orig)}")
    return int(whole or "0"), frac, s[i:]


def format_duration(ns: int) -> str:
    """Go's `Duration.String()` for whole seconds: `43920h0m0s`, `5m0s`, `-30s`, `0s`."""
    sign, seconds = ("-" if ns < 0 else ""), abs(ns) // SECOND
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds % 60}s"
    return f"{sign}{minutes}m{seconds % 60}s" if minutes else f"{sign}{seconds}s"


def parse_bool(text: str) -> bool:
    """`strconv.ParseBool`: 1/t/T/TRUE/true/True and their false twins."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise GoSyntaxError(f"strconv.ParseBool: parsing {go_quote(text)}: invalid syntax")


def parse_int(text: str) -> int:
    """`strconv.ParseInt(s, 0, 64)`: 0x, 0o, 0b, leading-0 octal and `_` separators."""
    try:
        if text != text.strip() or not text:
            raise ValueError
        number = int(text, 8) if _OCTAL.fullmatch(text) else int(text, 0)
    except ValueError:
        raise GoSyntaxError(f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax") from None
    if not -(2**63) <= number < 2**63:
        raise GoSyntaxError(f"strconv.ParseInt: parsing {go_quote(text)}: value out of range")
    return number


def time_quote(text: str) -> str:
    """The `time` package's quote: every byte of a non-ASCII or control rune as `\\xNN`."""
    out = ['"']
    for ch in text:
        if ord(ch) < 0x20 or ord(ch) >= 0x80:
            out += [f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape")]
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


def go_quote(text: str) -> str:
    """`%q` (`strconv.Quote`): printable runes kept, the rest escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif ch.isprintable() and code != 0xFFFD and not 0xDC80 <= code <= 0xDCFF:
            out.append(ch)
        elif code < 0x80 or 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code & 0xFF:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def errno_text(exc: OSError) -> str:
    """`no such file or directory`: Go's lower-case syscall wording."""
    text = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc))
    return text[:1].lower() + text[1:]


def join(directory: str, name: str) -> str:
    """`filepath.Join`: joined and cleaned, so messages show the paths cockroach shows."""
    return os.path.normpath(os.path.join(directory, name)) if directory or name else ""


def file_mode(perm: int) -> str:
    """`-rw-r--r--`: `FileMode.String()` for permission bits."""
    return "-" + stat.filemode(perm)[1:]
