"""Tables for people drawn by tabulate: `list` on a terminal byte for byte as cockroach
(spec §7.3), with wide East Asian characters (2 columns) and combining marks (0)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import pycert

SPEC_ROWS = [
    ("CA", "ca.crt", "", "2033/11/02", "num certs: 1", ""),
    ("Node", "node.crt", "node.key", "2028/10/29", "addresses: localhost,cdb-01,cdb-02,cdb-03", ""),
    ("Client", "client.root.crt", "client.root.key", "2028/10/29", "user: root", ""),
]
SPEC_TABLE = """\
  Usage  | Certificate File |    Key File     |  Expires   |                   Notes                   | Error
---------+------------------+-----------------+------------+-------------------------------------------+--------
  CA     | ca.crt           |                 | 2033/11/02 | num certs: 1                              |
  Node   | node.crt         | node.key        | 2028/10/29 | addresses: localhost,cdb-01,cdb-02,cdb-03 |
  Client | client.root.crt  | client.root.key | 2028/10/29 | user: root                                |
(3 rows)
"""


def test_the_spec_sample_byte_for_byte() -> None:
    from pycert.certdir.listing import HEADERS
    from pycert.cli.render import render_table

    assert render_table(HEADERS, SPEC_ROWS) == SPEC_TABLE


def test_tabulates_module_settings_are_left_alone() -> None:
    import tabulate

    from pycert.certdir.listing import HEADERS
    from pycert.cli.render import render_table

    before = (tabulate.MIN_PADDING, tabulate.PRESERVE_WHITESPACE, tabulate.WIDE_CHARS_MODE)
    render_table(HEADERS, SPEC_ROWS)
    assert before == (tabulate.MIN_PADDING, tabulate.PRESERVE_WHITESPACE,
            tabulate.WIDE_CHARS_MODE)
    assert tabulate.tabulate([["a"]], headers=["b"]) == "b\n---\na"  # the host's defaults


def _pty(cmd: list[str], cwd: Path) -> bytes:
    """stdout of `cmd` when it is a terminal (the kernel turns \\n into \\r\\n)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    return b"".join(chunks).replace(b"\r\n", b"\n")


def _wide_dir(ca_dir: Path) -> dict[str, str]:
    """node + clients `root`, `q̀x` (q + combining grave, no precomposed form) and `漢字`;
    returns the Expires date of each file (from the TSV)."""
    key = ["--certs-dir=certs", "--ca-key=safe/ca.key"]
    for args in (["create-node", "localhost", "127.0.0.1"], ["create-client", "root"],
                 ["create-client", "q\u0300x", "--disable-username-validation"],
                 ["create-client", "漢字", "--disable-username-validation"]):
        res = pycert(*args, *key, cwd=ca_dir)
        assert res.code == 0, res.err
    tsv = pycert("list", "--certs-dir=certs", cwd=ca_dir).out.splitlines()[2:]
    return {row.split("\t")[1]: row.split("\t")[3] for row in tsv}


def test_list_on_a_terminal_with_wide_and_combining_characters(ca_dir: Path) -> None:
    dates = _wide_dir(ca_dir)
    ca, node = dates["ca.crt"], dates["node.crt"]
    qx, root, kanji = dates["client.q\u0300x.crt"], dates["client.root.crt"], dates["client.漢字.crt"]
    # Column widths by §7.3: Certificate File 16 (header; client.漢字.crt is 15 columns,
    # client.q̀x.crt 13), Key File 15 (client.root.key and client.漢字.key), Notes 30.
    expected = (
        "Certificate directory: certs\n"
        "  Usage  | Certificate File |    Key File     |  Expires   |             Notes              | Error\n"
        "---------+------------------+-----------------+------------+--------------------------------+--------\n"
        f"  CA     | ca.crt           |                 | {ca} | num certs: 1                   |\n"
        f"  Node   | node.crt         | node.key        | {node} | addresses: localhost,127.0.0.1 |\n"
        f"  Client | client.q\u0300x.crt    | client.q\u0300x.key   | {qx} | user: q\u0300x"
        f"{' ' * 22} |\n"  # 8 columns shown of the 30
        f"  Client | client.root.crt  | client.root.key | {root} | user: root                     |\n"
        f"  Client | client.漢字.crt  | client.漢字.key | {kanji} | user: 漢字                     |\n"
        "(5 rows)\n"
    )
    out = _pty([sys.executable, "-m", "pycert", "list", "--certs-dir=certs"], ca_dir)
    assert out.decode() == expected
    piped = pycert("list", "--certs-dir=certs", "--format=table", cwd=ca_dir)
    assert piped.out == expected


def test_list_on_a_terminal_through_script(full_dir: Path) -> None:
    """The same table through `script`, as a person's terminal shows it."""
    import shutil

    script = shutil.which("script")
    assert script, "util-linux's script is part of every Debian base system"
    cmd = f"{sys.executable} -m pycert list --certs-dir=certs"
    proc = subprocess.run([script, "-qec", cmd, "/dev/null"], cwd=full_dir, capture_output=True,
                          timeout=60)
    lines = proc.stdout.decode().replace("\r\n", "\n").splitlines()
    assert proc.returncode == 0
    assert lines[1] == ("  Usage  | Certificate File |    Key File     |  Expires   |"
                        f" {'Notes':^34} | Error")
    assert lines[2] == ("---------+------------------+-----------------+------------+"
                        + "-" * 36 + "+--------")
    assert lines[4].endswith("| addresses: localhost,127.0.0.1,::1 |") and lines[-1] == "(3 rows)"


def test_zero_rows_and_control_characters() -> None:
    from pycert.certdir.listing import HEADERS
    from pycert.cli.render import render_table

    assert render_table(HEADERS, []) == (
        "  Usage | Certificate File | Key File | Expires | Notes | Error\n"
        "--------+------------------+----------+---------+-------+--------\n(0 rows)\n")
    drawn = render_table(HEADERS, [("Client", "client.a\tb\x1b[1m.crt", "", "0001/01/01", " x ", "")])
    assert drawn.splitlines()[2] == ("  Client | client.a?b?[1m.crt |          | 0001/01/01 |"
                                     "  x    |")


def test_dry_run_and_inspect_columns_are_aligned(ca_dir: Path) -> None:
    res = pycert("create-ca", "--certs-dir=other", "--ca-key=safe/other.key", "--dry-run",
                 cwd=ca_dir)
    lines = res.out.splitlines()
    assert lines[1].startswith("subject:  CN=Cockroach CA") and lines[2].startswith("SANs:     ")
    res = pycert("inspect", "certs/ca.crt", cwd=ca_dir)
    assert "        Not Before: " in res.out and "        Not After:  " in res.out
    assert "        Effective:  " in res.out
