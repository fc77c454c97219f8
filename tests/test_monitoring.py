"""docs/monitoring: the shipped alert rules under promtool's checks and its unit tests, then
end to end: pycert writes node_exporter's textfile, a real node_exporter serves it, a real
Prometheus scrapes it with the shipped rules, and the expiring node's alert fires."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

import pycert
from conftest import need_tool
from pycert.certdir.metrics import families

MONITORING = Path(__file__).resolve().parent.parent / "docs" / "monitoring"
RULES = MONITORING / "pycert.rules.yml"
LISTENING = re.compile(rb'msg="Listening on" address=(\S+)')


def test_the_rules_pass_promtool_check_rules() -> None:
    proc = subprocess.run([need_tool("promtool", "prometheus"), "check", "rules", str(RULES)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "SUCCESS: 13 rules found" in proc.stdout, \
        proc.stdout + proc.stderr


def test_the_rules_pass_their_unit_tests() -> None:
    """pycert.rules_test.yml: a node cert 10 days from expiry fires, 400 days does not,
    each threshold just inside and just outside, problems, unreadable dirs, staleness."""
    proc = subprocess.run([need_tool("promtool", "prometheus"), "test", "rules",
                           "pycert.rules_test.yml"], cwd=MONITORING, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr
    assert "10 days from expiry fires, 400 days" in (MONITORING / "pycert.rules_test.yml"
                                                      ).read_text()


def test_the_rules_name_only_families_pycert_writes() -> None:
    used = set(re.findall(r"\b(?:security_certificate|pycert)_[a-z_]+", RULES.read_text()))
    assert used and used <= {f.name for f in families([])}


# --- end to end --------------------------------------------------------------------------

@contextlib.contextmanager
def serving(argv: list[str], log: Path, cwd: Path) -> Iterator[str]:
    """Starts a server on 127.0.0.1:0 and yields the address it logs; always stops it."""
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        deadline = time.monotonic() + 30
        while not (found := LISTENING.search(log.read_bytes())):
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.02)
        yield found.group(1).decode()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for f in text_string_to_metric_families(text) for s in f.samples}


@pytest.fixture(scope="module")
def textfile_exporter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two certs dirs (a node cert 10 days from expiry, with odd client file names; one of
    400 days), pycert's file in a textfile dir, and node_exporter serving only that."""
    exporter = need_tool("prometheus-node-exporter", "prometheus-node-exporter")
    root = tmp_path_factory.mktemp("e2e")
    ca = pycert.CA(key_type="ecdsa")
    dirs = {}
    for name, days in (("soon", "10d"), ("later", "400d")):
        certs = pycert.CertsDir(root / name)
        certs.write_ca(ca, root / f"{name}-ca.key")
        certs.write(ca.issue_node("localhost", key_type="ecdsa",
                                  lifetime=pycert.Lifetime.of(days)))
        certs.write(ca.issue_client("root", key_type="ecdsa"))
        dirs[name] = str(root / name)
    for ext in ("crt", "key"):  # a client file name with a quote and a newline
        data = (root / "soon" / f"client.root.{ext}").read_bytes()
        (root / "soon" / f'client.a"b\nc.{ext}').write_bytes(data)
    (root / "soon" / 'client.a"b\nc.key').chmod(0o600)
    (root / "tf").mkdir()
    out = root / "tf" / "pycert.prom"
    written = subprocess.run([sys.executable, "-m", "pycert", "metrics",
                              f"--certs-dir={dirs['soon']}", f"--certs-dir={dirs['later']}",
                              f"--output={out}"], capture_output=True, text=True, timeout=60)
    assert written.returncode == 0, written.stderr
    with serving([exporter, "--web.listen-address=127.0.0.1:0", "--collector.disable-defaults",
                  "--collector.textfile", f"--collector.textfile.directory={root / 'tf'}",
                  "--web.disable-exporter-metrics"], root / "node_exporter.log", root) as addr:
        yield {"address": addr, "root": root, "dirs": dirs, "file": out}


def test_node_exporter_serves_every_series_pycert_wrote(textfile_exporter: dict[str, Any]) -> None:
    scraped = samples(get(f"http://{textfile_exporter['address']}/metrics").decode())
    written = samples(textfile_exporter["file"].read_text())
    assert written and {k: scraped.get(k) for k in written} == written
    assert scraped[("node_textfile_scrape_error", frozenset())] == 0
    assert ("node_textfile_mtime_seconds",
            frozenset({("file", str(textfile_exporter["file"]))})) in scraped
    soon = textfile_exporter["dirs"]["soon"]
    assert ("security_certificate_expiration_client",
            frozenset({("certs_dir", soon), ("sql_user", 'a"b\nc')})) in scraped


def test_prometheus_fires_the_expiring_node_alert_from_the_shipped_rules(
        textfile_exporter: dict[str, Any]) -> None:
    prometheus = need_tool("prometheus", "prometheus")
    root: Path = textfile_exporter["root"]
    config = root / "prometheus.yml"
    config.write_text(json.dumps({  # JSON is YAML
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{"job_name": "node", "static_configs": [
            {"targets": [textfile_exporter["address"]]}]}],
    }))
    with serving([prometheus, f"--config.file={config}", f"--storage.tsdb.path={root / 'tsdb'}",
                  "--web.listen-address=127.0.0.1:0"], root / "prometheus.log", root) as addr:
        deadline, firing = time.monotonic() + 60, []
        while not firing:
            assert time.monotonic() < deadline, get(f"http://{addr}/api/v1/alerts").decode()
            time.sleep(0.25)
            alerts = json.loads(get(f"http://{addr}/api/v1/alerts"))["data"]["alerts"]
            node = [a for a in alerts if a["labels"]["alertname"] == "NodeCertificateExpiresSoon"]
            firing = [a for a in node if a["state"] == "firing"]
    soon, later = textfile_exporter["dirs"]["soon"], textfile_exporter["dirs"]["later"]
    assert [a["labels"] for a in node] == [{
        "alertname": "NodeCertificateExpiresSoon", "certs_dir": soon, "frequency": "daily",
        "instance": textfile_exporter["address"], "job": "node"}]
    assert firing[0]["annotations"]["summary"] == (
        f"Node certificate in {soon} on {textfile_exporter['address']} expires in less than "
        "six months")
    assert later not in json.dumps(alerts)  # 400 days: nothing fires for it
