"""Makes a certs dir of N client certificates as cockroach makes them, each with its own key,
for the record benchmarks (P8, P9, P11; issue 19).

    <dir>/ca.crt                     the CA (cockroach's CA profile); its key is written
                                     beside the dir, as <dir>.ca.key, never inside it
    <dir>/client.userNNNNN.crt       O=Cockroach, CN=userNNNNN, KeyUsage (critical),
                                     EKU clientAuth, AKID, a random 128-bit serial
    <dir>/client.userNNNNN.key       0600, PKCS#1 PEM: a distinct RSA-2048 key per client

Names are deterministic (user00000, user00001, ...); the dates are spread out per client,
NotBefore 1-1000 days back and lifetimes of 1500-1830 days (to the second), so every
client stays valid for 499 days or more after the dir is made and no two certificates
share a date.

Key generation is the slow part (about 50 ms of CPU per RSA-2048 key): the keys come from
a pool file (`--pool`, default bench/.build/rsa2048-pool.pem) that grows on demand, with
keys generated on every core (a process per core), and is reused by every later dir: dirs
of 1,000, 3,000 and 10,000 clients take their keys from the same 10,000. Within a dir no
two certificates share a key. Signing and writing the files also runs on every core.
Usage: python gen_dir.py <certs-dir> <n-clients> [--pool FILE] [--jobs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from gen_certs import name, usage, write  # the same profile and writer as the P5 dirs

HERE = Path(__file__).resolve().parent
PEM = serialization.Encoding.PEM
END = b"-----END RSA PRIVATE KEY-----\n"
TASK = 50  # keys per task: small enough that every core keeps busy to the end


def serial() -> int:
    """cockroach's serial: a random integer below 2^128."""
    return int.from_bytes(os.urandom(16), "big") or 1


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def load_key(pem: bytes) -> rsa.RSAPrivateKey:
    """A key of the pool, read without OpenSSL's full RSA check (~40 ms a key): made here."""
    key = serialization.load_pem_private_key(pem, None, unsafe_skip_rsa_key_validation=True)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


# -- the key pool ------------------------------------------------------------------------

def generate(count: int) -> list[bytes]:
    """`count` new RSA-2048 keys, PKCS#1 PEM (one task of a worker process)."""
    return [key_pem(new_key()) for _ in range(count)]


def read_pool(path: Path) -> list[bytes]:
    """The pool's complete keys; a tail cut short by an interrupted run is dropped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    keys = [block + END for block in data.split(END)[:-1]]
    if sum(map(len, keys)) != len(data):
        path.write_bytes(b"".join(keys))
    return keys


def key_pool(path: Path, count: int, jobs: int) -> list[bytes]:
    """The first `count` keys of the pool, generating (on `jobs` processes) what it lacks."""
    keys = read_pool(path)
    missing = count - len(keys)
    if missing <= 0:
        return keys[:count]
    print(f"gen_dir: generating {missing} RSA-2048 keys on {jobs} processes "
          f"(pool {path}, {len(keys)} cached)", file=sys.stderr, flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    per = max(1, min(TASK, -(-missing // jobs)))
    sizes = [min(per, missing - i) for i in range(0, missing, per)]
    start = time.monotonic()
    with open(path, "ab") as out, ProcessPoolExecutor(jobs) as pool:
        for done, batch in enumerate(pool.map(generate, sizes), 1):
            out.write(b"".join(batch))  # in order, appended as each task ends: resumable
            out.flush()
            keys.extend(batch)
            if done % 20 == 0 or done == len(sizes):
                print(f"gen_dir: {len(keys)}/{count} keys, {time.monotonic() - start:.0f} s",
                      file=sys.stderr, flush=True)
    return keys[:count]


# -- the dir -----------------------------------------------------------------------------

def dates(i: int, anchor: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Client i's NotBefore and NotAfter: spread out, the same for the same i and anchor."""
    rng = random.Random(i)
    before = anchor - dt.timedelta(days=rng.randint(1, 1000), seconds=rng.randrange(86400))
    after = before + dt.timedelta(days=rng.randint(1500, 1830), seconds=rng.randrange(86400))
    return before, after


def sign_clients(directory: str, first: int, pems: list[bytes], ca_pem: bytes,
                 ca_der: bytes, anchor: dt.datetime) -> int:
    """Signs and writes clients first .. first+len(pems)-1 (one task of a worker process)."""
    ca_key = load_key(ca_pem)
    ca = x509.load_der_x509_certificate(ca_der)
    akid = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
    for i, pem in enumerate(pems, first):
        user = f"user{i:05d}"
        key = load_key(pem)
        before, after = dates(i, anchor)
        cert = (x509.CertificateBuilder().subject_name(name(user)).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(serial())
                .not_valid_before(before).not_valid_after(after)
                .add_extension(usage(False), critical=True)
                .add_extension(eku, critical=False)
                .add_extension(akid, critical=False)
                .sign(ca_key, hashes.SHA256()))
        write(os.path.join(directory, f"client.{user}.crt"), cert.public_bytes(PEM), 0o644)
        write(os.path.join(directory, f"client.{user}.key"), pem, 0o600)
    return len(pems)


def make_dir(directory: str, count: int, pool_path: Path, jobs: int) -> None:
    keys = key_pool(pool_path, count, jobs)
    if len(set(keys)) != count:
        raise SystemExit(f"gen_dir: the pool {pool_path} repeats a key")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if any(Path(directory).glob("*.crt")):
        raise SystemExit(f"gen_dir: {directory} already holds certificates")
    anchor = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    ca_key = new_key()  # the CA's own, never one of the clients'
    ca_pem = key_pem(ca_key)
    write(directory.rstrip("/") + ".ca.key", ca_pem, 0o600)
    ca_name = name("Cockroach CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(serial())
          .not_valid_before(anchor - dt.timedelta(days=1002))
          .not_valid_after(anchor + dt.timedelta(days=3660))
          .add_extension(usage(True), critical=True)
          .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    write(os.path.join(directory, "ca.crt"), ca.public_bytes(PEM), 0o644)
    ca_der = ca.public_bytes(serialization.Encoding.DER)
    per = max(1, min(500, -(-count // jobs)))
    with ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(sign_clients, directory, first, keys[first:first + per], ca_pem,
                               ca_der, anchor) for first in range(0, count, per)]
        written = sum(f.result() for f in futures)
    assert written == count


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("directory")
    ap.add_argument("count", type=int)
    ap.add_argument("--pool", default=str(HERE / ".build" / "rsa2048-pool.pem"),
                    help="the cached RSA-2048 keys, grown on demand")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes (default: one per core)")
    args = ap.parse_args(argv)
    make_dir(args.directory, args.count, Path(args.pool), max(1, args.jobs))


if __name__ == "__main__":
    main()
