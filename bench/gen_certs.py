"""Makes a certs dir with a CA, a node cert and N client certs, for the `list` benchmarks.

Fast on purpose (it is not what is measured): one RSA key for every leaf, each leaf a real
certificate signed by the CA, with cockroach's client profile.
Usage: python gen_certs.py <certs-dir> <n-clients>
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEM = serialization.Encoding.PEM


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cockroach"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=ca, key_encipherment=True,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                         crl_sign=False, encipher_only=False, decipher_only=False)


def write(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def main() -> None:
    directory, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(directory, mode=0o700, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_name = name("Cockroach CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=3660))
          .add_extension(usage(True), critical=True)
          .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
          .add_extension(ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    write(os.path.join(directory, "ca.crt"), ca.public_bytes(PEM), 0o644)
    key_pem = leaf_key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                     serialization.NoEncryption())
    akid = x509.AuthorityKeyIdentifier(ski.digest, None, None)

    def leaf(cn: str, eku: list[x509.ObjectIdentifier], sans: list[x509.GeneralName]) -> bytes:
        builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca.subject)
                   .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=1830))
                   .add_extension(usage(False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
                   .add_extension(akid, critical=False))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(PEM)

    import ipaddress

    node_sans: list[x509.GeneralName] = [x509.DNSName("localhost"),
                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    write(os.path.join(directory, "node.crt"),
          leaf("node", [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
               node_sans), 0o644)
    write(os.path.join(directory, "node.key"), key_pem, 0o600)
    for i in range(count):
        user = f"user{i:05d}"
        pem = leaf(user, [ExtendedKeyUsageOID.CLIENT_AUTH], [])
        write(os.path.join(directory, f"client.{user}.crt"), pem, 0o644)
        write(os.path.join(directory, f"client.{user}.key"), key_pem, 0o600)


if __name__ == "__main__":
    main()
