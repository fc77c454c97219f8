"""Build the Go programs of tests/interop/go, and drive tlspeer, the Go crypto/tls peer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .conftest import HERE, read_line, run, spawned


def build(go: str, out: Path, program: str = "tlspeer", gopath: tuple[str, ...] = ()) -> Path:
    """`go build` of tests/interop/go/<program> with the stdlib (and the packages below the
    `gopath` directories, e.g. Debian's /usr/share/gocode) only: GOPATH mode, caches in
    `out`, no network. Returns the binary's path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(GO111MODULE="off", GOCACHE=str(out / "cache"),
               GOPATH=os.pathsep.join([str(out / "gopath"), *gopath]),
               GOFLAGS="", CGO_ENABLED="0", GOPROXY="off", GOTOOLCHAIN="local")
    res = run([go, "build", "-o", str(out / program), str(HERE / "go" / program / "main.go")],
              timeout=120, env=env, cwd=out)
    assert res.returncode == 0, res.stderr
    return out / program


@dataclass
class GoServer:
    """A running `tlspeer server`: where it listens and where its rejections are logged."""
    addr: str
    log: Path

    def rejections(self) -> str:
        return self.log.read_text()


@dataclass
class Peer:
    """Helpers bound to one built tlspeer binary."""
    binary: Path

    def client(self, addr: str, name: str, ca: Path, cert: Path | None = None,
               key: Path | None = None) -> tuple[bool, str]:
        """One client handshake; returns (accepted, server line or error)."""
        cmd = [str(self.binary), "client", "-addr", addr, "-servername", name, "-ca", str(ca)]
        if cert is not None:
            cmd += ["-cert", str(cert), "-key", str(key)]
        res = run(cmd, timeout=20)
        return res.returncode == 0, (res.stdout + res.stderr).strip()

    @contextmanager
    def server(self, certs: Path, log: Path, host: str = "127.0.0.1", node: str = "node",
               ca: Path | None = None) -> Iterator[GoServer]:
        """A server presenting certs/<node>.crt that requires clients verified by `ca`
        (default certs/ca.crt); stopped, and proven gone, on exit."""
        cmd = [str(self.binary), "server", "-cert", str(certs / f"{node}.crt"),
               "-key", str(certs / f"{node}.key"), "-ca", str(ca or certs / "ca.crt"),
               "-addr", f"[{host}]:0" if ":" in host else f"{host}:0"]
        with spawned(cmd, log) as proc:
            line = read_line(proc)
            assert line.startswith("LISTEN "), line + log.read_text()
            yield GoServer(line.split()[1], log)
