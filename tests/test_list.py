"""`list`: classification, rows, TSV when piped, cockroach's table on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import pycert

HEADER = "Usage\tCertificate File\tKey File\tExpires\tNotes\tError\n"


def test_list_tsv_exact(full_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0, res.err
    lines = res.out.splitlines(keepends=True)
    assert lines[0] == "Certificate directory: certs\n" and lines[1] == HEADER
    ca, node, client = (line.rstrip("\n").split("\t") for line in lines[2:])
    assert ca[:3] == ["CA", "ca.crt", ""] and ca[4:] == ["num certs: 1", ""]
    assert node[:3] == ["Node", "node.crt", "node.key"]
    assert node[4:] == ["addresses: localhost,127.0.0.1,::1", ""]
    assert client[:3] == ["Client", "client.root.crt", "client.root.key"]
    assert client[4:] == ["user: root", ""]
    assert len(ca[3]) == 10 and ca[3][4] == "/" and len(lines) == 5


def test_list_table_on_a_terminal(full_dir: Path) -> None:
    out = _run_in_pty([sys.executable, "-m", "pycert", "list", "--certs-dir=certs"], full_dir)
    lines = out.replace("\r\n", "\n").splitlines()
    assert lines[0] == "Certificate directory: certs"
    assert lines[1].startswith("  Usage  | Certificate File |    Key File     |  Expires   |")
    assert lines[1].endswith("| Error")
    assert lines[2].startswith("---------+------------------+-----------------+------------+")
    assert lines[3].startswith("  CA     | ca.crt           |                 | ")
    notes_width = len("addresses: localhost,127.0.0.1,::1")
    assert lines[3].endswith("| " + "num certs: 1".ljust(notes_width) + " |")
    assert lines[-1] == "(3 rows)"


def _run_in_pty(cmd: list[str], cwd: Path) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).decode()


def test_missing_dir_lists_nothing_and_succeeds(tmp_path: Path) -> None:
    res = pycert("list", "--certs-dir=nope", cwd=tmp_path)
    assert (res.code, res.out) == (0, "Certificate directory: nope\n" + HEADER)
    assert not (tmp_path / "nope").exists()


def test_zero_rows_table() -> None:
    from pycert.certdir.listing import HEADERS
    from pycert.cli.render import render_table

    assert render_table(HEADERS, []).splitlines()[-1] == "(0 rows)"
    assert render_table(HEADERS, []).splitlines()[1] == "-" + "+".join(
        "-" * (len(h) + 2) for h in ("Usage", "Certificate File", "Key File", "Expires",
                                     "Notes", "Error")) + "-"


def test_cockroach_fixtures_are_listed_and_tenant_files_hidden(fixture_copy: Path) -> None:
    res = pycert("list", f"--certs-dir={fixture_copy}")
    assert res.code == 0, res.err
    rows = [line.split("\t") for line in res.out.splitlines()[2:]]
    assert [r[1] for r in rows] == ["ca.crt", "node.crt", "client.root.crt",
                                    "client.testuser.crt", "client.testuser2.crt"]
    assert rows[0][3] == "2031/08/24" and rows[1][3] == "2026/08/20"
    assert rows[1][4] == "addresses: localhost,*.local,tenant-10,tenant-11,tenant-20,127.0.0.1,::1"
    assert rows[3][4] == "user: testuser"


def test_bad_filenames_are_skipped_with_a_warning(full_dir: Path) -> None:
    certs = full_dir / "certs"
    crt = (certs / "ca.crt").read_bytes()
    for name in ("ca2.crt", "node.foo.crt", "client..crt", "ca.client.crt", "cr..crt"):
        (certs / name).write_bytes(crt)
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0
    assert 'bad filename certs/ca2.crt: unknown prefix "ca2"' in res.err
    assert "bad filename certs/node.foo.crt: node certificate filename should match node.crt" in res.err
    assert ("bad filename certs/client..crt: client certificate filename should match "
            "client.<user>.crt") in res.err
    assert "CA certificate filename should match ca.crt" in res.err
    assert len(res.out.splitlines()) == 5


def test_world_readable_node_key_fails_the_whole_list(full_dir: Path) -> None:
    (full_dir / "certs/node.key").chmod(0o644)
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 1 and res.out == ""
    limit = "-rwxr-----" if os.getuid() == 0 else "-rwx------"
    assert res.err.endswith(
        "ERROR: cannot load certificates.\nCheck your certificate settings, set --certs-dir, or "
        "use --insecure for insecure clusters.\n\ncannot load certificates: validating node "
        f"cert: key file certs/node.key has permissions -rw-r--r--, exceeds {limit}\n"
        'Failed running "cert list"\n')


def test_skip_permission_check_env(full_dir: Path) -> None:
    (full_dir / "certs/node.key").chmod(0o644)
    res = pycert("list", "--certs-dir=certs", cwd=full_dir,
                 env={"COCKROACH_SKIP_KEY_PERMISSION_CHECK": "t"})
    assert res.code == 0, res.err


def test_client_key_problems_are_row_errors(full_dir: Path) -> None:
    (full_dir / "certs/client.root.key").unlink()
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0
    row = res.out.splitlines()[-1].split("\t")
    assert row[2] == "" and row[4] == "user: <unknown>"
    assert row[5] == ("could not stat key file certs/client.root.key: stat certs/client.root.key: "
                      "no such file or directory")


def test_missing_node_key_is_excused_by_client_node_cert(full_dir: Path) -> None:
    res = pycert("create-client", "node", "--certs-dir=certs", "--ca-key=safe/ca.key", cwd=full_dir)
    assert res.code == 0, res.err
    (full_dir / "certs/node.key").unlink()
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0
    node = [r.split("\t") for r in res.out.splitlines() if r.startswith("Node")][0]
    assert node[3][:2] == "20"
    assert node[4] == "addresses: <unknown>"


def test_unparsable_cert_row_shows_zero_date(full_dir: Path) -> None:
    (full_dir / "certs/client.bad.crt").write_text("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                                                  "-----END RSA PRIVATE KEY-----\n")
    (full_dir / "certs/client.empty.crt").write_text("")
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    rows = {r.split("\t")[1]: r.split("\t") for r in res.out.splitlines()[2:]}
    assert rows["client.bad.crt"][3] == "0001/01/01"
    assert rows["client.bad.crt"][5] == ("failed to parse certificate file client.bad.crt as PEM: "
                                         "block #0 is of type RSA PRIVATE KEY, not CERTIFICATE")
    assert rows["client.empty.crt"][5] == "empty certificate file: client.empty.crt"


def test_invalid_tenant_id_fails_list(full_dir: Path) -> None:
    (full_dir / "certs/client-tenant.abc.crt").write_text("x")
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 1
    assert "ERROR: cannot load certificates: invalid tenant id abc\n" in res.err


def test_rotated_bundle_shows_count_and_first_expiry(ca_dir: Path) -> None:
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/new.key", "--overwrite",
                 "--lifetime=1000h", cwd=ca_dir)
    assert res.code == 0, res.err
    row = pycert("list", "--certs-dir=certs", cwd=ca_dir).out.splitlines()[2].split("\t")
    assert row[4] == "num certs: 2"
    from cryptography import x509

    first = x509.load_pem_x509_certificates((ca_dir / "certs/ca.crt").read_bytes())[0]
    assert row[3] == first.not_valid_after_utc.strftime("%Y/%m/%d")


def test_tsv_quotes_fields_like_go_csv() -> None:
    from pycert.certdir.listing import HEADERS
    from pycert.cli.render import render_rows

    out = render_rows("tsv", HEADERS, [("a\tb", ' lead', 'q"x', "\\.", "", "plain")]
                      ).splitlines()[1]
    assert out == '"a\tb"\t" lead"\t"q""x"\t"\\."\t\tplain'
