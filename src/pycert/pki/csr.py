"""Certificate signing requests for an offline or HSM-held CA; no file I/O.

A CSR made here asks for exactly what cockroach's node/client profile holds; a CSR made
elsewhere is checked against that profile so a certificate that CockroachDB would reject
is never signed.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from pycert.errors import CertError
from pycert.kinds import Kind
from pycert.pki.certs import hash_for, leaf_eku, leaf_key_usage, subject
from pycert.pki.keys import PrivateKey
from pycert.pki.reading import eku_name

_SIGNABLE_SANS = (x509.DNSName, x509.IPAddress, x509.UniformResourceIdentifier)


def build_csr(kind: Kind, key: PrivateKey, common_name: str,
              sans: list[x509.GeneralName]) -> x509.CertificateSigningRequest:
    """Subject, KeyUsage, EKU and SANs as the signed certificate will carry them."""
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(subject(common_name, unit=kind.unit))
        .add_extension(leaf_key_usage(key.public_key()), critical=True)
        .add_extension(leaf_eku(kind), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(key, hash_for(key))


def csr_pem(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.PEM)


def parse_csr(data: bytes) -> x509.CertificateSigningRequest:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_csr(data)
        return x509.load_der_x509_csr(data)
    except ValueError as exc:
        raise CertError(f"not a certificate signing request: {exc}") from exc


def check_csr(csr: x509.CertificateSigningRequest, kind: Kind,
              node_user: str) -> tuple[str, list[x509.GeneralName]]:
    """(common name, SANs) of a CSR that suits `kind`; else the reason CockroachDB would
    reject the certificate."""
    if not csr.is_signature_valid:
        raise CertError("the CSR's signature does not verify: it was altered or is corrupt")
    cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(cns) != 1:
        raise CertError(f"the CSR must have exactly one CN, it has {len(cns)}")
    cn = str(cns[0].value)
    if kind.cn == "node-user" and cn != node_user:
        raise CertError(f'a {kind.name} certificate needs CN={node_user}, the CSR has '
                        f'CN="{cn}": CockroachDB nodes authenticate to each other as that user')
    _check_extensions(csr, kind)
    sans = _sans(csr)
    if kind.takes_hosts and not any(isinstance(s, (x509.DNSName, x509.IPAddress))
                                    for s in sans):
        raise CertError(f"the CSR names no host (DNS or IP SAN); a {kind.name} certificate "
                        "needs one")
    odd = [s for s in sans if not isinstance(s, _SIGNABLE_SANS)]
    if odd:
        raise CertError(f"the CSR requests a SAN type pycert does not sign: {odd[0]}")
    return cn, sans


def _check_extensions(csr: x509.CertificateSigningRequest, kind: Kind) -> None:
    exts = csr.extensions
    try:
        if exts.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise CertError("the CSR requests CA:TRUE; a leaf certificate must not "
                            "be a CA")
    except x509.ExtensionNotFound:
        pass
    try:
        usages = exts.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    have = [eku_name(usage) for usage in usages]
    missing = [name for name in kind.eku if name not in have]
    if missing:
        raise CertError(f"the CSR's extended key usage lacks {', '.join(missing)}, which a "
                        f"{kind.name} certificate needs in CockroachDB")


def dns_names(sans: list[x509.GeneralName]) -> list[str]:
    return [str(s.value) for s in sans if isinstance(s, x509.DNSName)]


def _sans(csr: x509.CertificateSigningRequest) -> list[x509.GeneralName]:
    try:
        return list(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return []
