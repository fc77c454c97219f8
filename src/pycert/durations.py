"""Go `time.ParseDuration` syntax, so `--lifetime` accepts exactly what cockroach does."""

from __future__ import annotations

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,
    "\u03bcs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
# `--lifetime` extension (issue 8): days and cockroach's 366-day years.
DAY = 24 * HOUR
YEAR = 366 * DAY
LIFETIME_UNITS = {**_UNITS, "d": DAY, "y": YEAR}
_MAX = 2**63 - 1


class DurationError(ValueError):
    """Carries Go's exact `time: …` message."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_duration(text: str, units: dict[str, int] = _UNITS) -> int:
    """Returns nanoseconds; raises DurationError with Go's wording."""
    orig, s, neg = text, text, False
    if s[:1] in ("-", "+"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise DurationError(f"time: invalid duration {_quote(orig)}")
    total = 0
    while s:
        whole, frac, s = _take_number(s, orig)
        i = 0
        while i < len(s) and s[i] != "." and s[i] not in "0123456789":
            i += 1
        unit, s = s[:i], s[i:]
        if not unit:
            raise DurationError(f"time: missing unit in duration {_quote(orig)}")
        if unit not in units:
            raise DurationError(f"time: unknown unit {_quote(unit)} in duration {_quote(orig)}")
        size = units[unit]
        total += whole * size + (int(frac) * size // 10 ** len(frac) if frac else 0)
        if total > _MAX + (1 if neg else 0):
            raise DurationError(f"time: invalid duration {_quote(orig)}")
    return -total if neg else total


def _take_number(s: str, orig: str) -> tuple[int, str, str]:
    """Splits off `digits[.digits]`; Go accepts `.5` and `5.` but not `.`."""
    i = 0
    while i < len(s) and s[i] in "0123456789":
        i += 1
    whole = s[:i]
    frac = ""
    if i < len(s) and s[i] == ".":
        j = i + 1
        while j < len(s) and s[j] in "0123456789":
            j += 1
        frac, i = s[i + 1 : j], j
    if not whole and not frac:
        raise DurationError(f"time: invalid duration {_quote(orig)}")
    return int(whole or "0"), frac, s[i:]
