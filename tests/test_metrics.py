"""`pycert metrics`: cockroach's certificate gauges as a node defines them, pycert's own
families, the text format as Prometheus's own tools read it, and the file node_exporter
reads: never half written, whatever happens to the writer."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

import pycert
from conftest import FIXTURES, need_tool, read_only
from pycert.certdir.files import TEMP_MARK
from pycert.certdir.metrics import GAUGES, PYCERT_FAMILIES, Family, families
from pycert.cli.metrics import exposition, number

DAY = 86400
NOW = dt.datetime(2027, 3, 1, 12, 0, 0, 250000, tzinfo=dt.timezone.utc)  # a fixed instant
NOW_S = calendar.timegm(NOW.timetuple())
SINGULAR = [g.segment for g in GAUGES if not g.label]


# --- helpers ----------------------------------------------------------------------------

def openssl_end(path: Path) -> int:
    """NotAfter as openssl reads it (not pycert's reader), in Unix seconds."""
    out = subprocess.run([need_tool("openssl", "openssl"), "x509", "-noout", "-enddate",
                          "-in", str(path)], capture_output=True, text=True, check=True).stdout
    return calendar.timegm(time.strptime(out.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y GMT"))


def openssl_ca(work: Path, name: str, days: int) -> bytes:
    """A self-signed CA certificate made by openssl, valid for `days`."""
    subprocess.run([need_tool("openssl", "openssl"), "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", str(days),
                    "-subj", f"/O=Cockroach/CN={name}", "-keyout", str(work / f"{name}.key"),
                    "-out", str(work / f"{name}.pem")], check=True, capture_output=True)
    return (work / f"{name}.pem").read_bytes()


def values(fams: list[Family], certs_dir: str) -> dict[tuple[str, tuple[tuple[str, str], ...]],
                                                      float]:
    """(family, labels other than certs_dir) -> value, for one certs dir."""
    out = {}
    for family in fams:
        for labels, value in family.samples:
            if labels[0] == ("certs_dir", certs_dir):
                key = (family.name, labels[1:])
                assert key not in out, f"duplicate series {key}"
                out[key] = value
    return out


def gauge(found: dict, what: str, segment: str, *labels: tuple[str, str]) -> float:
    return found[(f"security_certificate_{what}_{segment}", tuple(labels))]


def metrics_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                umask: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m pycert metrics ...` with a clean environment; stdout kept as bytes."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    full.update(env or {})
    setup = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([sys.executable, "-m", "pycert", "metrics", *args], cwd=cwd,
                          env=full, capture_output=True, timeout=60, preexec_fn=setup)


def promtool_check(text: bytes) -> None:
    """`promtool check metrics`: no parse error and no lint warning (exit 0, nothing said)."""
    proc = subprocess.run([need_tool("promtool", "prometheus"), "check", "metrics"],
                          input=text, capture_output=True, timeout=60)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, b"", b""), proc.stderr.decode()


def parsed(text: bytes) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every series as the Python client's parser reads it; duplicates fail the test."""
    lines = [line for line in text.decode("utf-8").splitlines() if not line.startswith("#")]
    assert len(lines) == len(set(lines))
    out = {}
    for family in text_string_to_metric_families(text.decode("utf-8")):
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in out, key
            out[key] = sample.value
    assert len(out) == len(lines)
    return out


@pytest.fixture(scope="module")
def ca() -> pycert.CA:
    return pycert.CA(key_type="ecdsa")


def good_dir(path: Path, ca: pycert.CA, *users: str) -> Path:
    """ca.crt, node.crt/key and a client pair per user, through the API."""
    certs = pycert.CertsDir(path)
    certs.write_ca(ca, path.parent / f"{path.name}-ca.key")
    certs.write(ca.issue_node("localhost", "127.0.0.1", key_type="ecdsa"))
    for user in users:
        certs.write(ca.issue_client(user, key_type="ecdsa"))
    return path


# --- cockroach's gauges, as pkg/security defines them ----------------------------------

def test_a_bundle_reports_its_first_certificate_neither_min_nor_max(tmp_path: Path) -> None:
    """cockroach's loader takes ExpirationTime from certificate 0 of the file only."""
    soon, late = openssl_ca(tmp_path, "soon", 30), openssl_ca(tmp_path, "late", 400)
    for name, first, bundle in (("a", "soon", soon + late), ("b", "late", late + soon)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ca.crt").write_bytes(bundle)
        found = values(pycert.CertsDir(tmp_path / name).metric_families(now=NOW),
                       str(tmp_path / name))
        expected = openssl_end(tmp_path / f"{first}.pem")
        assert gauge(found, "expiration", "ca") == expected
        assert gauge(found, "ttl", "ca") == max(0, expected - NOW_S - 1)  # now has .25 s
        ends = {labels: v for (n, labels), v in found.items()
                if n == "pycert_certificate_not_after_timestamp_seconds"}
        assert sorted(ends.values()) == sorted([openssl_end(tmp_path / "soon.pem"),
                                                openssl_end(tmp_path / "late.pem")])
        assert [dict(labels)["index"] for labels in ends] == ["0", "1"]


def test_cockroach_made_dir_every_client_and_tenant_and_no_fallbacks(tmp_path: Path) -> None:
    """cockroach's own test certs: each gauge from its own file, read by openssl too;
    ca-client.crt and client.node.crt are missing, so their gauges read 0 even though
    ca.crt and node.crt exist (a node's metrics never fall back either)."""
    certs = tmp_path / "certs"
    shutil.copytree(FIXTURES, certs)
    for key in certs.glob("*.key"):
        key.chmod(0o600)
    (certs / "ca.key").unlink()  # a node's dir holds no CA key
    found = values(pycert.CertsDir(certs).metric_families(now=NOW), str(certs))
    for segment, file in (("ca", "ca.crt"), ("node", "node.crt"),
                          ("ca_client_tenant", "ca-client-tenant.crt")):
        assert gauge(found, "expiration", segment) == openssl_end(certs / file)
    for segment in ("client_ca", "ui_ca", "node_client", "ui"):
        assert gauge(found, "expiration", segment) == gauge(found, "ttl", segment) == 0
    users = {dict(labels)["sql_user"]: v for (n, labels), v in found.items()
             if n == "security_certificate_expiration_client"}
    assert users == {u: openssl_end(certs / f"client.{u}.crt")
                     for u in ("root", "testuser", "testuser2")}
    assert gauge(found, "expiration", "client_tenant", ("tenant_id", "10")) == \
        openssl_end(certs / "client-tenant.10.crt")


def test_expired_keeps_its_not_after_and_ttl_counts_whole_seconds_down_to_zero(
        tmp_path: Path, ca: pycert.CA) -> None:
    certs = good_dir(tmp_path / "certs", ca)
    end = openssl_end(certs / "node.crt")
    for now, ttl in ((end + DAY, 0), (end, 0), (end - 100.5, 100), (end - 0.25, 0),
                     (end - 86400, 86400)):
        when = dt.datetime.fromtimestamp(now, dt.timezone.utc)
        found = values(pycert.CertsDir(certs).metric_families(now=when), str(certs))
        assert gauge(found, "expiration", "node") == end  # expired or not: its NotAfter
        assert gauge(found, "ttl", "node") == ttl, now - end


def _break(certs: Path, what: str) -> str:
    """Breaks one file as a node's loader would refuse it; returns the gauge that reads 0."""
    if what == "key-permissions":
        (certs / "node.key").chmod(0o644)
    elif what == "key-missing":
        (certs / "node.key").unlink()
    elif what == "malformed":
        (certs / "node.crt").write_text("-----BEGIN CERTIFICATE-----\nnot der\n"
                                        "-----END CERTIFICATE-----\n")
    elif what == "second-block-garbage":  # every block must parse, not only the first
        (certs / "ca.crt").write_bytes((certs / "ca.crt").read_bytes() + (
            b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"))
        return "ca"
    elif what == "fifo":  # unreadable whoever runs the test, root included
        (certs / "node.crt").unlink()
        os.mkfifo(certs / "node.crt")
    elif what == "dangling-link":
        (certs / "node.crt").unlink()
        (certs / "node.crt").symlink_to("nowhere.crt")
    elif what == "empty":
        (certs / "node.crt").write_bytes(b"")
    return "node"


@pytest.mark.parametrize("what", ["key-permissions", "key-missing", "malformed",
                                  "second-block-garbage", "fifo", "dangling-link", "empty"])
def test_a_file_in_error_reads_zero_and_counts_as_a_problem(tmp_path: Path, ca: pycert.CA,
                                                           what: str) -> None:
    certs = good_dir(tmp_path / "certs", ca, "root")
    broken = _break(certs, what)
    found = values(pycert.CertsDir(certs).metric_families(now=NOW), str(certs))
    assert gauge(found, "expiration", broken) == gauge(found, "ttl", broken) == 0
    assert gauge(found, "expiration", "client", ("sql_user", "root")) > NOW_S  # the rest reads
    fails = {dict(labels)["rule"]: v for (n, labels), v in found.items()
             if n == "pycert_check_problems" and ("severity", "fail") in labels}
    assert fails and all(v >= 1 for v in fails.values())
    assert found[("pycert_check_exit_code", ())] == 2


def test_a_client_file_in_error_keeps_its_sql_user_series_at_zero(tmp_path: Path,
                                                                 ca: pycert.CA) -> None:
    certs = good_dir(tmp_path / "certs", ca, "alice", "bob")
    (certs / "client.bob.key").unlink()
    found = values(pycert.CertsDir(certs).metric_families(now=NOW), str(certs))
    assert gauge(found, "expiration", "client", ("sql_user", "bob")) == 0
    assert gauge(found, "ttl", "client", ("sql_user", "bob")) == 0
    assert gauge(found, "expiration", "client", ("sql_user", "alice")) > NOW_S


def test_client_node_is_the_node_client_gauge_and_a_sql_user(tmp_path: Path,
                                                            ca: pycert.CA) -> None:
    certs = good_dir(tmp_path / "certs", ca, "node")
    found = values(pycert.CertsDir(certs).metric_families(now=NOW), str(certs))
    end = openssl_end(certs / "client.node.crt")
    assert gauge(found, "expiration", "node_client") == end
    assert gauge(found, "expiration", "client", ("sql_user", "node")) == end


def test_pycert_families_dates_problems_exit_code_and_time(tmp_path: Path, ca: pycert.CA) -> None:
    certs = good_dir(tmp_path / "certs", ca, "root")
    (certs / "client.root.key").chmod(0o644)
    found = values(pycert.CertsDir(certs).metric_families(now=NOW, warn_within="100y"),
                   str(certs))
    node = next(labels for (n, labels) in found
                if n == "pycert_certificate_not_after_timestamp_seconds"
                and ("file", "node.crt") in labels)
    serial = subprocess.run([need_tool("openssl", "openssl"), "x509", "-noout", "-serial", "-in",
                             str(certs / "node.crt")], capture_output=True, text=True,
                            check=True).stdout.strip().split("=")[1]
    assert dict(node) == {"file": "node.crt", "index": "0", "kind": "node", "name": "",
                          "serial": format(int(serial, 16), "x")}
    assert found[("pycert_certificate_not_after_timestamp_seconds", node)] == \
        openssl_end(certs / "node.crt")
    assert found[("pycert_certificate_not_before_timestamp_seconds", node)] < NOW_S
    problems = {(dict(labels)["rule"], dict(labels)["severity"]): v
                for (n, labels), v in found.items() if n == "pycert_check_problems"}
    assert problems == {("key-permissions", "fail"): 1, ("expires-soon", "warn"): 3}
    assert found[("pycert_check_exit_code", ())] == 2
    assert found[("pycert_metrics_generated_timestamp_seconds", ())] == NOW_S + 0.25


def test_a_missing_dir_is_unchecked_its_gauges_zero_exit_code_three(tmp_path: Path) -> None:
    observed = pycert.CertsDir(tmp_path / "nowhere").observe(now=NOW)
    assert observed.exit_code == 3 and "does not exist" in observed.error
    found = values(families([observed]), str(tmp_path / "nowhere"))
    assert {k: v for k, v in found.items() if k[0].startswith("security_")} == {
        (f"security_certificate_{what}_{s}", ()): 0 for what in ("expiration", "ttl")
        for s in SINGULAR}
    assert found[("pycert_check_exit_code", ())] == 3


def test_a_certs_dir_given_twice_is_refused_not_repeated(tmp_path: Path) -> None:
    observed = pycert.CertsDir(tmp_path).observe(now=NOW)
    with pytest.raises(ValueError, match="given twice"):
        families([observed, observed])


def test_every_family_has_a_unique_valid_name_help_and_label_names(tmp_path: Path,
                                                                   ca: pycert.CA) -> None:
    certs = good_dir(tmp_path / "certs", ca, "root")
    fams = families([pycert.CertsDir(certs).observe(warn_within="100y"),
                     pycert.CertsDir(tmp_path / "gone").observe()])
    names = [f.name for f in fams]
    assert len(names) == len(set(names)) == 2 * len(GAUGES) + len(PYCERT_FAMILIES)
    assert all(re.fullmatch(r"(security_certificate|pycert)_[a-z_]+", n) for n in names)
    assert all(f.help and f.type == "gauge" for f in fams)
    label_names = {k for f in fams for labels, _ in f.samples for k, _ in labels}
    assert label_names == {"certs_dir", "sql_user", "file", "index", "kind", "name", "serial",
                           "rule", "severity"}
    assert all(labels[0][0] == "certs_dir" for f in fams for labels, _ in f.samples)


# --- the text format --------------------------------------------------------------------

ODD = ["a\"b\nc", "back\\slash", "\\n", '"', "\n", "ünïcødé ✓", "tab\there", "\udcff\udcfe",
       "", "}", "{x=\"y\"}", " ", "#"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(), st.sampled_from(ODD)), min_size=1, max_size=4))
def test_any_label_value_reads_back_as_written(texts: list[str]) -> None:
    family = Family("pycert_test_seconds", "help with \\ and \n newline",
                    [((("certs_dir", "d"), ("file", t), ("n", str(i))), i)
                     for i, t in enumerate(texts)])
    text = exposition([family])
    back = {s.labels["n"]: s.labels["file"] for f in text_string_to_metric_families(text)
            for s in f.samples}
    assert back == {str(i): t.encode("utf-8", "surrogateescape")
                    .decode("utf-8", "backslashreplace") for i, t in enumerate(texts)}


def test_odd_label_values_and_help_pass_promtool() -> None:
    family = Family("pycert_test_seconds", "help with \\ and \n newline and \"quotes\"",
                    [((("certs_dir", t), ("n", str(i))), i) for i, t in enumerate(ODD)])
    promtool_check(exposition([family]).encode("utf-8"))


def test_numbers_as_the_format_spells_them() -> None:
    assert [number(v) for v in (0, 1893456000, -5, 1.5, 1e16, float("nan"), float("inf"),
                                float("-inf"))] == \
        ["0", "1893456000", "-5", "1.5", "1e+16", "NaN", "+Inf", "-Inf"]


# --- the command ------------------------------------------------------------------------

def _odd_names(root: Path, ca: pycert.CA) -> Path:
    """Client files whose names hold a quote and a newline, a backslash, and a byte that
    is not UTF-8: cockroach's loader accepts any name after `client.`."""
    certs = good_dir(root / "odd", ca, "root")
    pair = ((certs / "client.root.crt").read_bytes(), (certs / "client.root.key").read_bytes())
    for user in (b'a"b\nc', b"back\\slash", b"\xff"):
        for ext, data in zip((b".crt", b".key"), pair):
            path = os.path.join(os.fsencode(certs), b"client." + user + ext)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, data)
            os.close(fd)
    return certs


def make_dirs(case: str, root: Path, ca: pycert.CA) -> list[str]:
    """The --certs-dir values of one test case."""
    if case == "good":
        return [str(good_dir(root / "good", ca, "root", "alice"))]
    if case == "cockroach-made":
        return [str(shutil.copytree(FIXTURES, root / "crdb"))]
    if case == "odd-names":
        return [str(_odd_names(root, ca))]
    if case == "broken-files":
        certs = good_dir(root / "broken", ca, "root")
        _break(certs, "malformed")
        (certs / "client.root.key").unlink()
        return [str(certs)]
    if case == "empty":
        (root / "empty").mkdir()
        return [str(root / "empty")]
    if case == "a-file-not-a-dir":
        (root / "file").write_text("x")
        return [str(root / "file")]
    if case == "several":  # one of them missing, one named twice
        return [str(good_dir(root / "one", ca, "root")), str(root / "none"),
                str(good_dir(root / "two", ca, "bob")), str(root / "one")]
    return [str(root / "missing")]


CASES = ("good", "cockroach-made", "odd-names", "broken-files", "empty", "a-file-not-a-dir",
         "several", "missing")


@pytest.mark.parametrize("case", CASES)
def test_promtool_finds_no_error_and_no_lint_in_any_dir(tmp_path: Path, ca: pycert.CA,
                                                       case: str) -> None:
    dirs = make_dirs(case, tmp_path, ca)
    res = metrics_cli(*[f"--certs-dir={d}" for d in dirs])
    assert b"Traceback" not in res.stderr
    assert res.returncode == (0 if all(os.path.isdir(d) for d in dirs) else 3), \
        res.stderr.decode()
    promtool_check(res.stdout)
    series = parsed(res.stdout)
    for d in dict.fromkeys(dirs):  # each dir once, though "several" names one twice
        at = frozenset({("certs_dir", d)})
        assert series[("security_certificate_expiration_ca", at)] >= 0
        code = series[("pycert_check_exit_code", at)]
        assert code == 3 if not os.path.isdir(d) else code in (0, 1, 2)


def test_a_quote_a_newline_a_backslash_and_a_non_utf8_byte_in_file_names(
        tmp_path: Path, ca: pycert.CA) -> None:
    certs = _odd_names(tmp_path, ca)
    res = metrics_cli(f"--certs-dir={certs}")
    assert res.returncode == 0, res.stderr.decode()
    assert b'sql_user="a\\"b\\nc"' in res.stdout and b'sql_user="back\\\\slash"' in res.stdout
    users = {dict(labels)["sql_user"] for (name, labels) in parsed(res.stdout)
             if name == "security_certificate_expiration_client"}
    assert users == {"root", 'a"b\nc', "back\\slash", "\\xff"}


def test_missing_dir_is_said_on_stderr_and_in_its_series_exit_3(tmp_path: Path,
                                                                ca: pycert.CA) -> None:
    good = good_dir(tmp_path / "good", ca)
    res = metrics_cli("--certs-dir=nowhere", f"--certs-dir={good}", cwd=tmp_path)
    assert res.returncode == 3
    err = res.stderr.decode()
    assert "certs directory nowhere does not exist or is not a directory" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    series = parsed(res.stdout)
    assert series[("pycert_check_exit_code", frozenset({("certs_dir", "nowhere")}))] == 3
    assert series[("security_certificate_expiration_node",
                   frozenset({("certs_dir", str(good))}))] > time.time()


def test_certs_dir_from_the_environment_and_each_dir_once(tmp_path: Path, ca: pycert.CA) -> None:
    good = good_dir(tmp_path / "certs", ca)
    res = metrics_cli(env={"COCKROACH_CERTS_DIR": str(good)})
    assert res.returncode == 0, res.stderr.decode()
    assert (("pycert_check_exit_code", frozenset({("certs_dir", str(good))})) in
            parsed(res.stdout))
    twice = metrics_cli(f"--certs-dir={good}", f"--certs-dir={good}")
    assert twice.stdout.count(b"pycert_check_exit_code{") == 1


def test_check_flags_change_the_verdicts(tmp_path: Path, ca: pycert.CA) -> None:
    good = good_dir(tmp_path / "certs", ca)
    res = metrics_cli(f"--certs-dir={good}", "--host=db.example.com", "--warn-within=20y",
                      "--fail-within=1d", "--cert-principal-map=foo:node")
    series = parsed(res.stdout)
    at = frozenset({("certs_dir", str(good))})
    assert series[("pycert_check_problems", at | {("rule", "host-not-covered"),
                                                  ("severity", "fail")})] == 1
    assert series[("pycert_check_problems", at | {("rule", "expires-soon"),
                                                  ("severity", "warn")})] == 2


@pytest.mark.parametrize(("args", "code", "message"), [
    (("extra",), 1, 'unknown command "extra" for "pycert metrics"'),
    (("--warn-within=soon",), 4, 'invalid argument "soon" for "--warn-within" flag'),
    (("--cert-principal-map=nocolon",), 1, "invalid <cert-principal>:<db-principal> mapping"),
    (("--bogus",), 4, "unknown flag: --bogus"),
])
def test_bad_flags_fail_clearly_and_write_nothing(tmp_path: Path, args: tuple[str, ...],
                                                  code: int, message: str) -> None:
    res = metrics_cli("--certs-dir=certs", "--output=out.prom", *args, cwd=tmp_path)
    assert res.returncode == code and message in res.stderr.decode(), res.stderr.decode()
    assert b"Traceback" not in res.stderr and list(tmp_path.iterdir()) == []


def test_output_is_0644_whatever_the_umask_and_the_same_series_as_stdout(
        tmp_path: Path, ca: pycert.CA) -> None:
    good = good_dir(tmp_path / "certs", ca, "root")
    (tmp_path / "tf").mkdir()
    out = tmp_path / "tf" / "pycert.prom"
    for _ in range(2):  # made, then replaced
        res = metrics_cli(f"--certs-dir={good}", f"--output={out}", umask=0o077)
        assert res.returncode == 0 and res.stdout == b"", res.stderr.decode()
        assert out.stat().st_mode & 0o7777 == 0o644
        assert os.listdir(tmp_path / "tf") == ["pycert.prom"]  # no temp file left behind
    stdout = metrics_cli(f"--certs-dir={good}").stdout
    promtool_check(out.read_bytes())
    assert parsed(out.read_bytes()).keys() == parsed(stdout).keys()


def test_output_into_a_missing_dir_a_read_only_dir_or_onto_a_dir_fails_clearly(
        tmp_path: Path, ca: pycert.CA) -> None:
    good = good_dir(tmp_path / "certs", ca)
    res = metrics_cli(f"--certs-dir={good}", f"--output={tmp_path}/no/such/x.prom")
    assert res.returncode == 1
    assert res.stderr.decode() == (f"ERROR: could not write metrics file {tmp_path}/no/such/"
                                   f"x.prom: open {tmp_path}/no/such/x.prom: no such file or "
                                   "directory\nHINT: create the directory first: mkdir -p "
                                   f"{tmp_path}/no/such\nFailed running \"cert metrics\"\n")
    assert not (tmp_path / "no").exists()
    (tmp_path / "tf").mkdir()
    res = metrics_cli(f"--certs-dir={good}", f"--output={tmp_path}/tf")
    assert res.returncode == 1 and ": is a directory" in res.stderr.decode()
    out = tmp_path / "tf" / "pycert.prom"
    out.write_bytes(b"# old\n")
    with read_only(tmp_path / "tf"):
        res = metrics_cli(f"--certs-dir={good}", f"--output={out}")
    reason = "read-only file system" if os.geteuid() == 0 else "permission denied"
    assert res.returncode == 1 and reason in res.stderr.decode(), res.stderr.decode()
    assert out.read_bytes() == b"# old\n" and os.listdir(tmp_path / "tf") == ["pycert.prom"]


def test_killed_mid_write_leaves_the_old_file_or_the_new_never_a_part(
        tmp_path: Path, ca: pycert.CA) -> None:
    """SIGKILL at random moments, and the instant a temp file appears (inside the write):
    the file node_exporter reads is always whole, and no other `.prom` name ever appears
    (a temp file's name never ends so)."""
    certs = good_dir(tmp_path / "certs", ca)
    issued = ca.issue_client("u0", key_type="ecdsa")
    for i in range(300):  # a file of ~130 KB
        (certs / f"client.u{i}.crt").write_bytes(issued.cert_pem)
        (certs / f"client.u{i}.key").write_bytes(issued.key_pem)
        (certs / f"client.u{i}.key").chmod(0o600)
    tf = tmp_path / "tf"
    tf.mkdir()
    out = tf / "pycert.prom"
    argv = [sys.executable, "-m", "pycert", "metrics", f"--certs-dir={certs}",
            f"--output={out}"]
    started = time.monotonic()
    assert subprocess.run(argv, capture_output=True).returncode == 0
    span = time.monotonic() - started
    whole = out.read_bytes()
    last = whole.rstrip(b"\n").rsplit(b"\n", 1)[1].split(b" ")[0]  # the last series' name
    rng = random.Random(21)
    caught = 0  # kills that landed while pycert's temp file existed
    for i in range(8):
        before, left = out.read_bytes(), set(os.listdir(tf))  # temp files of killed runs
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 2:
            time.sleep(rng.uniform(0.3, 1.0) * span)
        else:
            while proc.poll() is None and not any(
                    TEMP_MARK in n and n not in left for n in os.listdir(tf)):
                pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        names = os.listdir(tf)
        caught += any(TEMP_MARK in n and n not in left for n in names)
        data = out.read_bytes()
        assert data == before or (data.endswith(b"\n") and last in data.rsplit(b"\n", 2)[1])
        assert [n for n in names if n.endswith(".prom")] == ["pycert.prom"]
    assert caught >= 1  # at least one kill landed inside the write
    promtool_check(out.read_bytes())
    assert subprocess.run(argv, capture_output=True).returncode == 0
    assert os.listdir(tf) == ["pycert.prom"]  # the next run cleans what a killed one left
