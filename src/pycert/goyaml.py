"""YAML as Go's gopkg.in/yaml.v2 writes it, which is what `kubectl … -o yaml` prints.

PyYAML does the writing (libyaml's emitter, the same one goyaml ported); what differs is
which strings must be quoted: goyaml quotes a string whenever its own resolver would read
it back as something else (`y`, `1e3`, `0o17`, `2024-01-02`, a 23-digit number), PyYAML
after YAML 1.1's rules, so the resolver is goyaml.v2's `resolve` here. Maps are written
in the order given (kubectl's: sorted), text with a newline as a literal block.
Checked against kubectl 1.20-1.33 byte for byte (tests/test_k8s.py).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import yaml

# goyaml.v2's resolveMap: every word that reads back as a bool, null or special float.
_WORDS = frozenset((
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
    "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
    "null", "Null", "NULL", "~", "", "<<",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
    "-.inf", "-.Inf", "-.INF"))
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")  # yamlStyleFloat
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")  # isBase60Float
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_RADIX = {"x": (16, "0123456789abcdefABCDEF"), "o": (8, "01234567"), "b": (2, "01")}


def _go_int(text: str) -> bool:
    """Go's strconv.ParseInt(text, 0, 64) or ParseUint(text, 0, 64) succeeds."""
    sign = text[:1] in ("+", "-")
    digits = text[1:] if sign else text
    base, allowed = 10, "0123456789"
    if len(digits) > 1 and digits[0] == "0":
        base, allowed = _RADIX.get(digits[1].lower(), (8, "01234567"))
        digits = digits[2:] if base != 8 or digits[1] in "oO" else digits[1:]
    if not digits or any(c not in allowed for c in digits):
        return False
    value = int(digits, base)
    if text[:1] == "-":
        return value <= 2**63
    return value < (2**63 if sign else 2**64)


def _date(text: str) -> bool:
    """A date goyaml's parseTimestamp reads (its forms with a time of day hold ':' or ' ',
    which no Kubernetes name, data key or base64 text does: not handled)."""
    match = _DATE.fullmatch(text)
    if match is None:
        return False
    try:
        dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return False  # time.Parse refuses 2024-13-45: it stays a string
    return True


def _finite(text: str) -> bool:
    return _FLOAT.fullmatch(text) is not None and math.isfinite(float(text))


def reads_as_other(text: str) -> bool:
    """Whether goyaml would read `text`, written plain, as a non-string: it is quoted then."""
    if text in _WORDS or _BASE60.fullmatch(text):
        return True
    if text[0] == ".":
        return _finite(text)
    if text[0] in "+-0123456789":
        plain = text.replace("_", "")
        return _date(text) or _go_int(plain) or _finite(plain)
    return False


class _GoResolver(yaml.resolver.BaseResolver):
    """Only `null` is implicit: which strings need quotes is `reads_as_other`'s call."""


_GoResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^null$"), ["n"])


class _GoDumper(yaml.emitter.Emitter, yaml.serializer.Serializer,
                yaml.representer.SafeRepresenter, _GoResolver):
    def __init__(self, stream: Any, **how: Any) -> None:
        yaml.emitter.Emitter.__init__(self, stream, canonical=False, indent=2, width=80,
                                      allow_unicode=True, line_break="\n")
        yaml.serializer.Serializer.__init__(self, encoding=how.get("encoding"))
        yaml.representer.SafeRepresenter.__init__(self, default_flow_style=False,
                                                  sort_keys=False)
        _GoResolver.__init__(self)


def _string(dumper: yaml.representer.SafeRepresenter, text: str) -> yaml.ScalarNode:
    style = '"' if reads_as_other(text) else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_GoDumper.add_representer(str, _string)


def dump(document: dict[str, Any]) -> bytes:
    """The document as goyaml.v2 writes it: block style, two-space indent, width 80."""
    return yaml.dump(document, Dumper=_GoDumper).encode("utf-8")
