"""pem.blocks slices the one-certificate file instead of running its regex; for every
input the answer must be the regex's (the original implementation, kept here as oracle)."""

from __future__ import annotations

import base64
import binascii
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from pycert.pki.pem import Block, blocks

_BLOCK = re.compile(
    rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----[ \t]*(\r?\n|$)", re.DOTALL
)
CERT = (FIXTURES / "ca.crt").read_bytes()


def oracle(data: bytes) -> list[Block]:
    out = []
    for match in _BLOCK.finditer(data):
        body = match.group(2)
        if b":" in body.split(b"\n\n", 1)[0] and b"\n\n" in body:
            body = body.split(b"\n\n", 1)[1]
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append(Block(match.group(1).decode("latin-1"), der, match.end()))
    return out


def test_fixture_certificate_takes_the_fast_path_and_agrees() -> None:
    assert CERT.startswith(b"-----BEGIN CERTIFICATE-----\n") and CERT.endswith(b"-----\n")
    assert blocks(CERT) == oracle(CERT) and len(blocks(CERT)) == 1


@settings(max_examples=300, deadline=None)
@given(at=st.integers(min_value=0, max_value=len(CERT)),
       insert=st.sampled_from([b"", b"-", b"-----", b"\r", b" ", b"\t", b"=", b"!", b":",
                               b"\n\n", b"Proc-Type: 4\n\n", b"-----END CERTIFICATE-----\n",
                               b"-----BEGIN CERTIFICATE-----\n"]),
       cut=st.integers(min_value=0, max_value=3))
def test_any_edit_of_a_certificate_file_splits_as_the_regex_does(at: int, insert: bytes,
                                                                  cut: int) -> None:
    data = CERT[:at] + insert + CERT[at + cut :]
    assert blocks(data) == oracle(data)
