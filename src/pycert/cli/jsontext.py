"""JSON text exactly as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, made
several times faster: with an indent, the standard library takes its pure-Python encoder,
which was most of `list --format=json` for 10,000 certificates (docs/performance.md).
"""

from __future__ import annotations

import json
from typing import Any

from pycert.certdir.records import RECORD_KEYS

_NAMES, _SANS, _KEY, _SIGNER = ("cn", "o", "ou"), ("dns", "ip", "uri"), \
    ("type", "size", "curve"), ("file", "index")

json_string = json.encoder.encode_basestring  # C-accelerated; ensure_ascii=False
_string = json_string
_KEYS: dict[tuple[str, str], str] = {}  # (indent, key) -> the member's opening text


def indented(value: Any, indent: str = "") -> str:
    """json.dumps(value, indent=2, ensure_ascii=False) nested at `indent`, several times
    faster: with an indent, json.dumps takes its pure-Python encoder."""
    text = _scalar(value)
    if text is not None:
        return text
    inner = indent + "  "
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            opening = _KEYS.get((inner, key)) if type(key) is str else None
            if opening is None:
                if type(key) is not str:
                    return _dumps(value, indent)
                opening = _KEYS.setdefault((inner, key), f"{inner}{_string(key)}: ")
            text = _scalar(item)
            parts.append(opening + (indented(item, inner) if text is None else text))
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if kind is list:
        if not value:
            return "[]"
        items = [_scalar(v) for v in value]
        body = ",\n".join([inner + (indented(v, inner) if t is None else t)
                           for v, t in zip(value, items)])
        return "[\n" + body + "\n" + indent + "]"
    return _dumps(value, indent)


def _scalar(value: Any) -> str | None:
    """The JSON text of a string, integer, boolean or null; None for anything else."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return None




def cert_record(r: dict[str, Any], indent: str) -> str:
    """`indented(r, indent)` for a certificate record (docs/schema/cert-report.schema.json):
    the schema's members go into a template; anything else the generic way."""
    if tuple(r) != RECORD_KEYS:
        return indented(r, indent)
    return record_text(tuple(r.values()), indent) or indented(r, indent)


def record_text(v: tuple[Any, ...], indent: str) -> str | None:
    """The text of a record from its values in RECORD_KEYS order, written into a template
    (a third of the generic walk's cost for 10,000 records); None when a value is not of
    the schema's type, for the generic walk to write."""
    i1 = indent + "  "
    i2 = i1 + "  "
    try:
        parts = (_int(v[0]), _str(v[1]), _str(v[2]), _str(v[3]), _str(v[4]), _str(v[5]),
                 _int(v[6]), _names(v[7], i1, i2), _names(v[8], i1, i2), _sans(v[9], i1, i2),
                 _str(v[10]), _key(v[11], i1, i2), _str(v[12]), _str(v[13]), _str(v[14]),
                 _int(v[15]), _str(v[16]), _bool(v[17]), _bool(v[18]), _strs(v[19], i1),
                 _signer(v[20], i1, i2), _str(v[21]), _int(v[22]), _str(v[23]))
    except _NotTheSchema:
        return None
    return _template(indent) % parts


class _NotTheSchema(Exception):
    """A member of another type than the schema's: the record goes the generic way."""


def _str(value: Any) -> str:
    if type(value) is str:
        return _string(value)
    if value is None:
        return "null"
    raise _NotTheSchema


def _int(value: Any) -> str:
    if type(value) is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    raise _NotTheSchema


def _bool(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    raise _NotTheSchema


def _strs(value: Any, indent: str) -> str:
    """A list of strings (or null) whose items sit one level deeper than `indent`."""
    if type(value) is not list:
        if value is None:
            return "null"
        raise _NotTheSchema
    if not value:
        return "[]"
    inner = ",\n" + indent + "  "
    try:  # encode_basestring refuses anything but a str; a str subclass writes the same
        return "[" + inner[1:] + inner.join(map(_string, value)) + "\n" + indent + "]"
    except TypeError:
        raise _NotTheSchema from None


# One writer per nested object, unrolled: a generic member loop over a table of writers
# measured 28 us a record against 18 (10,000 records, docs/performance.md).
def _names(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _NAMES:
        raise _NotTheSchema
    return (f'{{\n{i2}"cn": {_str(value["cn"])},\n{i2}"o": {_strs(value["o"], i2)},\n'
            f'{i2}"ou": {_strs(value["ou"], i2)}\n{i1}}}')


def _sans(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _SANS:
        raise _NotTheSchema
    return (f'{{\n{i2}"dns": {_strs(value["dns"], i2)},\n{i2}"ip": {_strs(value["ip"], i2)},'
            f'\n{i2}"uri": {_strs(value["uri"], i2)}\n{i1}}}')


def _key(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _KEY:
        raise _NotTheSchema
    return (f'{{\n{i2}"type": {_str(value["type"])},\n{i2}"size": {_int(value["size"])},\n'
            f'{i2}"curve": {_str(value["curve"])}\n{i1}}}')


def _signer(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _SIGNER:
        raise _NotTheSchema
    return f'{{\n{i2}"file": {_str(value["file"])},\n{i2}"index": {_int(value["index"])}\n{i1}}}'


_TEMPLATES: dict[str, str] = {}


def _template(indent: str) -> str:
    found = _TEMPLATES.get(indent)
    if found is None:
        members = ",\n".join(f"{indent}  {_string(k)}: %s" for k in RECORD_KEYS)
        found = _TEMPLATES[indent] = "{\n" + members.replace("%", "%%").replace("%%s", "%s") \
            + "\n" + indent + "}"
    return found


def _dumps(value: Any, indent: str) -> str:
    """json.dumps itself, for what `indented` leaves to it (floats, tuples, subclasses)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
