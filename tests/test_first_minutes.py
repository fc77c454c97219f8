"""What a new operator or Python developer met in their first five minutes, one test per
finding of issue 20: the README tour, the package name, negative lifetimes, host names that
cannot be right, errors without a fix, help that names wrong values, trustme's verbs, and
the small things."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import re
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
from cryptography import x509

import pycert
from conftest import command_contexts
from conftest import pycert as run

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent
FAST = "--key-size=1024"


def _tour() -> list[str]:
    """The tour's command lines, as a reader pastes them (the install line aside)."""
    block = README.split("## A 60-second tour", 1)[1].split("\n\n", 3)[2]
    lines = [line.strip().split("  #")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith(("pipx ", "pip "))]


def test_the_readme_tour_runs_as_written_in_a_new_folder(tmp_path: Path) -> None:
    lines = _tour()
    assert lines[:3] == ["mkdir tour && cd tour", "mkdir -p safe",
                         "pycert create-ca --certs-dir=certs --ca-key=safe/ca.key"]
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    env = {k: v for k, v in env.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(lines)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "Client\tclient.root.crt\tclient.root.key" in proc.stdout


def test_a_missing_key_directory_keeps_cockroachs_refusal_with_the_fix(tmp_path: Path) -> None:
    res = run("create-ca", "--certs-dir=certs", "--ca-key=safe/ca.key", cwd=tmp_path)
    assert res.code == 1
    assert res.err.splitlines()[:2] == [
        "ERROR: failed to generate CA cert and key: could not write CA key to file "
        "safe/ca.key: open safe/ca.key: no such file or directory",
        "HINT: create the directory first: mkdir -p safe"]
    assert not (tmp_path / "certs").exists() and not (tmp_path / "safe").exists()


def test_the_distribution_is_not_someone_elses_pycert() -> None:
    dist = importlib.metadata.distribution("pycert-cockroachdb")
    scripts = [e for e in dist.entry_points if e.group == "console_scripts"]
    assert [(e.name, e.value) for e in scripts] == [("pycert", "pycert.cli:main")]
    assert 'name = "pycert-cockroachdb"' in (ROOT / "pyproject.toml").read_text()
    api = (ROOT / "docs" / "api.md").read_text()
    assert "pip install pycert-cockroachdb" in api and "pip install pycert " not in api
    assert all(dep in api for dep in ("cryptography", "click", "tabulate", "PyYAML"))
    assert "pipx install" in README


# --- negative lifetimes -----------------------------------------------------------------

def test_a_negative_lifetime_writes_an_expired_certificate_with_a_warning(
        full_dir: Path) -> None:
    res = run("create-client", "late", "--lifetime=-1h", "--certs-dir=certs",
              "--ca-key=safe/ca.key", FAST, cwd=full_dir)
    assert res.code == 0, res.err
    assert "the certificate is already expired" in res.err
    assert len(res.err.strip().splitlines()) == 1 and res.err.startswith("W")
    cert = x509.load_pem_x509_certificate((full_dir / "certs/client.late.crt").read_bytes())
    assert cert.not_valid_after_utc < dt.datetime.now(dt.timezone.utc)


@pytest.mark.parametrize("args", [
    ("create-ca", "--ca-key=safe/other.key"), ("create-node", "h"), ("create-client", "x"),
    ("create-tenant-client", "7"), ("create-tenant-signing", "7"), ("renew", "node"),
    ("rotate-ca", "--ca-key=safe/new.key")])
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_lifetime_that_ends_before_it_begins_is_a_flag_error(
        full_dir: Path, args: tuple[str, ...], dry_run: bool) -> None:
    key = [] if any(a.startswith("--ca-key") for a in args) else ["--ca-key=safe/ca.key"]
    res = run(*args, "--lifetime=-30h", "--certs-dir=certs", *key,
              *(["--dry-run"] if dry_run else []), cwd=full_dir)
    assert res.code == 4, res.err
    assert 'for "--lifetime" flag: the certificate would end before it begins' in res.err
    assert "internal error" not in res.err


def test_the_api_refuses_such_a_lifetime_too() -> None:
    with pytest.raises(pycert.CertError, match="would end before it begins"):
        pycert.CA(key_type="ecdsa", lifetime=pycert.Lifetime.of("-30h"))


# --- host names that cannot be right ----------------------------------------------------

def test_host_names_that_cannot_be_right_are_issued_with_a_warning_each(full_dir: Path) -> None:
    bad = {"node1..example.com": "empty label", "https://node1": "is a URL",
           "10.0.0.0/8": "network range", "999.1.1.1": "is not an IP address",
           "node_1": "'_', which no host name has"}
    res = run("create-node", "localhost", *bad, "--overwrite", "--certs-dir=certs",
              "--ca-key=safe/ca.key", FAST, cwd=full_dir)
    assert res.code == 0, res.err
    warnings = res.err.strip().splitlines()
    assert len(warnings) == len(bad)
    for (host, problem), line in zip(bad.items(), warnings):
        assert f'host "{host}"' in line and problem in line, line
    cert = x509.load_pem_x509_certificate((full_dir / "certs/node.crt").read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost", *bad]  # as cockroach


@pytest.mark.parametrize("host", ["db1:26257", ""])
def test_hopeless_names_are_still_refused(full_dir: Path, host: str) -> None:
    res = run("create-node", host, "--overwrite", "--certs-dir=certs", "--ca-key=safe/ca.key",
              cwd=full_dir)
    assert res.code == 1 and "invalid host name" in res.err


# --- errors that say how to fix them ------------------------------------------------------

@pytest.mark.parametrize("args,hint", [
    (("create-node", "localhost"), "HINT: rerun with --overwrite to replace it, or renew the "
     "certificate from what it says: pycert renew node"),
    (("create-client", "root"), "pycert renew client root"),
    (("create-ca",), "HINT: --allow-ca-key-reuse signs a new CA certificate with it"),
    (("create-ca", "--allow-ca-key-reuse"), "HINT: --overwrite prepends the new CA "
     "certificate to the bundle"),
    (("create-node", "h", "--ca-key=safe/nope.key"), "HINT: --ca-key must name the key "
     "create-ca wrote"),
    (("create-node", "h", "--ca-key="), "HINT: give --ca-key=<path> (or set COCKROACH_CA_KEY)"),
    (("create-node",), "HINT: name every host name and IP address clients use"),
    (("create-client",), "HINT: give exactly one <username>"),
])
def test_errors_a_newcomer_meets_carry_the_fix(full_dir: Path, args: tuple[str, ...],
                                               hint: str) -> None:
    key = [] if any(a.startswith("--ca-key") for a in args) else ["--ca-key=safe/ca.key"]
    res = run(*args, "--certs-dir=certs", *key, FAST, cwd=full_dir)
    assert res.code == 1
    lines = res.err.splitlines()
    assert lines[0].startswith("ERROR: ") and lines[-1].startswith("Failed running")
    assert hint in res.err, res.err


def test_a_missing_ca_says_how_to_make_it(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    res = run("create-node", "h", "--certs-dir=certs", "--ca-key=safe/ca.key", cwd=tmp_path)
    assert res.code == 1
    assert "HINT: create the CA first: pycert create-ca --certs-dir=certs " \
        "--ca-key=safe/ca.key" in res.err


def test_a_missing_certs_dir_parent_says_how_to_make_it(tmp_path: Path) -> None:
    res = run("create-ca", "--certs-dir=a/b", "--ca-key=ca.key", cwd=tmp_path)
    assert res.code == 1 and "HINT: create its parent first: mkdir -p a" in res.err


# --- help that names the values a flag takes ----------------------------------------------

def _options() -> list[tuple[str, click.Option]]:
    from pycert.cli.flagtypes import Choice, ChoiceList

    return [(ctx.command_path, p) for ctx in command_contexts() for p in ctx.command.params
            if isinstance(p, click.Option) and isinstance(p.type, (Choice, ChoiceList))]


def test_every_enum_flag_lists_exactly_the_values_it_accepts() -> None:
    options = _options()
    assert {o.opts[0] for _, o in options} >= {"--key-type", "--lifetime-policy", "--format",
                                               "--pkcs8", "--profile", "--store"}
    for path, option in options:
        listed = re.findall(r"One of: ([^.]*)\.", option.help or "")
        assert listed == [", ".join(option.type.values)], (path, option.opts, option.help)


def test_a_listed_value_is_accepted_and_no_other(full_dir: Path) -> None:
    ok = run("create-client", "pol", "--lifetime-policy=clamp", "--certs-dir=certs",
             "--ca-key=safe/ca.key", FAST, cwd=full_dir)
    assert ok.code == 0, ok.err
    bad = run("create-client", "pol", "--lifetime-policy=fail", "--certs-dir=certs",
              "--ca-key=safe/ca.key", cwd=full_dir)
    assert bad.code == 4 and "possible values: error, clamp" in bad.err


# --- trustme's verbs --------------------------------------------------------------------

def _contexts(ca: pycert.CA, client_cert: pycert.Issued) -> tuple[ssl.SSLContext,
                                                                   ssl.SSLContext]:
    """A server presenting `ca`'s node certificate for localhost and asking for a client
    certificate, and a client trusting `ca` and presenting `client_cert`."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(server)
    ca.issue_node("localhost", key_type="ecdsa").configure_cert(server)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ca.configure_trust(client)
    client_cert.configure_cert(client)
    return server, client


def test_contexts_are_configured_in_memory(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    ca = pycert.CA(key_type="ecdsa")
    server, client = _contexts(ca, ca.issue_client("alice", key_type="ecdsa"))
    assert list(tmp_path.iterdir()) == []  # nothing was written anywhere we can see

    import socket

    a, b = socket.socketpair()
    tls_server = server.wrap_socket(a, server_side=True, do_handshake_on_connect=False)
    handshake = threading.Thread(target=tls_server.do_handshake)
    handshake.start()
    with client.wrap_socket(b, server_hostname="localhost") as tls:
        handshake.join()
        assert tls.getpeercert()["subjectAltName"] == (("DNS", "localhost"),)
        peer = tls_server.getpeercert()
        assert dict(x[0] for x in peer["subject"])["commonName"] == "alice"
    tls_server.close()


def test_another_cas_client_is_refused() -> None:
    import socket

    ca, stranger = pycert.CA(key_type="ecdsa"), pycert.CA(key_type="ecdsa")
    server, client = _contexts(ca, stranger.issue_client("mallory", key_type="ecdsa"))
    a, b = socket.socketpair()
    failures: list[BaseException] = []

    def serve() -> None:
        try:
            server.wrap_socket(a, server_side=True)
        except ssl.SSLError as exc:
            failures.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    with pytest.raises((ssl.SSLError, OSError)), \
            client.wrap_socket(b, server_hostname="localhost") as tls:
        tls.recv(1)
    thread.join()
    assert failures and "certificate" in str(failures[0]).lower()


# --- the small things -----------------------------------------------------------------------

def test_one_node_is_one_node_certificate(full_dir: Path) -> None:
    (full_dir / "nodes.csv").write_text("n1,localhost\n")
    res = run("create-nodes", "--from=nodes.csv", "--out-dir=out", "--certs-dir=certs",
              "--ca-key=safe/ca.key", FAST, cwd=full_dir)
    assert res.code == 0, res.err
    assert res.out == "issued 1 node certificate into out/{n1}\n"


def test_the_docs_say_what_their_examples_need() -> None:
    docs = ROOT / "docs"
    assert "--disable-username-validation" in (docs / "list.md").read_text()
    create_client = (docs / "create-client.md").read_text()
    assert create_client.index("create-client-ca --certs-dir=certs --ca-key=safe/ca-client.key") \
        < create_client.index("create-client node --certs-dir=certs")
    assert "91 days" not in (docs / "api.md").read_text()


def test_the_readme_says_how_long_the_tests_take_and_names_a_quick_subset() -> None:
    assert "about 15 minutes" in README and "./scripts/test.sh -m quick" in README
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m",
                           "quick", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    selected = int(re.search(r"(\d+)/\d+ tests collected", proc.stdout).group(1))  # type: ignore[union-attr]
    assert 200 < selected < 1000, proc.stdout[-300:]
