"""PEM block splitting with Go's `encoding/pem` semantics, so errors name blocks as cockroach."""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

_BLOCK = re.compile(
    rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----[ \t]*(\r?\n|$)", re.DOTALL
)


class Block(NamedTuple):
    type: str
    der: bytes
    end: int  # offset just after the block, to find trailing data


def blocks(data: bytes) -> list[Block]:
    """Every well-formed PEM block in order; garbage between blocks is skipped, as Go does."""
    out = []
    for match in _BLOCK.finditer(data):
        body = match.group(2)
        if b":" in body.split(b"\n\n", 1)[0] and b"\n\n" in body:
            body = body.split(b"\n\n", 1)[1]  # RFC 1421 headers: ignored, as Go ignores them
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append(Block(match.group(1).decode("latin-1"), der, match.end()))
    return out


def encode(kind: str, der: bytes) -> bytes:
    """Standard armour: 64-column base64 lines, `\\n` endings, no headers."""
    text = base64.b64encode(der)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    head = f"-----BEGIN {kind}-----\n".encode()
    tail = f"-----END {kind}-----\n".encode()
    return head + b"".join(line + b"\n" for line in lines) + tail
