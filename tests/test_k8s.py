"""`pycert k8s secret|configmap` against the real kubectl, byte for byte, and create-node's
--k8s SANs against the helm chart's self-signer list."""

from __future__ import annotations

import base64
import json
import re
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from cryptography import x509

import pycert
from conftest import IN_CI, need_tool, snapshot
from conftest import pycert as run
from pycert import kube

CERTS = "--certs-dir=certs"
KEY = "--ca-key=safe/ca.key"
FAST = "--key-type=ecdsa"  # the bytes go into the manifest as they are: any key will do
NEWEST_WITH_NULL_TIMESTAMP = 33  # kubectl >= 1.34 omits `creationTimestamp: null`


def _minor(path: str) -> int:
    out = subprocess.run([path, "version", "--client", "-o", "json"], capture_output=True,
                         text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    return int(re.match(r"\d+", json.loads(out.stdout)["clientVersion"]["minor"]).group())


@pytest.fixture(scope="module")
def kubectl() -> str:
    """kubectl 1.20-1.33, whose output pycert matches: the one on PATH, else a versioned
    sibling (the Google Cloud SDK ships kubectl.1.27 ... beside its dispatcher)."""
    found = shutil.which("kubectl")
    if found is None:
        if IN_CI:
            pytest.fail("kubectl is missing in CI: install the Debian package kubernetes-client")
        pytest.skip("kubectl not installed: apt-get install kubernetes-client")
    if _minor(found) <= NEWEST_WITH_NULL_TIMESTAMP:
        return found
    folder = Path(found).resolve().parent
    for minor in range(NEWEST_WITH_NULL_TIMESTAMP, 19, -1):
        sibling = folder / f"kubectl.1.{minor}"
        if sibling.exists():
            return str(sibling)
    message = (f"{found} is kubectl 1.{_minor(found)}, which omits `creationTimestamp: null`; "
               "pycert prints what kubectl 1.20-1.33 print: install one (Debian's "
               "kubernetes-client)")
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def oracle(kubectl: str, cwd: Path, what: str, name: str, files: list[tuple[str, str]],
           namespace: str = "", secret_type: str = "") -> subprocess.CompletedProcess[bytes]:
    """What kubectl prints for the same files; no cluster, no kubeconfig, no home."""
    argv = [kubectl, "create", *(("secret", "generic") if what == "secret" else ("configmap",)),
            name, *[f"--from-file={key}={path}" for key, path in files]]
    argv += [f"--type={secret_type}"] if secret_type else []
    argv += [f"--namespace={namespace}"] if namespace else []
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "KUBECONFIG": str(cwd / "no-kubeconfig")}
    return subprocess.run([*argv, "--dry-run=client", "-o", "yaml"], cwd=cwd, env=env,
                          capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a node made with --k8s, and clients `root` and `app.v2`."""
    top = tmp_path_factory.mktemp("k8s")
    (top / "safe").mkdir()
    for args in (("create-ca",), ("create-node", "--k8s=cockroachdb", "--k8s-namespace=crdb"),
                 ("create-client", "root"), ("create-client", "app.v2")):
        res = run(*args, CERTS, KEY, FAST, cwd=top)
        assert res.code == 0, res.err
    return top


def _files(what: str, layout: str) -> list[tuple[str, str]]:
    stem = "node" if what == "node" else "client.root"
    names = ("tls.crt", "tls.key") if layout == "tls" else (f"{stem}.crt", f"{stem}.key")
    return [("ca.crt", "certs/ca.crt"), (names[0], f"certs/{stem}.crt"),
            (names[1], f"certs/{stem}.key")]


@pytest.mark.parametrize("namespace", ["", "crdb"])
@pytest.mark.parametrize("layout", ["files", "tls"])
@pytest.mark.parametrize("what", ["node", "client"])
def test_secret_is_kubectls_bytes(kubectl: str, work: Path, what: str, layout: str,
                                  namespace: str) -> None:
    args = ("node",) if what == "node" else ("client", "root")
    flags = [f"--namespace={namespace}"] if namespace else []
    res = run("k8s", "secret", *args, "--name=cockroachdb-node", f"--layout={layout}", CERTS,
              *flags, cwd=work)
    assert res.code == 0, res.err
    theirs = oracle(kubectl, work, "secret", "cockroachdb-node", _files(what, layout),
                    namespace, kube.SECRET_TYPES[layout])  # type: ignore[index]
    assert theirs.returncode == 0, theirs.stderr
    assert res.out.encode() == theirs.stdout
    document = yaml.safe_load(res.out)  # and it holds the files, byte for byte
    assert {k: base64.b64decode(v) for k, v in document["data"].items()} == {
        key: (work / path).read_bytes() for key, path in _files(what, layout)}


@pytest.mark.parametrize("namespace", ["", "cockroach-system"])
def test_configmap_is_kubectls_bytes(kubectl: str, work: Path, namespace: str) -> None:
    flags = [f"--namespace={namespace}"] if namespace else []
    res = run("k8s", "configmap", "ca", "--name=cockroachdb-ca-secret-crt", CERTS, *flags,
              cwd=work)
    assert res.code == 0, res.err
    theirs = oracle(kubectl, work, "configmap", "cockroachdb-ca-secret-crt",
                    [("ca.crt", "certs/ca.crt")], namespace)
    assert res.out.encode() == theirs.stdout
    assert "ca.crt: |\n    -----BEGIN CERTIFICATE-----\n" in res.out
    assert yaml.safe_load(res.out)["data"]["ca.crt"] == (work / "certs/ca.crt").read_text()


# Names and namespaces goyaml (kubectl) quotes and PyYAML would not, or the other way round:
# words, numbers in every base Go reads, dates; and the ones that stay plain.
ODD_NAMES = ["y", "n", "yes", "no", "on", "off", "true", "null", "123", "1e3", "0x1f", "0o17",
             "0b101", "007", "08", "1.5", "2024-01-02", "2024-1-2", "2024-13-45", "1e400",
             "12345678901234567890123", "18446744073709551616", "0x123456789abcdef012",
             "nan", "inf", "e1", "a-b", "1-2", "x.y.z", "a" * 63]


def test_odd_names_are_quoted_as_kubectl_quotes_them(kubectl: str, work: Path) -> None:
    certs = pycert.CertsDir(work / "certs")
    label = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
    cases = [("secret", name, name if label.fullmatch(name) else "ns") for name in ODD_NAMES]
    cases += [("configmap", name, name) for name in ("yes", "0o17", "2024-01-02")]

    def theirs(case: tuple[str, str, str]) -> bytes:
        what, name, namespace = case
        files = _files("node", "tls") if what == "secret" else [("ca.crt", "certs/ca.crt")]
        return oracle(kubectl, work, what, name, files, namespace,
                      "kubernetes.io/tls" if what == "secret" else "").stdout

    with ThreadPoolExecutor(4) as pool:  # kubectl takes ~0.1 s to start: run a few at once
        expected = list(pool.map(theirs, cases))
    for (what, name, namespace), want in zip(cases, expected):
        if what == "secret":
            mine = certs.k8s_secret("node", name=name, namespace=namespace, layout="tls")
        else:
            mine = certs.k8s_config_map(name=name, namespace=namespace)
        assert mine.to_yaml() == want, name


def test_a_client_name_with_dots_and_a_bundle_of_two_cas(kubectl: str, work: Path,
                                                         tmp_path: Path) -> None:
    shutil.copytree(work, tmp_path / "w")
    here = tmp_path / "w"
    res = run("rotate-ca", CERTS, "--ca-key=safe/ca-2.key", cwd=here)  # ca.crt: 2 certificates
    assert res.code == 0, res.err
    files = [("ca.crt", "certs/ca.crt"), ("client.app.v2.crt", "certs/client.app.v2.crt"),
             ("client.app.v2.key", "certs/client.app.v2.key")]
    res = run("k8s", "secret", "client", "app.v2", "--name=app", CERTS, cwd=here)
    assert res.code == 0, res.err
    assert res.out.encode() == oracle(kubectl, here, "secret", "app", files,
                                      secret_type="Opaque").stdout
    res = run("k8s", "configmap", "ca", "--name=ca", CERTS, cwd=here)
    assert res.out.encode() == oracle(kubectl, here, "configmap", "ca",
                                      [("ca.crt", "certs/ca.crt")]).stdout
    assert res.out.count("BEGIN CERTIFICATE") == 2


def test_an_rsa_directory_as_cockroach_makes_it(kubectl: str, full_dir: Path) -> None:
    res = run("k8s", "secret", "node", "--name=cockroachdb.node", CERTS, cwd=full_dir)
    assert res.code == 0, res.err
    assert res.out.encode() == oracle(kubectl, full_dir, "secret", "cockroachdb.node",
                                      _files("node", "files"), secret_type="Opaque").stdout


def test_a_non_ascii_user_cannot_be_a_key_but_can_be_tls(kubectl: str, work: Path,
                                                         tmp_path: Path) -> None:
    shutil.copytree(work, tmp_path / "w")
    here = tmp_path / "w"
    assert run("create-client", "bjørn", CERTS, KEY, FAST, cwd=here).code == 0
    files = [("ca.crt", "certs/ca.crt"), ("client.bjørn.crt", "certs/client.bjørn.crt"),
             ("client.bjørn.key", "certs/client.bjørn.key")]
    theirs = oracle(kubectl, here, "secret", "u", files)
    assert theirs.returncode == 1 and b"not valid key name" in theirs.stderr  # kubectl too
    res = run("k8s", "secret", "client", "bjørn", "--name=u", CERTS, cwd=here)
    assert res.code == 1 and res.out == ""
    assert "'client.bjørn.crt' cannot be a Kubernetes Secret key" in res.err
    assert "HINT: --layout=tls" in res.err
    res = run("k8s", "secret", "client", "bjørn", "--name=u", "--layout=tls", CERTS, cwd=here)
    tls = [("ca.crt", "certs/ca.crt"), ("tls.crt", "certs/client.bjørn.crt"),
           ("tls.key", "certs/client.bjørn.key")]
    assert res.out.encode() == oracle(kubectl, here, "secret", "u", tls,
                                      secret_type="kubernetes.io/tls").stdout


def test_output_is_written_atomically_0600_and_replaced_only_with_overwrite(work: Path,
                                                                            tmp_path: Path) -> None:
    out = tmp_path / "node-secret.yaml"
    args = ("k8s", "secret", "node", "--name=n", CERTS, f"--output={out}")
    res = run(*args, cwd=work)
    assert res.code == 0, res.err
    assert res.out == "" and f"wrote Secret n to {out}" in res.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes() == run("k8s", "secret", "node", "--name=n", CERTS,
                                   cwd=work).out.encode()
    out.write_text("old\n")
    res = run(*args, cwd=work)
    assert res.code == 1 and "file exists" in res.err
    assert out.read_text() == "old\n"
    assert run(*args, "--overwrite", cwd=work).code == 0
    assert out.read_text().startswith("apiVersion: v1\n")
    assert [p.name for p in tmp_path.iterdir()] == ["node-secret.yaml"]  # no temp file left


# --- what must never reach a cluster ---------------------------------------------------

def _copy(work: Path, tmp_path: Path) -> Path:
    shutil.copytree(work, tmp_path / "w")
    return tmp_path / "w"


@pytest.mark.parametrize("case", ["mismatched-key", "other-ca", "key-in-ca-file",
                                  "encrypted-key", "missing-key"])
def test_a_secret_that_would_not_work_is_refused(work: Path, tmp_path: Path, case: str) -> None:
    here = _copy(work, tmp_path)
    certs = here / "certs"
    if case == "mismatched-key":
        shutil.copy(certs / "client.root.key", certs / "node.key")
        expect = "certs/node.key is not the key of certs/node.crt"
    elif case == "other-ca":
        other = tmp_path / "other"
        other.mkdir()
        for args in (("create-ca", "--ca-key=o.key"), ("create-node", "h", "--ca-key=o.key")):
            assert run(*args, "--certs-dir=.", FAST, cwd=other).code == 0
        for name in ("node.crt", "node.key"):
            shutil.copy(other / name, certs / name)
        expect = "certs/node.crt is not signed by any certificate in certs/ca.crt"
    elif case == "key-in-ca-file":
        with (certs / "ca.crt").open("ab") as bundle:
            bundle.write((here / "safe/ca.key").read_bytes())
        expect = "certs/ca.crt holds a private key"
    elif case == "encrypted-key":
        subprocess.run([need_tool("openssl", "openssl"), "pkcs8", "-topk8", "-in",
                        "certs/node.key", "-out", "node.key.enc", "-passout", "pass:x"],
                       cwd=here, check=True)
        (here / "node.key.enc").replace(certs / "node.key")
        expect = "certs/node.key is encrypted: CockroachDB reads node and client keys"
    else:
        (certs / "node.key").unlink()
        expect = "could not read certs/node.key: no such file or directory"
    before = snapshot(here)
    res = run("k8s", "secret", "node", "--name=n", "--output=out.yaml", CERTS, cwd=here)
    assert res.code == 1 and expect in res.err, res.err
    assert "Traceback" not in res.err and "PRIVATE KEY" not in res.out + res.err
    assert snapshot(here) == before
    if case == "key-in-ca-file":  # and never a ConfigMap holding the CA key
        res = run("k8s", "configmap", "ca", "--name=n", CERTS, cwd=here)
        assert res.code == 1 and expect in res.err and res.out == ""


def test_a_configmap_refuses_what_kubectl_would_escape(kubectl: str, work: Path,
                                                       tmp_path: Path) -> None:
    here = _copy(work, tmp_path)
    ca = here / "certs/ca.crt"
    ca.write_bytes(ca.read_bytes().replace(b"\n", b"\r\n"))
    res = run("k8s", "configmap", "ca", "--name=n", CERTS, cwd=here)
    assert res.code == 1
    assert "certs/ca.crt line 1 has a carriage return" in res.err
    assert "sed -i" in res.err
    # A Secret holds base64, so a CRLF file is no problem there:
    res = run("k8s", "secret", "node", "--name=n", CERTS, cwd=here)
    assert res.out.encode() == oracle(kubectl, here, "secret", "n", _files("node", "files"),
                                      secret_type="Opaque").stdout


@pytest.mark.parametrize("args,flag", [
    (("secret", "node", "--name=Bad_Name"), "--name"),
    (("secret", "node", "--name=n", "--namespace=a.b"), "--namespace"),
    (("secret", "nodes", "--name=n"), "<what>"),
    (("secret", "client", "--name=n"), "<what>"),
    (("configmap", "client", "--name=n"), "<what>"),
    (("secret", "node"), ""),
])
def test_bad_arguments_are_flag_errors(work: Path, args: tuple[str, ...], flag: str) -> None:
    res = run("k8s", *args, CERTS, cwd=work)
    assert res.code == 4, res.err
    assert res.out == ""
    line = next(x for x in res.err.splitlines() if x.startswith("ERROR:"))
    assert (f'for "{flag}" flag' in line) if flag else ('required flag(s) "name"' in line)


# --- create-node --k8s -------------------------------------------------------------------

# The helm chart's self-signer (cockroachdb/helm-charts pkg/generator/generate_cert.go,
# generateNodeCert), for StatefulSet cockroachdb in namespace crdb, clusterDomain
# cluster.local: PublicServiceName = NAME-public, DiscoveryServiceName = NAME.
CHART_HOSTS = ("localhost", "127.0.0.1", "cockroachdb-public", "cockroachdb-public.crdb",
               "cockroachdb-public.crdb.svc.cluster.local", "*.cockroachdb",
               "*.cockroachdb.crdb", "*.cockroachdb.crdb.svc.cluster.local")


def test_statefulset_hosts_are_the_chart_self_signers_list() -> None:
    assert kube.statefulset_hosts("cockroachdb", "crdb", "cluster.local") == CHART_HOSTS
    assert kube.statefulset_hosts("db") == (
        "localhost", "127.0.0.1", "db-public", "db-public.default",
        "db-public.default.svc.cluster.local", "*.db", "*.db.default",
        "*.db.default.svc.cluster.local")


def _sans(path: Path) -> tuple[list[str], list[str]]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return ext.get_values_for_type(x509.DNSName), [str(ip) for ip in
                                                   ext.get_values_for_type(x509.IPAddress)]


def test_create_node_k8s_puts_the_chart_list_first_and_drops_duplicates(ca_dir: Path) -> None:
    res = run("create-node", "--k8s=cockroachdb", "--k8s-namespace=crdb", "10.0.0.5",
              "localhost", "db.example.com", "--san=extra.example.com", CERTS, KEY, FAST,
              cwd=ca_dir)
    assert res.code == 0, res.err
    dns, ips = _sans(ca_dir / "certs/node.crt")
    # cockroach writes DNS names first, then IPs, each in the order given
    assert dns == [h for h in CHART_HOSTS if h != "127.0.0.1"] + ["db.example.com",
                                                                  "extra.example.com"]
    assert ips == ["127.0.0.1", "10.0.0.5"]


def test_create_node_k8s_alone_with_domain(ca_dir: Path) -> None:
    res = run("create-node", "--k8s=db", "--k8s-domain=corp.internal", CERTS, KEY, FAST,
              cwd=ca_dir)
    assert res.code == 0, res.err
    dns, ips = _sans(ca_dir / "certs/node.crt")
    assert dns == ["localhost", "db-public", "db-public.default",
                   "db-public.default.svc.corp.internal", "*.db", "*.db.default",
                   "*.db.default.svc.corp.internal"]
    assert ips == ["127.0.0.1"]


def test_without_k8s_create_node_keeps_hosts_as_given(ca_dir: Path) -> None:
    res = run("create-node", "a", "a", "localhost", CERTS, KEY, FAST, cwd=ca_dir)
    assert res.code == 0, res.err
    assert _sans(ca_dir / "certs/node.crt") == (["a", "a", "localhost"], [])


@pytest.mark.parametrize("args,flag", [
    (("--k8s-namespace=crdb", "h"), "--k8s-namespace"),
    (("--k8s-domain=x.local", "h"), "--k8s-domain"),
    (("--k8s=Cockroach_DB",), "--k8s"),
    (("--k8s=db", "--k8s-namespace=a.b"), "--k8s-namespace"),
])
def test_k8s_flag_errors(ca_dir: Path, args: tuple[str, ...], flag: str) -> None:
    before = snapshot(ca_dir)
    res = run("create-node", *args, CERTS, KEY, cwd=ca_dir)
    assert res.code == 4
    assert any(line.startswith("ERROR: invalid argument") and f'for "{flag}" flag' in line
               for line in res.err.splitlines()), res.err
    assert snapshot(ca_dir) == before


def test_a_client_of_a_separate_client_ca(kubectl: str, work: Path, tmp_path: Path) -> None:
    """Signed by ca-client.crt: checked against it, while the Secret's ca.crt stays the
    certs dir's ca.crt, which the client verifies the nodes with."""
    here = _copy(work, tmp_path)
    for args in (("create-client-ca", "--ca-key=safe/client-ca.key"),
                 ("create-client", "bob", "--ca-key=safe/client-ca.key")):
        res = run(*args, CERTS, FAST, cwd=here)
        assert res.code == 0, res.err
    files = [("ca.crt", "certs/ca.crt"), ("tls.crt", "certs/client.bob.crt"),
             ("tls.key", "certs/client.bob.key")]
    res = run("k8s", "secret", "client", "bob", "--layout=tls", "--name=bob", CERTS, cwd=here)
    assert res.code == 0, res.err
    assert res.out.encode() == oracle(kubectl, here, "secret", "bob", files,
                                      secret_type="kubernetes.io/tls").stdout
    shutil.copy(here / "certs/client.root.crt", here / "certs/client.bob.crt")  # signed by ca.crt
    shutil.copy(here / "certs/client.root.key", here / "certs/client.bob.key")
    res = run("k8s", "secret", "client", "bob", "--name=bob", CERTS, cwd=here)
    assert res.code == 1
    assert "certs/client.bob.crt is not signed by any certificate in certs/ca-client.crt" in res.err
