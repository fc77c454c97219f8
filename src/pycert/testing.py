"""Opt-in pytest fixtures: a cockroach-ready certs dir for tests that talk TLS to CockroachDB.

Load it with `pytest -p pycert.testing` or `pytest_plugins = ["pycert.testing"]` in the root
conftest.py; it is deliberately not registered through an entry point. See docs/api.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import ssl

    from pycert.certdir.directory import CertsDir
    from pycert.certdir.install import Outcome
    from pycert.pki.authority import CA, Issued
    from pycert.pki.specs import KeyType

NODE_HOSTS = ("localhost", "127.0.0.1", "::1")
KEY_TYPE_INI = "pycert_key_type"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(KEY_TYPE_INI, "pycert.testing key type: rsa (2048 bits, what CockroachDB "
                  "deployments use; the default), ecdsa (P-256, faster) or ed25519",
                  default="rsa")


def _key_type(config: pytest.Config) -> KeyType:
    from pycert.pki.specs import KEY_TYPES

    value = str(config.getini(KEY_TYPE_INI) or "rsa").strip()
    if value not in KEY_TYPES:
        raise pytest.UsageError(f"{KEY_TYPE_INI} = {value}: expected one of "
                                f"{', '.join(KEY_TYPES)}")
    return value


@dataclass(frozen=True)
class Written:
    """Where one certificate and its key landed, and the certificate itself."""

    cert: Path
    key: Path
    issued: Issued  # .cert, .key, .cert_pem, .key_pem in memory
    pk8: Path | None = None  # DER PKCS#8 key, for Java's JDBC driver


def _written(outcome: Outcome, issued: Issued) -> Written:
    paths = [Path(p) for p in outcome.paths]
    return Written(paths[0], paths[1], issued, paths[2] if len(paths) > 2 else None)


class CockroachIssuer:
    """Issues more certificates with the session's CA straight into one certs dir."""

    def __init__(self, ca: CA, certs_dir: Path, ca_key: Path, key_type: KeyType) -> None:
        from pycert.certdir.directory import CertsDir

        self.ca, self.certs_dir, self.ca_key, self.key_type = ca, certs_dir, ca_key, key_type
        self._dir: CertsDir = CertsDir(certs_dir)

    def node(self, *hosts: str, overwrite: bool = True) -> Written:
        """node.crt/node.key for `hosts` (default localhost, 127.0.0.1, ::1), replacing the
        directory's node pair unless `overwrite=False`."""
        issued = self.ca.issue_node(*(hosts or NODE_HOSTS), key_type=self.key_type)
        return _written(self._dir.write(issued, overwrite=overwrite), issued)

    def client(self, user: str, *, tenant_scope: Iterable[int] = (), pkcs8: bool = True,
               overwrite: bool = False) -> Written:
        """client.<user>.crt/.key (and .key.pk8 unless `pkcs8=False`) for SQL user `user`."""
        issued = self.ca.issue_client(user, tenant_scope=tuple(tenant_scope),
                                      key_type=self.key_type)
        return _written(self._dir.write(issued, pkcs8=pkcs8, overwrite=overwrite), issued)

    def tenant_client(self, tenant_id: int, *hosts: str, overwrite: bool = False) -> Written:
        """client-tenant.<id>.crt/.key; no hosts means cockroach's local defaults."""
        issued = self.ca.issue_tenant_client(tenant_id, *hosts, key_type=self.key_type)
        return _written(self._dir.write(issued, overwrite=overwrite), issued)


@pytest.fixture(scope="session")
def cockroach_ca(pytestconfig: pytest.Config) -> CA:
    """Session-scoped: the in-memory `pycert.CA` every fixture's certificates chain to."""
    from pycert.pki.authority import CA

    return CA(key_type=_key_type(pytestconfig))


@pytest.fixture(scope="session")
def _cockroach_leaves(cockroach_ca: CA, pytestconfig: pytest.Config) -> tuple[Issued, Issued]:
    """Session-scoped: the node and root client pair, made once, written fresh per test."""
    key_type = _key_type(pytestconfig)
    return (cockroach_ca.issue_node(*NODE_HOSTS, key_type=key_type),
            cockroach_ca.issue_client("root", key_type=key_type))


@pytest.fixture
def _cockroach_layout(cockroach_ca: CA, _cockroach_leaves: tuple[Issued, Issued],
                      tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Function-scoped: (certs dir, CA key) in a new temp dir, the key outside the certs."""
    from pycert.certdir.directory import CertsDir

    top = tmp_path_factory.mktemp("cockroach")
    certs, ca_key = top / "certs", top / "ca-key" / "ca.key"
    directory: CertsDir = CertsDir(certs)
    directory.write_ca(cockroach_ca, ca_key)
    node, root = _cockroach_leaves
    directory.write(node)
    directory.write(root, pkcs8=True)
    return certs, ca_key


@pytest.fixture
def cockroach_certs_dir(_cockroach_layout: tuple[Path, Path]) -> Path:
    """Function-scoped: a fresh certs dir: ca.crt, node.crt/.key (localhost, 127.0.0.1,
    ::1), client.root.crt/.key/.key.pk8; keys 0600."""
    return _cockroach_layout[0]


@pytest.fixture
def cockroach_ca_key(_cockroach_layout: tuple[Path, Path]) -> Path:
    """Function-scoped: the CA key of `cockroach_certs_dir`, outside it (for `--ca-key`)."""
    return _cockroach_layout[1]


@pytest.fixture
def cockroach_issue(cockroach_ca: CA, _cockroach_layout: tuple[Path, Path],
                    pytestconfig: pytest.Config) -> CockroachIssuer:
    """Function-scoped: `.node(*hosts)`, `.client(user)`, `.tenant_client(id)` write more
    certificates into `cockroach_certs_dir` and return their paths."""
    certs, ca_key = _cockroach_layout
    return CockroachIssuer(cockroach_ca, certs, ca_key, _key_type(pytestconfig))


@pytest.fixture
def cockroach_server_context(cockroach_ca: CA,
                             _cockroach_leaves: tuple[Issued, Issued]) -> ssl.SSLContext:
    """Function-scoped: a TLS server context as a node's: it presents the node certificate
    (localhost, 127.0.0.1, ::1) and requires a client certificate from the CA (mutual TLS)."""
    import ssl  # lazy: only tests that ask for a context pay for the ssl module

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.verify_mode = ssl.CERT_REQUIRED
    cockroach_ca.configure_trust(ctx)
    _cockroach_leaves[0].configure_cert(ctx)
    return ctx


@pytest.fixture
def cockroach_client_context(cockroach_ca: CA,
                             _cockroach_leaves: tuple[Issued, Issued]) -> ssl.SSLContext:
    """Function-scoped: a TLS client context as SQL user root's: it trusts the CA and
    presents client.root's certificate."""
    import ssl  # lazy: only tests that ask for a context pay for the ssl module

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cockroach_ca.configure_trust(ctx)
    _cockroach_leaves[1].configure_cert(ctx)
    return ctx
