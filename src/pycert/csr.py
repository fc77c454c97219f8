"""Certificate signing requests for an offline or HSM-held CA (issue 8); no file I/O.

A CSR made here asks for exactly what cockroach's node/client profile holds; a CSR made
elsewhere is checked against that profile so a certificate that CockroachDB would reject
is never signed.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pycert import pki
from pycert.errors import CertError

_NEEDS = {
    "node": (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
    "client": (ExtendedKeyUsageOID.CLIENT_AUTH,),
    "tenant-client": (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH),
}
_EKU_NAMES = {ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
              ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth"}


def build_csr(profile: str, key: pki.PrivateKey, name: x509.Name,
              sans: list[x509.GeneralName]) -> x509.CertificateSigningRequest:
    """Subject, KeyUsage, EKU and SANs as the signed certificate will carry them."""
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(name)
        .add_extension(pki.leaf_key_usage(key.public_key()), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(_NEEDS[profile])), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(key, pki.hash_for(key))  # type: ignore[arg-type]


def csr_pem(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.PEM)


def parse_csr(data: bytes) -> x509.CertificateSigningRequest:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_csr(data)
        return x509.load_der_x509_csr(data)
    except ValueError as exc:
        raise CertError(f"not a certificate signing request: {exc}") from None


def check_csr(csr: x509.CertificateSigningRequest, profile: str,
              node_user: str) -> tuple[str, list[x509.GeneralName]]:
    """(common name, SANs) of a CSR that suits `profile`; else the reason CockroachDB
    would reject the certificate."""
    if not csr.is_signature_valid:
        raise CertError("the CSR's signature does not verify: it was altered or is corrupt")
    cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    cn = str(cns[0].value) if len(cns) == 1 else ""
    if len(cns) != 1:
        raise CertError(f"the CSR must have exactly one CN, it has {len(cns)}")
    if profile == "node" and cn != node_user:
        raise CertError(f'a node certificate needs CN={node_user}, the CSR has CN="{cn}": '
                        "CockroachDB nodes authenticate to each other as that user")
    exts = csr.extensions
    try:
        bc = exts.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            raise CertError("the CSR requests CA:TRUE; a node or client certificate must not "
                            "be a CA")
    except x509.ExtensionNotFound:
        pass
    try:
        eku = list(exts.get_extension_for_class(x509.ExtendedKeyUsage).value)
        missing = [_EKU_NAMES[o] for o in _NEEDS[profile] if o not in eku]
        if missing:
            raise CertError(f"the CSR's extended key usage lacks {', '.join(missing)}, which a "
                            f"{profile} certificate needs in CockroachDB")
    except x509.ExtensionNotFound:
        pass
    try:
        sans = list(exts.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        sans = []
    if profile == "node" and not any(isinstance(s, (x509.DNSName, x509.IPAddress))
                                     for s in sans):
        raise CertError("the CSR names no host (DNS or IP SAN); a node certificate needs one")
    allowed = (x509.DNSName, x509.IPAddress, x509.UniformResourceIdentifier)
    odd = [s for s in sans if not isinstance(s, allowed)]
    if odd:
        raise CertError(f"the CSR requests a SAN type pycert does not sign: {odd[0]}")
    return cn, sans
