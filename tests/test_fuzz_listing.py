"""Promise 5 of issue 5: a hostile certs dir never makes `list` or `create-*` crash or hang.

Hypothesis (fixed seed, bounded examples) fills a certs dir with random names (including
non-UTF-8 bytes) and random or mutated PEM/DER contents, directories named `x.crt`,
dangling links, FIFOs, links to devices, huge files and mode-000 files. The real CLI entry
point runs in-process (fast); a final hostile dir goes through `python -m pycert` too.

Root reads mode-000 files, so under root (as in CI) the fuzzed mode-000 files are simply
read; the EACCES paths are tested separately in a forked child that drops to uid 65534.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import pycert
from pycert import CertsDir, Lifetime
from pycert.certdir.files import MAX_FILE_BYTES
from pycert.cli import app as cli_app
from pycert.pki.pem import blocks, encode

EXAMPLES = int(os.environ.get("PYCERT_FUZZ_EXAMPLES", "300"))
STATS = {"examples": 0, "list_ok": 0, "list_error": 0, "create_ok": 0, "create_error": 0}

NAMES = [b"ca.crt", b"node.crt", b"node.key", b"client.root.crt", b"client.root.key",
         b"ca-client.crt", b"ui.crt", b"ca-ui.crt", b"client-tenant.5.crt",
         b"client-tenant.x.crt", b"tenant-signing.7.crt", b"client..crt", b"x.crt", b".crt",
         b"node.extra.crt", b"client.caf\xe9.crt", b"client.caf\xe9.key", b"\xff\xfe.crt",
         b"client.a\nb.crt", b"client.tab\t.crt", b".node.crt.pycert-tmp.1.abcdef01"]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Real material to mutate: a CA, a node pair and a client pair (1024-bit, fast)."""
    work = tmp_path_factory.mktemp("pool")
    certs, key = work / "certs", work / "ca.key"
    directory, hour = CertsDir(certs), Lifetime(3600 * 10**9)
    directory.create_ca(key, key_size=1024)
    directory.create_node("localhost", "127.0.0.1", ca_key=key, key_size=1024, lifetime=hour)
    directory.create_client("root", ca_key=key, key_size=1024, lifetime=hour)
    files = {p.name: p.read_bytes() for p in certs.iterdir()}
    return {"files": files, "ca_key": key, "blobs": list(files.values()) + [key.read_bytes()]}


@st.composite
def content(draw: st.DrawFn, blobs: list[bytes]) -> tuple[str, bytes]:
    """What to put under a name: a file body, or a special kind of entry."""
    base = draw(st.sampled_from(blobs))
    kind = draw(st.sampled_from(
        ["valid", "truncated", "flipped", "der", "wrong-type", "random", "empty", "concat",
         "dir", "dangling", "fifo", "devzero", "link-dir", "huge", "mode000", "text"]))
    if kind == "truncated":
        return "file", base[: draw(st.integers(0, max(len(base) - 1, 0)))]
    if kind == "flipped":
        data = bytearray(base)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return "file", bytes(data)
    if kind == "der":
        found = blocks(base)
        return "file", found[0].der if found else base
    if kind == "wrong-type":
        found = blocks(base)
        label = draw(st.sampled_from(["PRIVATE KEY", "CERTIFICATE REQUEST", "X", "CERTIFICATE"]))
        return "file", encode(label, found[0].der if found else base)
    if kind == "random":
        return "file", draw(st.binary(max_size=2048))
    if kind == "text":
        return "file", draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    if kind == "concat":
        return "file", base + draw(st.sampled_from(blobs)) + draw(st.binary(max_size=64))
    if kind == "empty":
        return "file", b""
    if kind == "huge":
        return "huge", base
    if kind in ("dir", "dangling", "fifo", "devzero", "link-dir", "mode000"):
        return kind, base
    return "file", base


def _make(directory: Path, name: bytes, entry: tuple[str, bytes], mode: int) -> None:
    path = os.path.join(os.fsencode(directory), name)
    with contextlib.suppress(FileExistsError, IsADirectoryError):
        kind, data = entry
        if kind == "dir":
            os.mkdir(path)
        elif kind == "dangling":
            os.symlink(b"/nonexistent/" + name, path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "devzero":
            os.symlink(b"/dev/zero", path)
        elif kind == "link-dir":
            os.symlink(b".", path)
        else:
            if kind == "huge":
                data = data + b"\n" + b"A" * (MAX_FILE_BYTES + 1)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, data)
            os.close(fd)
            os.chmod(path, 0 if kind == "mode000" else mode)


class _Alarm(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise _Alarm(f"pycert hung for {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _run(args: list[str]) -> tuple[int, str, str]:
    """cli.app.run in this process, with stdout/stderr captured like a pipe."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        with _time_limit(20):
            code = cli_app.run(args)
    finally:
        sys.stdout, sys.stderr = saved
    texts = []
    for stream in (out, err):
        stream.flush()
        texts.append(stream.buffer.getvalue().decode("utf-8", "replace"))  # type: ignore[attr-defined]
    return code, texts[0], texts[1]


def _check(code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1), (code, err)
    if code == 1:
        assert "\nERROR: " in "\n" + err, err


@settings(derandomize=True, max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_hostile_certs_dir_never_crashes_or_hangs(pool: dict[str, Any], data: st.DataObject,
                                                  tmp_path_factory: pytest.TempPathFactory
                                                  ) -> None:
    STATS["examples"] += 1
    work = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    certs = work / "certs"
    certs.mkdir()
    names = data.draw(st.lists(st.one_of(
        st.sampled_from(NAMES),
        st.binary(min_size=1, max_size=20).filter(lambda b: b"/" not in b and b"\0" not in b
                                                  and b not in (b".", b"..")).map(
            lambda b: b + data.draw(st.sampled_from([b".crt", b".key", b""])))),
        max_size=8, unique=True), label="names")
    for name in names:
        entry = data.draw(content(pool["blobs"]), label=f"content {name!r}")
        _make(certs, name, entry, data.draw(st.sampled_from([0o600, 0o644, 0o400, 0o700])))
    if data.draw(st.booleans(), label="real CA"):
        ca = certs / "ca.crt"
        if ca.is_dir() and not ca.is_symlink():
            shutil.rmtree(ca)  # a drawn directory named ca.crt
        with contextlib.suppress(OSError):
            ca.unlink()
        ca.write_bytes(pool["files"]["ca.crt"])
    try:
        code, out, err = _run(["list", f"--certs-dir={certs}"])
        _check(code, out, err)
        STATS["list_ok" if code == 0 else "list_error"] += 1
        if code == 0:
            assert out.startswith(f"Certificate directory: {certs}\n")
        before = snapshot(work)
        command = data.draw(st.sampled_from([["create-client", "fuzz"], ["create-node", "h"],
                                             ["create-ca", "--overwrite",
                                              f"--ca-key={work}/new-ca.key"]]), label="create")
        if command[0] != "create-ca":
            command.append(f"--ca-key={pool['ca_key']}")
        code, out, err = _run([*command, f"--certs-dir={certs}", "--key-size=1024",
                               "--overwrite" if command[0] != "create-ca" else "--lifetime=1h"])
        _check(code, out, err)
        STATS["create_ok" if code == 0 else "create_error"] += 1
        if code == 1:
            assert snapshot(work) == before, "a failed create-* changed the directory"
    finally:
        _rmtree(work)


def snapshot(directory: Path) -> dict[bytes, tuple[int, bytes]]:
    """Like conftest.snapshot, but never opens a FIFO or follows a link (to /dev/zero...)."""
    out = {}
    for root, dirs, files in os.walk(os.fsencode(directory)):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                body = b"-> " + os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    body = handle.read()
            else:
                body = b""
            out[path] = (info.st_mode, body)
    return out


def _rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def test_fuzz_ran_the_promised_number_of_examples() -> None:
    """Runs after the fuzz test (file order) and records what it did."""
    print(f"\nfuzz stats: {STATS}")
    if STATS["examples"]:  # (not when this test is run alone)
        assert STATS["list_ok"] + STATS["list_error"] >= EXAMPLES
        # both outcomes of both commands were exercised, or the generator is too tame
        assert STATS["list_ok"] and STATS["list_error"] and STATS["create_ok"]
        assert STATS["create_error"]


def test_real_cli_on_a_hostile_dir_exits_cleanly_and_quickly(pool: dict[str, Any],
                                                            tmp_path: Path) -> None:
    """The same horrors at once, through `python -m pycert` with a timeout."""
    certs = tmp_path / "certs"
    certs.mkdir()
    files = pool["files"]
    (certs / "ca.crt").write_bytes(files["ca.crt"])
    os.mkfifo(certs / "client.fifo.crt")
    os.symlink("/dev/zero", certs / "client.zero.crt")
    os.symlink("/nonexistent", certs / "client.dangling.crt")
    (certs / "client.dir.crt").mkdir()
    (certs / "client.huge.crt").write_bytes(files["ca.crt"] + b"A" * (MAX_FILE_BYTES + 1))
    (certs / "client.trunc.crt").write_bytes(files["ca.crt"][:100])
    os.symlink("/dev/zero", certs / "client.trunc.key")
    (certs / os.fsdecode(b"client.caf\xe9.crt")).write_bytes(files["client.root.crt"])
    (certs / "client.root.crt").write_bytes(files["client.root.crt"])
    (certs / "client.root.key").write_bytes(files["client.root.key"])
    (certs / "client.root.key").chmod(0o644)
    res = pycert("list", f"--certs-dir={certs}", timeout=30)
    assert res.code == 0 and "Traceback" not in res.err, res.err
    rows = res.out.splitlines()[2:]
    errors = {r.split("\t")[1]: r.split("\t")[-1] for r in rows}
    assert errors["client.huge.crt"] == (
        f"certificate file client.huge.crt is larger than {MAX_FILE_BYTES} bytes")
    assert errors["client.fifo.crt"] == "empty certificate file: client.fifo.crt"
    assert errors["client.zero.crt"] == "empty certificate file: client.zero.crt"
    assert "has permissions -rw-r--r--" in errors["client.root.crt"]
    assert "client.fifo.crt: not a regular file" in res.err
    assert "client.dir.crt" not in errors  # directories are skipped, as in cockroach
    res = pycert("create-client", "bob", f"--certs-dir={certs}", f"--ca-key={pool['ca_key']}",
                 "--key-size=1024", timeout=30)
    assert res.code == 0 and "Traceback" not in res.err, res.err
    res = pycert("create-ca", "--allow-ca-key-reuse", f"--ca-key={certs}/client.fifo.crt",
                 f"--certs-dir={tmp_path}/other", timeout=30)
    assert res.code == 1 and "not a regular file" in res.err, res.err


def _as_nobody(args: list[str]) -> tuple[int, str, str]:
    """Runs the CLI in a forked child that first drops to uid/gid 65534 when we are root
    (root reads mode-000 files, so EACCES needs an unprivileged process). Every module the
    command needs is already imported here, so the child never reads root's Python tree."""
    from pycert.certdir import directory, listing, loader  # noqa: F401  (loaded before the fork)
    from pycert.cli import listing as list_command  # noqa: F401
    from pycert.cli import render  # noqa: F401
    from pycert.pki import describe, reading  # noqa: F401

    read_out, write_out = os.pipe()
    read_err, write_err = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.close(read_out)
            os.close(read_err)
            os.dup2(write_out, 1)
            os.dup2(write_err, 2)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                          errors="backslashreplace")
            code = cli_app.run(args)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(write_out)
    os.close(write_err)
    with os.fdopen(read_out, "rb") as out, os.fdopen(read_err, "rb") as err:
        text_out, text_err = out.read(), err.read()
    _, status = os.waitpid(pid, 0)
    return (os.waitstatus_to_exitcode(status), text_out.decode("utf-8", "replace"),
            text_err.decode("utf-8", "replace"))


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A dir an unprivileged user can traverse (pytest's tmp dirs are 0700 root)."""
    path = Path(tempfile.mkdtemp(prefix="pycert-eacces-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_unreadable_files_and_dirs_give_clean_errors(pool: dict[str, Any],
                                                     open_dir: Path) -> None:
    files = pool["files"]
    certs = open_dir / "certs"
    certs.mkdir(mode=0o755)
    for name in ("ca.crt", "client.root.crt", "node.crt", "node.key", "client.root.key"):
        (certs / name).write_bytes(files[name])
    (certs / "client.root.key").chmod(0)
    (certs / "node.key").chmod(0o600)  # root's 0600: permitted mode, unreadable to others
    (certs / "ca.crt").chmod(0)
    (certs / "client.root.crt").chmod(0o644)
    (certs / "node.crt").chmod(0o644)
    if os.geteuid() != 0:
        pytest.skip("needs root to make files owned by someone else; as non-root, "
                    "mode 000 already gives EACCES in the fuzz test")
    code, out, err = _as_nobody(["list", f"--certs-dir={certs}"])
    assert "Traceback" not in err and "internal error" not in err, err
    # node.key unreadable stops the whole load, as in cockroach
    assert code == 1 and "could not read key file" in err and "permission denied" in err, err
    (certs / "node.key").unlink()
    (certs / "node.crt").unlink()
    code, out, err = _as_nobody(["list", f"--certs-dir={certs}"])
    assert code == 0, err
    assert f"could not read certificate file {certs}/ca.crt: permission denied" in err
    assert "empty certificate file: ca.crt" in out
    assert "could not read key file" in out and "permission denied" in out
    secret = open_dir / "secret"
    secret.mkdir(mode=0o700)
    code, out, err = _as_nobody(["list", f"--certs-dir={secret}"])
    assert code == 1 and "problem loading certs directory" in err and "permission denied" in err
    before = snapshot(open_dir)
    code, out, err = _as_nobody(["create-client", "bob", f"--certs-dir={certs}",
                                 f"--ca-key={pool['ca_key']}", "--key-size=1024"])
    assert code == 1 and "permission denied" in err and "Traceback" not in err, err
    assert snapshot(open_dir) == before
