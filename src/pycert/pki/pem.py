"""PEM blocks split by Go's `encoding/pem` rules, so errors name blocks as cockroach does."""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

_BLOCK = re.compile(
    rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----[ \t]*(\r?\n|$)", re.DOTALL
)
_HEAD = b"-----BEGIN CERTIFICATE-----\n"
_TAIL = b"-----END CERTIFICATE-----\n"
_BEGIN, _END, _DASHES = b"-----BEGIN ", b"-----END ", b"-----"


class Block(NamedTuple):
    type: str
    der: bytes
    end: int  # offset just after the block, to find trailing data


def blocks(data: bytes) -> list[Block]:
    """Every well-formed PEM block in order; garbage between blocks is skipped, as Go does."""
    end = len(data) - len(_TAIL)
    if (data.startswith(_HEAD) and data.endswith(_TAIL) and end >= len(_HEAD)
            and data.find(b"-----", len(_HEAD), end) < 0):
        # The shape of nearly every .crt: one certificate, nothing around it. The regex
        # below would find exactly this block; slicing finds it several times faster.
        der = _decode(data[len(_HEAD) : end])
        return [] if der is None else [Block("CERTIFICATE", der, len(data))]
    single = _single(data)
    if single is not None:
        return single
    out = []
    for match in _BLOCK.finditer(data):
        der = _decode(match.group(2))
        if der is not None:
            out.append(Block(match.group(1).decode("latin-1"), der, match.end()))
    return out


def _single(data: bytes) -> list[Block] | None:
    """The one block of a file that is exactly one block of any type (a key file), found
    by slicing; None when the file has any other shape, for the regex to judge."""
    line = data.find(b"\n")
    if not data.startswith(_BEGIN) or line < 0 or data[line - 5 : line] != _DASHES:
        return None
    kind = data[len(_BEGIN) : line - 5]
    tail = _END + kind + _DASHES + b"\n"
    end = len(data) - len(tail)
    if (not kind or b"\r" in kind or b"-" in kind or not data.endswith(tail)
            or end <= line or data.find(_DASHES, line, end) >= 0):
        return None
    der = _decode(data[line + 1 : end])
    return [] if der is None else [Block(kind.decode("latin-1"), der, len(data))]


def _decode(body: bytes) -> bytes | None:
    """A block's DER, or None when its base64 is bad (Go then skips the block)."""
    if b":" in body and b"\n\n" in body and b":" in body.split(b"\n\n", 1)[0]:
        body = body.split(b"\n\n", 1)[1]  # RFC 1421 headers: ignored, as Go ignores them
    try:
        # Lines end in "\n" alone in nearly every file: if dropping those leaves valid base64,
        # dropping all whitespace would have left the same bytes.
        return base64.b64decode(body.replace(b"\n", b""), validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def encode(kind: str, der: bytes) -> bytes:
    """Standard armour: 64-column base64 lines, `\\n` endings, no headers."""
    text = base64.b64encode(der)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    head = f"-----BEGIN {kind}-----\n".encode()
    tail = f"-----END {kind}-----\n".encode()
    return head + b"".join(line + b"\n" for line in lines) + tail
