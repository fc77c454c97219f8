"""The naive peer for P5: read and parse every certificate with `cryptography`, print TSV.

What anyone would write first: one `load_pem_x509_certificates` per file, the same row
fields as `pycert list` (usage, file, key file, expiry, CN or addresses), no key checks.
Usage: python naive_list.py <certs-dir>
"""

from __future__ import annotations

import os
import sys

from cryptography import x509
from cryptography.x509.oid import NameOID


def row(directory: str, name: str) -> str:
    with open(os.path.join(directory, name), "rb") as handle:
        certs = x509.load_pem_x509_certificates(handle.read())
    cert = certs[0]
    after = cert.not_valid_after_utc
    expires = f"{after.year:04d}/{after.month:02d}/{after.day:02d}"
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        addresses = ",".join(san.get_values_for_type(x509.DNSName)
                             + [str(ip) for ip in san.get_values_for_type(x509.IPAddress)])
    except x509.ExtensionNotFound:
        addresses = ""
    key = name[:-4] + ".key"
    key = key if os.path.exists(os.path.join(directory, key)) else ""
    notes = f"user: {cn[0].value}" if cn and not addresses else f"addresses: {addresses}"
    return "\t".join((name.split(".")[0], name, key, expires, notes, ""))


def main() -> None:
    directory = sys.argv[1]
    out = ["Usage\tCertificate File\tKey File\tExpires\tNotes\tError"]
    out += [row(directory, n) for n in sorted(os.listdir(directory)) if n.endswith(".crt")]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
