"""Kubernetes' side of a certs dir: the SANs CockroachDB's helm chart gives a StatefulSet's
nodes, the key layouts its charts mount, and the manifests (plain dicts) kubectl would make.

Sources, read for this module (docs/kubernetes.md has the commits): the helm chart's
self-signer (`pkg/generator/generate_cert.go`: the host list below), its StatefulSet and
init job templates (which keys each chart mode mounts), the operator's
`ExternalCertificates` and cockroach's `cloud/kubernetes/bring-your-own-certs`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pycert.errors import CertError

Layout = Literal["files", "tls"]
LAYOUTS: tuple[Layout, ...] = ("files", "tls")
# kubernetes.io/tls is what the chart's tlsSecret/self-signer/cert-manager modes and the
# operator read; Opaque, with cockroach's file names, what "provided" mode mounts whole.
SECRET_TYPES: dict[Layout, str] = {"files": "Opaque", "tls": "kubernetes.io/tls"}
DEFAULT_NAMESPACE = "default"  # the chart's Release.Namespace when none is given
DEFAULT_DOMAIN = "cluster.local"  # the chart's clusterDomain default

# apimachinery's validation: Secret/ConfigMap names are DNS-1123 subdomains, namespaces
# DNS-1123 labels, data keys `[-._a-zA-Z0-9]+` (kubectl checks only the keys client-side).
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_KEY = re.compile(r"[-._a-zA-Z0-9]+")


def statefulset_hosts(name: str, namespace: str = DEFAULT_NAMESPACE,
                      domain: str = DEFAULT_DOMAIN) -> tuple[str, ...]:
    """The hosts the helm chart's self-signer passes to `cockroach cert create-node` for
    StatefulSet `name`: its public service `name-public` and headless service `name`."""
    public = f"{name}-public"
    return ("localhost", "127.0.0.1", public, f"{public}.{namespace}",
            f"{public}.{namespace}.svc.{domain}", f"*.{name}", f"*.{name}.{namespace}",
            f"*.{name}.{namespace}.svc.{domain}")


def check_object_name(value: str, flag: str) -> str:
    """A Secret or ConfigMap name the API server accepts (a DNS-1123 subdomain)."""
    if len(value) > 253 or not _SUBDOMAIN.fullmatch(value):
        raise ValueError(f"{flag}={value!r} is not a valid Kubernetes object name: lower-case "
                         "letters, digits, '-' and '.', starting and ending with a letter or "
                         "digit, at most 253 characters")
    return value


def check_label(value: str, flag: str, what: str = "namespace") -> str:
    """A namespace (or service name) the API server accepts: a DNS-1123 label."""
    if len(value) > 63 or not re.fullmatch(_LABEL, value):
        raise ValueError(f"{flag}={value!r} is not a valid Kubernetes {what}: lower-case "
                         "letters, digits and '-', starting and ending with a letter or "
                         "digit, at most 63 characters")
    return value


def check_key(key: str) -> str:
    """A data key kubectl accepts; cockroach's non-ASCII user names make keys it refuses."""
    if not _KEY.fullmatch(key) or key == "." or key.startswith(".."):
        raise CertError(f"{key!r} cannot be a Kubernetes Secret key: keys hold only ASCII "
                        "letters, digits, '-', '_' and '.'",
                        hint="--layout=tls names the files tls.crt and tls.key instead")
    return key


def secret_keys(cert_file: str, key_file: str, layout: Layout) -> tuple[str, str, str]:
    """The data keys of the CA certificate, the certificate and its key in a layout."""
    if layout == "tls":
        return "ca.crt", "tls.crt", "tls.key"
    return "ca.crt", check_key(cert_file), check_key(key_file)


def _metadata(name: str, namespace: str) -> dict[str, Any]:
    """kubectl's metadata: `creationTimestamp: null` (1.20-1.33) and a namespace only if
    one was given on the command line."""
    meta: dict[str, Any] = {"creationTimestamp": None, "name": name}
    if namespace:
        meta["namespace"] = namespace
    return meta


def secret(name: str, data: dict[str, str], namespace: str = "",
           secret_type: str = "") -> dict[str, Any]:
    """`kubectl create secret generic NAME --from-file=… [--type] --dry-run=client` as a
    dict in kubectl's key order; `data` maps keys to base64 text. goyaml sorts keys in a
    "natural" order (digit runs as numbers, non-letters first); for the keys pycert
    writes, which differ first at a letter (ca.crt, node.*, tls.*, client.<user>.*), that
    is plain sorted()."""
    doc: dict[str, Any] = {"apiVersion": "v1", "data": dict(sorted(data.items())),
                           "kind": "Secret", "metadata": _metadata(name, namespace)}
    if secret_type:
        doc["type"] = secret_type
    return doc


def config_map(name: str, data: dict[str, str], namespace: str = "") -> dict[str, Any]:
    """`kubectl create configmap NAME --from-file=… --dry-run=client`, for text files."""
    return {"apiVersion": "v1", "data": dict(sorted(data.items())), "kind": "ConfigMap",
            "metadata": _metadata(name, namespace)}
