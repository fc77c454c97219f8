"""The loader reads certificate files in growing chunks; every size reads back whole,
and the 1 MiB cap holds exactly at its edge."""

from __future__ import annotations

from pathlib import Path

import pytest

from pycert.certdir.files import FIRST_READ, MAX_FILE_BYTES
from pycert.certdir.loader import read_capped


@pytest.mark.parametrize("size", [0, 1, FIRST_READ - 1, FIRST_READ, FIRST_READ + 1,
                                  FIRST_READ * 8, FIRST_READ * 9 + 7, MAX_FILE_BYTES])
def test_files_up_to_the_cap_read_back_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "x.crt"
    data = bytes(i % 251 for i in range(size))
    path.write_bytes(data)
    assert read_capped(str(path)) == (data, "")


@pytest.mark.parametrize("size", [MAX_FILE_BYTES + 1, MAX_FILE_BYTES * 2])
def test_files_over_the_cap_are_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "x.crt"
    path.write_bytes(b"a" * size)
    assert read_capped(str(path)) == (None, "")
