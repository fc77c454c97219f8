"""The rest of cockroach's cert surface through the real CLI: client CA, command paths,
tenant scope flags, list classification, env vars and help output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from conftest import pycert, snapshot

KEY = "--ca-key=safe/ca.key"
CERT_COMMANDS = ["create-ca", "create-client-ca", "create-tenant-client-ca", "create-node",
                 "create-client", "create-tenant-client", "create-tenant-signing", "list"]
SHORTS = ["create CA certificate and key", "create client CA certificate and key",
          "create tenant client CA certificate and key", "create node certificate and key",
          "create client certificate and key", "create tenant client certificate and key",
          "create tenant signing certificate and key", "list certs in --certs-dir"]


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def ok(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    res = pycert(*args, cwd=cwd, env=env)
    assert res.code == 0, res.err
    return res.out


def rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()[2:]]


def console_script() -> Path:
    path = Path(sys.executable).parent / "pycert"
    assert path.exists(), "pycert console script missing: pip install -e ."
    return path


# --- create-client-ca -----------------------------------------------------------------

def test_client_ca_signs_client_certs_and_is_listed(ca_dir: Path) -> None:
    ok("create-client-ca", "--certs-dir=certs", "--ca-key=safe/client.key", cwd=ca_dir)
    ok("create-client", "alice", "--certs-dir=certs", "--ca-key=safe/client.key", cwd=ca_dir)
    ok("create-node", "localhost", "--certs-dir=certs", KEY, cwd=ca_dir)  # node: still ca.crt
    certs = ca_dir / "certs"
    alice, client_ca, ca = (cert(certs / n)
                            for n in ("client.alice.crt", "ca-client.crt", "ca.crt"))
    alice.verify_directly_issued_by(client_ca)
    cert(certs / "node.crt").verify_directly_issued_by(ca)
    table = rows(ok("list", "--certs-dir=certs", cwd=ca_dir))
    assert [r[:2] for r in table] == [["CA", "ca.crt"], ["Client CA", "ca-client.crt"],
                                      ["Node", "node.crt"], ["Client", "client.alice.crt"]]
    assert table[1][4] == "num certs: 1"
    # The main CA key no longer fits: create-client looks only at ca-client.crt now.
    res = pycert("create-client", "bob", "--certs-dir=certs", KEY, cwd=ca_dir)
    assert res.code == 1 and "ca-client.crt and key safe/ca.key" in res.err


def test_client_ca_rotation_prepends(ca_dir: Path) -> None:
    args = ["create-client-ca", "--certs-dir=certs", "--ca-key=safe/client.key"]
    ok(*args, cwd=ca_dir)
    first = (ca_dir / "certs/ca-client.crt").read_bytes()
    res = pycert(*args, cwd=ca_dir)
    assert res.code == 1 and res.err.splitlines()[0] == (
        "ERROR: failed to generate client CA cert and key: CA key safe/client.key exists, "
        "but key reuse is disabled")
    ok(*args, "--allow-ca-key-reuse", "--overwrite", cwd=ca_dir)
    data = (ca_dir / "certs/ca-client.crt").read_bytes()
    assert data.endswith(first) and data.count(b"BEGIN CERTIFICATE") == 2
    assert rows(ok("list", "--certs-dir=certs", cwd=ca_dir))[1][4] == "num certs: 2"


# --- command paths --------------------------------------------------------------------

@pytest.mark.parametrize("prefix", [[], ["cert"]])
def test_every_subcommand_is_reachable_directly_and_under_cert(prefix: list[str],
                                                               tmp_path: Path) -> None:
    for name in CERT_COMMANDS:
        res = pycert(*prefix, name, "--help")
        assert res.code == 0 and name in res.out.splitlines()[0], res.err


def test_cockroach_symlink_runs_cockroach_lines_unchanged(tmp_path: Path) -> None:
    link = tmp_path / "cockroach"
    link.symlink_to(console_script())
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    for line in ("./cockroach cert create-ca --certs-dir=certs --ca-key=certs/ca.key",
                 "./cockroach cert create-node localhost 127.0.0.1 --certs-dir=certs "
                 "--ca-key=certs/ca.key"):
        proc = subprocess.run(line.split(), cwd=tmp_path, env=env, capture_output=True)
        assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(["./cockroach", "cert", "create-node", "--certs-dir=certs",
                           "--ca-key=certs/ca.key"], cwd=tmp_path, capture_output=True, env=env)
    assert proc.returncode == 1
    assert proc.stderr.decode().endswith('Failed running "cert create-node"\n')
    proc = subprocess.run(["./cockroach", "cert", "create-node", "-h"], cwd=tmp_path,
                          capture_output=True, env=env)
    assert proc.stdout.decode().startswith("Usage: cockroach cert create-node")


@pytest.mark.parametrize("args,shown", [([], ""), (["foo", "bar"], "foo bar"),
                                        (["create-nod"], "create-nod")])
def test_cert_without_known_subcommand_prints_usage_and_fails(args: list[str], shown: str,
                                                              tmp_path: Path) -> None:
    res = pycert("cert", *args, cwd=tmp_path)
    assert res.code == 1
    assert res.err.startswith("Usage: pycert cert")
    assert res.err.endswith(f'ERROR: unknown sub-command: "{shown}"\nFailed running "cert"\n')
    assert res.out == ""


def test_bare_mt_prints_help_and_succeeds() -> None:
    """Bare `pycert` stands for `cockroach cert` and fails like it (tests/test_drop_in_gaps.py)."""
    res = pycert("mt")
    assert res.code == 0 and res.out.startswith("Usage:"), res.err


# --- tenant scope flags ---------------------------------------------------------------

def uris(path: Path) -> list[str]:
    san = cert(path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(v.value) for v in san]


def test_tenant_scopes_become_uri_sans_ids_first(ca_dir: Path) -> None:
    ok("create-client", "Bob", "--tenant-name-scope=app,b-2", "--tenant-scope=2,1,2",
       "--certs-dir=certs", KEY, cwd=ca_dir)
    assert uris(ca_dir / "certs/client.bob.crt") == [
        "crdb://tenant/2/user/bob", "crdb://tenant/1/user/bob", "crdb://tenant/2/user/bob",
        "crdb://tenant-name/app/user/bob", "crdb://tenant-name/b-2/user/bob"]


def test_repeated_tenant_scope_flags_replace_the_list(ca_dir: Path) -> None:
    ok("create-client", "u", "--tenant-scope", "1,10", "--tenant-scope=20",
       "--tenant-name-scope=a", "--tenant-name-scope=b", "--certs-dir=certs", KEY, cwd=ca_dir)
    assert uris(ca_dir / "certs/client.u.crt") == ["crdb://tenant/20/user/u",
                                                   "crdb://tenant-name/b/user/u"]


@pytest.mark.parametrize("flag,message", [
    ("--tenant-scope=1,x", 'invalid argument "1,x" for "--tenant-scope" flag: invalid tenant ID '
     'x, tenant ID should be an unsigned int greater than 0: strconv.ParseUint: parsing "x": '
     "invalid syntax"),
    ("--tenant-scope=1,,2", 'invalid argument "1,,2" for "--tenant-scope" flag: invalid tenant '
     'ID , tenant ID should be an unsigned int greater than 0: strconv.ParseUint: parsing "": '
     "invalid syntax"),
    ("--tenant-scope=0", 'invalid argument "0" for "--tenant-scope" flag: invalid tenant ID 0, '
     "tenant ID should be an unsigned int greater than 0: tenant ID 0 is the reserved zero "
     "tenant"),
    ("--tenant-name-scope=Bad", 'invalid argument "Bad" for "--tenant-name-scope" flag: '
     'invalid tenant name: "Bad"'),
    ("--tenant-name-scope=a,-b", 'invalid argument "a,-b" for "--tenant-name-scope" flag: '
     'invalid tenant name: "-b"'),
])
def test_bad_tenant_scopes_are_flag_errors(ca_dir: Path, flag: str, message: str) -> None:
    before = snapshot(ca_dir)
    # A bad value is refused even when a later occurrence would replace it (pflag parses each).
    for args in ([flag], [flag, "--tenant-scope=5"]):
        res = pycert("create-client", "u", *args, "--certs-dir=certs", KEY, cwd=ca_dir)
        assert res.code == 4
        assert res.err.startswith("Usage: pycert create-client")
        assert res.err.endswith(f'\nERROR: {message}\nFailed running "cert create-client"\n')
        assert "Traceback" not in res.err
    assert snapshot(ca_dir) == before


def test_tenant_scope_flags_exist_only_on_create_client(ca_dir: Path) -> None:
    res = pycert("create-node", "h", "--tenant-scope=1", "--certs-dir=certs", KEY, cwd=ca_dir)
    assert res.code == 4 and "ERROR: unknown flag: --tenant-scope" in res.err


# --- list classification --------------------------------------------------------------

def test_list_recognises_ui_kinds_and_hides_tenant_files(full_dir: Path) -> None:
    certs = full_dir / "certs"
    ok("create-tenant-client", "10", "--certs-dir=certs", KEY, cwd=full_dir)
    ok("create-tenant-signing", "10", "--certs-dir=certs", cwd=full_dir)
    ok("create-tenant-client-ca", "--certs-dir=certs", "--ca-key=safe/t.key", cwd=full_dir)
    shutil.copy(certs / "ca.crt", certs / "ca-ui.crt")
    shutil.copy(certs / "node.crt", certs / "ui.crt")
    shutil.copy(certs / "node.key", certs / "ui.key")
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0 and res.err == ""
    assert [r[:3] for r in rows(res.out)] == [
        ["CA", "ca.crt", ""], ["UI CA", "ca-ui.crt", ""], ["Node", "node.crt", "node.key"],
        ["UI", "ui.crt", "ui.key"], ["Client", "client.root.crt", "client.root.key"]]
    assert rows(res.out)[3][4] == "addresses: localhost,127.0.0.1,::1"


BAD_NAMES = {
    "ca.client.crt": "CA certificate filename should match ca.crt",
    "ca-client.x.crt": "client CA certificate filename should match ca-client.crt",
    "ca-client-tenant.x.crt": "tenant CA certificate filename should match ca-client-tenant.crt",
    "ca-ui.x.crt": "UI CA certificate filename should match ca-ui.crt",
    "node.foo.crt": "node certificate filename should match node.crt",
    "ui.x.crt": "UI certificate filename should match ui.crt",
    "client.crt": "client certificate filename should match client.<user>.crt",
    "client-tenant.crt": "tenant certificate filename should match client-tenant.<tenantid>.crt",
    "tenant-signing..crt":
        "tenant signing certificate filename should match tenant-signing.<tenantid>.crt",
    "root.crt": 'unknown prefix "root"',
    ".crt": 'unknown prefix ""',
}


def test_bad_filenames_are_warned_about_on_stderr_and_skipped(full_dir: Path) -> None:
    certs = full_dir / "certs"
    for name in BAD_NAMES:
        shutil.copy(certs / "ca.crt", certs / name)
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0
    for name, reason in BAD_NAMES.items():
        assert f"bad filename certs/{name}: {reason}" in res.err
    assert len(rows(res.out)) == 3
    # Every create command loads the directory too, so it warns as well.
    res = pycert("create-client", "x", "--certs-dir=certs", KEY, cwd=full_dir)
    assert res.code == 0 and "bad filename certs/root.crt" in res.err


@pytest.mark.parametrize("name", ["client-tenant.abc.crt", "tenant-signing.-1.crt"])
def test_non_numeric_tenant_file_breaks_the_whole_load(full_dir: Path, name: str) -> None:
    certs = full_dir / "certs"
    shutil.copy(certs / "ca.crt", certs / name)
    bad = name.split(".")[1]
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 1
    assert res.err.endswith(f"\nERROR: cannot load certificates: invalid tenant id {bad}\n"
                            'Failed running "cert list"\n')
    before = snapshot(full_dir)
    res = pycert("create-client", "y", "--certs-dir=certs", KEY, cwd=full_dir)
    assert res.code == 1 and f"invalid tenant id {bad}" in res.err
    assert snapshot(full_dir) == before


def test_broken_node_cert_fails_validation_unless_client_node_exists(full_dir: Path) -> None:
    (full_dir / "certs/node.key").unlink()
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 1
    assert "\nERROR: cannot load certificates.\nCheck your certificate" in res.err
    assert ("cannot load certificates: validating node cert: could not stat key file "
            "certs/node.key: stat certs/node.key: no such file or directory\n") in res.err
    shutil.copy(full_dir / "certs/client.root.crt", full_dir / "certs/client.node.crt")
    shutil.copy(full_dir / "certs/client.root.key", full_dir / "certs/client.node.key")
    res = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0, res.err
    node = rows(res.out)[1]
    assert node[:3] == ["Node", "node.crt", ""]
    assert node[4] == "addresses: <unknown>" and node[5].startswith("could not stat key file")


# --- other flags and env vars ---------------------------------------------------------

@pytest.mark.parametrize("value", ["foo", "a:b,foo", ":x,nocolon"])
def test_bad_principal_map_is_refused(full_dir: Path, value: str) -> None:
    bad = [e for e in value.split(",") if ":" not in e][0]
    for cmd in (["list"], ["create-client", "z", KEY]):
        res = pycert(*cmd, f"--cert-principal-map={value}", "--certs-dir=certs", cwd=full_dir)
        assert res.code == 1
        assert res.err.splitlines()[0] == (
            f'ERROR: invalid <cert-principal>:<db-principal> mapping: "{bad}"')


def test_good_principal_map_and_dn_flags_are_accepted_without_effect(full_dir: Path) -> None:
    plain = ok("list", "--certs-dir=certs", cwd=full_dir)
    flagged = ok("list", "--certs-dir=certs", "--cert-principal-map=a:b,c.d:e:f",
                 "--cert-principal-map=x:y", "--root-cert-distinguished-name=CN=root,O=x",
                 "--node-cert-distinguished-name=CN=node", cwd=full_dir)
    assert plain == flagged
    ok("create-client", "dn", "--root-cert-distinguished-name=CN=x", "--certs-dir=certs", KEY,
       cwd=full_dir)
    assert cert(full_dir / "certs/client.dn.crt").subject.rfc4514_string() == "CN=dn,O=Cockroach"


def test_node_user_env_sets_the_node_cn(ca_dir: Path) -> None:
    ok("create-node", "h", "--certs-dir=certs", KEY, cwd=ca_dir,
       env={"COCKROACH_CERT_NODE_USER": "Foo.Bar"})
    assert cert(ca_dir / "certs/node.crt").subject.rfc4514_string() == "CN=foo.bar,O=Cockroach"


@pytest.mark.parametrize("value,skips", [("true", True), ("1", True), ("T", True),
                                         ("TRUE", True), ("false", False), ("0", False),
                                         ("yes", False), ("", False)])
def test_skip_key_permission_check_uses_go_booleans(full_dir: Path, value: str,
                                                    skips: bool) -> None:
    (full_dir / "certs/client.root.key").chmod(0o644)
    res = pycert("list", "--certs-dir=certs", cwd=full_dir,
                 env={"COCKROACH_SKIP_KEY_PERMISSION_CHECK": value})
    assert res.code == 0
    root = rows(res.out)[2]
    assert (root[2] == "client.root.key") is skips
    if not skips:
        limit = "-rwxr-----" if os.getuid() == 0 else "-rwx------"  # root-owned rule, §6
        assert root[5] == ("key file certs/client.root.key has permissions -rw-r--r--, "
                           f"exceeds {limit}")


# --- help -----------------------------------------------------------------------------

def listed_commands(help_text: str) -> list[tuple[str, str]]:
    lines = help_text.split("Commands:\n", 1)[1].splitlines()
    return [tuple(line.split(None, 1)) for line in lines if line.strip()]  # type: ignore[misc]


def test_cert_help_lists_commands_in_cockroach_order_with_its_descriptions() -> None:
    res = pycert("cert", "--help")
    assert res.code == 0
    assert listed_commands(res.out) == list(zip(CERT_COMMANDS, SHORTS))
    root = pycert("--help")
    assert root.code == 0
    assert listed_commands(root.out)[:8] == list(zip(CERT_COMMANDS, SHORTS))


def test_command_help_shows_defaults_and_env_vars() -> None:
    res = pycert("create-node", "--help", env={"HOME": "/home/u"})
    text = " ".join(res.out.split())
    assert res.out.startswith("Usage: pycert create-node --certs-dir=<path to cockroach certs")
    for needle in ("[default: /home/u/.cockroach-certs]",
                   "Environment variable: COCKROACH_CERTS_DIR",
                   "Environment variable: COCKROACH_CA_KEY", "[default: 2048]",
                   "[default: 43920h0m0s]", "--logtostderr", "--log-dir"):
        assert needle in text
    assert "[default: 87840h0m0s]" in " ".join(pycert("create-ca", "-h").out.split())
    assert "--no-color" not in text  # hidden flags stay hidden


def test_help_does_not_import_cryptography() -> None:
    code = ("import sys; from pycert import cli\n"
            "try:\n    cli.main(['cert', 'create-node', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('cryptography' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().endswith("False")
