"""Kubernetes Secrets and ConfigMaps of a certs dir, byte for byte what `kubectl create
secret generic … --from-file=…` / `kubectl create configmap …` (`--dry-run=client -o yaml`)
print for the same files, after checking that the files would work where they are mounted.

What goes in is refused here rather than in the cluster: a pair whose key does not match,
a certificate its CA file does not sign, a CA file holding a key (a ConfigMap, or a
Secret of the cluster, must never carry the CA key).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from pycert import kube
from pycert.certdir.files import Planned, commit, dir_lock, read_regular
from pycert.certdir.signers import read_bundle, signer_path
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.kinds import CA, Kind
from pycert.kube import Layout
from pycert.pki import encrypted_keys, keys
from pycert.pki.pem import blocks
from pycert.pki.reading import CertFields, Unreadable, read
from pycert.pki.signatures import signed_by


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object for the certs dir's files; `to_yaml()` is kubectl's text."""

    kind: str  # "Secret" or "ConfigMap"
    name: str
    namespace: str
    sources: tuple[tuple[str, str], ...]  # (data key, file it holds), in kubectl's order
    document: dict[str, Any] = field(repr=False)  # may hold private keys: never in a repr

    def to_yaml(self) -> bytes:
        # lazy: PyYAML takes ~24 ms to import, and only manifests are written with it
        from pycert import goyaml

        return goyaml.dump(self.document)

    def write(self, path: str, *, overwrite: bool = False) -> str:
        """Installs the YAML at `path` atomically, mode 0600 (a Secret holds private keys);
        an existing file is replaced only with `overwrite`."""
        commit([Planned(path, self.to_yaml(), 0o600, "could not write manifest to",
                        exists_hint="add --overwrite to replace it")], overwrite=overwrite)
        return path


def leaf_secret(certs_dir: str, kind: Kind, user: str, name: str, namespace: str = "",
                layout: Layout = "files") -> Manifest:
    """A node's (or client `user`'s) Secret: the CA certificate, the certificate and its
    key, under cockroach's file names (`files`, Opaque) or `tls.*` (`kubernetes.io/tls`)."""
    _names(name, namespace)
    ca_entry, cert_entry, key_entry = kube.secret_keys(kind.cert_file(user),
                                                       kind.key_file(user), layout)
    ca_path = join(certs_dir, CA.cert_file())
    cert_path, key_path = join(certs_dir, kind.cert_file(user)), join(certs_dir,
                                                                        kind.key_file(user))
    with dir_lock(certs_dir, shared=True):  # never a pair half-replaced by a renewal
        ca_data, _ = read_bundle(CA, ca_path, f"{ca_path} does not exist: create the CA "
                                 "with pycert create-ca")
        cert_data, cert = _leaf(kind, cert_path, user)
        key_data = _key(kind, key_path, cert, cert_path)
        _signed(kind, certs_dir, cert, cert_path)
    files = {ca_entry: (ca_path, ca_data), cert_entry: (cert_path, cert_data),
             key_entry: (key_path, key_data)}
    data = {key: base64.b64encode(raw).decode("ascii") for key, (_, raw) in files.items()}
    document = kube.secret(name, data, namespace, kube.SECRET_TYPES[layout])
    return Manifest("Secret", name, namespace, _sources(document, files), document)


def ca_config_map(certs_dir: str, name: str, namespace: str = "") -> Manifest:
    """The CA certificate file as a ConfigMap's `ca.crt` (the operator's caConfigMapName)."""
    _names(name, namespace)
    path = join(certs_dir, CA.cert_file())
    with dir_lock(certs_dir, shared=True):
        data, _ = read_bundle(CA, path, f"{path} does not exist: create the CA with pycert "
                              "create-ca")
    document = kube.config_map(name, {"ca.crt": _literal_text(path, data)}, namespace)
    return Manifest("ConfigMap", name, namespace, (("ca.crt", path),), document)


def _names(name: str, namespace: str) -> None:
    try:
        kube.check_object_name(name, "--name")
        if namespace:
            kube.check_label(namespace, "--namespace")
    except ValueError as exc:
        raise CertError(str(exc)) from exc


def _sources(document: dict[str, Any],
             files: dict[str, tuple[str, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((key, files[key][0]) for key in document["data"])


def _read(path: str, fix: str) -> bytes:
    try:
        return read_regular(path)
    except OSError as exc:
        raise CertError(f"could not read {path}: {errno_text(exc)}", hint=fix) from exc


def _leaf(kind: Kind, path: str, user: str) -> tuple[bytes, CertFields]:
    """The certificate file's bytes and its first certificate, as a node reads it."""
    make = f"pycert {kind.command}" + (f" {user}" if user else " <hosts>")
    data = _read(path, f"create it with {make}")
    found = blocks(data)
    if not found or any(b.type != "CERTIFICATE" for b in found):
        raise CertError(f"{path} must hold certificates only (PEM CERTIFICATE blocks)",
                        hint=f"create it again with {make} --overwrite")
    try:
        return data, read(found[0].der)
    except Unreadable as exc:
        raise CertError(f"{path} does not parse as CockroachDB reads it: {exc}") from exc


def _key(kind: Kind, path: str, cert: CertFields, cert_path: str) -> bytes:
    """The key file's bytes, once it is known to be the certificate's key, unencrypted."""
    data = _read(path, f"the key is written with its certificate by pycert {kind.command}")
    found = blocks(data)
    if len(found) == 1 and encrypted_keys.is_encrypted(data, found[0]):
        raise CertError(f"{path} is encrypted: CockroachDB reads node and client keys "
                        "unencrypted, so a Secret must hold them so")
    try:
        if len(found) != 1 or not keys.matches_certificate(found[0].der, cert.certificate()):
            raise CertError(f"{path} is not the key of {cert_path}",
                            hint=f"issue the pair again with pycert {kind.command} --overwrite")
    except ValueError as exc:
        raise CertError(f"could not parse {path}: {exc}") from exc
    return data


def _signed(kind: Kind, certs_dir: str, cert: CertFields, cert_path: str) -> None:
    """The certificate must be signed by a certificate of the CA file that signs its kind."""
    signer_kind, signer = signer_path(kind, certs_dir)
    _, cas = read_bundle(signer_kind, signer, f"{signer} does not exist")
    issued = cert.certificate()
    if not any(signed_by(issued, ca.certificate()) for ca in cas):
        raise CertError(f"{cert_path} is not signed by any certificate in {signer}: a node "
                        "would refuse it",
                        hint=f"re-sign it: pycert renew {kind.name}"
                        f"{' <user>' if kind.named else ''} --certs-dir={certs_dir}")


def _literal_text(path: str, data: bytes) -> str:
    """The file as text kubectl writes as a literal block (`|`): printable ASCII lines
    ending in LF without trailing blanks, which every PEM writer makes. Anything else
    kubectl would escape in a quoted string pycert does not reproduce: refused."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.rstrip(b" ") != line or any(not 0x20 <= c < 0x7F for c in line):
            raise CertError(f"{path} line {number} has a carriage return, tab, trailing "
                            "space or non-ASCII byte, which a ConfigMap would hold escaped",
                            hint=f"write it with LF line ends: sed -i 's/\\r$//' {path}")
    return data.decode("ascii")
