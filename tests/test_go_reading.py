"""pycert's certificate reader against Go's: every case of tests/certcorpus.py is read by
pycert.pki.reading and by Go's x509.ParseCertificate (tests/interop/go/x509read).

Where Go refuses, pycert refuses; where Go accepts, every field pycert reports is Go's.
The exceptions are listed in KNOWN_DIFFERENCES, each with its reason, and the list is
exact: a case that starts to agree fails as surely as one that stops.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import cryptography
import pytest
from cryptography import x509
from cryptography.exceptions import InternalError, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

import certcorpus
from certcorpus import Case, Signer, build
from conftest import FIXTURES, need_tool
from interop.gopeer import build as go_build
from interop.gopeer import run
from pycert.pki import reading, tbs

CORPUS = certcorpus.corpus()
pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a ",  # cryptography's word on serials <= 0 (Go reads them)
    "ignore:Attribute's length",  # and on an empty CN
    "ignore:DSA is deprecated")

# Cases where pycert and Go disagree and pycert cannot follow Go without a second reader
# of the bytes cryptography already parsed. Reasons say which side refuses what.
_TRAILING = "Go ignores bytes after {} (no Empty() check); cryptography refuses them"
_DEFAULT = "DER forbids writing out a DEFAULT value; Go reads it, cryptography refuses it"
_DATES = "Go's cryptobyte reads {}; cryptography takes DER's form only (seconds, Z)"
_SIZE = "cryptography 51 wants SIZE (1..MAX) {}; Go reads an empty one as no names"
_KNOWN_DIFFERENCES: dict[str, str] = {
    "trailing_in_certificate": _TRAILING.format("the signature, inside Certificate"),
    "trailing_in_tbs": _TRAILING.format("the extensions, inside the TBS"),
    "trailing_in_tbs_v1": _TRAILING.format("the public key of a v1 TBS"),
    "trailing_in_extensions_wrapper": _TRAILING.format("the Extensions SEQUENCE in [3]"),
    "trailing_in_extension": _TRAILING.format("an Extension's extnValue"),
    "trailing_in_san_value": _TRAILING.format("GeneralNames in the SAN's OCTET STRING"),
    "bc_trailing_after": _TRAILING.format("the BasicConstraints SEQUENCE"),
    "bc_trailing_inside": _TRAILING.format("pathLenConstraint inside BasicConstraints"),
    "bc_ca_integer": _TRAILING.format("BasicConstraints' first INTEGER (its pathLen)"),
    "ku_trailing": _TRAILING.format("the KeyUsage BIT STRING"),
    "eku_trailing": _TRAILING.format("the ExtendedKeyUsage SEQUENCE"),
    "version_1_explicit": _DEFAULT + " (version v1)",
    "critical_false_explicit": _DEFAULT + " (Extension critical FALSE)",
    "bc_ca_false_explicit": _DEFAULT + " (BasicConstraints cA FALSE)",
    "version_2": "cryptography knows v1 and v3 only (InvalidVersion); Go reads v2, "
                 "ignoring its extensions",
    "cn_printable_star_amp": "Go allows '*' and '&' in a PrintableString (real CAs write "
                             "them); cryptography 45 and later hold to X.680's set",
    "cn_bmp_lone_surrogate": "Go's utf16.Decode reads an unpaired surrogate as U+FFFD; "
                             "cryptography refuses the BMPString",
    "cn_t61_latin1": "Go takes a T61String's bytes as they are; cryptography refuses "
                     "one that is not UTF-8",
    "multivalued_rdn_two_cns": "cryptography wants DER's sorted SET OF in an RDN; Go "
                               "reads the attributes in their written order",
    "empty_rdn": "cryptography refuses an empty RDN; Go skips it",
    "utctime_no_seconds": _DATES.format("a UTCTime without seconds"),
    "utctime_offset": _DATES.format("a UTCTime with a +hhmm offset"),
    "generalized_offset": _DATES.format("a GeneralizedTime with a +hhmm offset"),
    "san_empty": _SIZE.format("in GeneralNames"),
    "san_empty_critical": _SIZE.format("in GeneralNames"),
    "eku_empty": "cryptography 44 and later want SIZE (1..MAX) KeyPurposeIds; Go reads "
                 "an empty ExtendedKeyUsage as none (any usage)",
    "san_x400_address": "cryptography refuses x400Address names (unsupported); Go skips "
                        "SAN entries of kinds it does not use",
    "san_universal_tag": "Go takes any tag in GeneralNames and skips unknown ones; "
                         "cryptography refuses a tag that is no GeneralName",
    "bc_pathlen_without_ca": "cryptography refuses a pathLenConstraint without cA TRUE; "
                             "Go reads it (not a CA)",
    "bc_negative_pathlen": "cryptography refuses a negative pathLenConstraint; Go reads "
                           "-1 as 'no limit'",
    "key_rsa_even_exponent": "cryptography 50 and later refuse to load an RSA key with an "
                             "even exponent; Go asks only for a positive one",
    "uri_space_in_path": "Go reports url.URL.String(), which re-escapes the path "
                         "('a%20b'); pycert keeps the SAN's text rather than re-implement "
                         "net/url's escaping",
}

# Refusals that pycert words exactly as Go does. The other refusals keep cryptography's
# text: Go's depends on where its parser stopped, which cryptography does not say.
_GO_WORDS = {
    "trailing_after_certificate", "second_certificate_after", "version_5",
    "cn_octet_string", "cn_visible_string", "cn_universal_string", "duplicate_extension",
    "algorithm_mismatch", "ip_length_8", "ip_length_32", "dns_non_ascii", "email_non_ascii",
    "uri_non_ascii", "uri_bad_escape", "uri_control_char", "uri_bad_port",
    "uri_empty_label", "uri_trailing_dot", "uri_space_in_host", "uri_missing_scheme",
    "uri_fragment_bad_escape", "uri_host_escape", "uri_ipv6_unclosed",
    "uri_colon_first_segment", "uri_ipv6_junk_after", "key_rsa_no_null", "key_ec_compressed", "key_ec_brainpool",
    "key_ec_secp256k1", "cn_printable_bad_char", "cn_numeric_bad",
}

# The cryptography major from which a difference holds (before it, cryptography reads
# the case as Go does), and the one until which pycert's own check words a refusal (from
# it, cryptography refuses first, in its words). pyproject allows cryptography >= 42.
_SINCE = {"eku_empty": 44, "cn_printable_star_amp": 45, "key_rsa_even_exponent": 50,
          "san_empty": 51, "san_empty_critical": 51}
_UNTIL = {"cn_printable_bad_char": 45, "cn_numeric_bad": 51}
CRYPTOGRAPHY = int(cryptography.__version__.split(".")[0])
KNOWN_DIFFERENCES = {name: reason for name, reason in _KNOWN_DIFFERENCES.items()
                     if _SINCE.get(name, 0) <= CRYPTOGRAPHY}
GO_WORDS = {name for name in _GO_WORDS if _UNTIL.get(name, 1000) > CRYPTOGRAPHY}

# The usages Go 1.19 knows by name (x509.ExtKeyUsage); it keeps the others apart.
GO_EKUS = frozenset({"serverAuth", "clientAuth", "2.5.29.37.0", "1.3.6.1.5.5.7.3.3",
                     "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.5", "1.3.6.1.5.5.7.3.6",
                     "1.3.6.1.5.5.7.3.7", "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9",
                     "1.3.6.1.4.1.311.10.3.3", "2.16.840.1.113730.4.1",
                     "1.3.6.1.4.1.311.2.1.22", "1.3.6.1.4.1.311.61.1.1"})


@pytest.fixture(scope="module")
def ders() -> dict[str, bytes]:
    return {case.name: build(case) for case in CORPUS}


@pytest.fixture(scope="module")
def go_views(tmp_path_factory: pytest.TempPathFactory, ders: dict[str, bytes]
             ) -> dict[str, dict[str, Any]]:
    """Go's reading of every case: {"error": ...} or its view (see x509read/main.go)."""
    go = need_tool("go", "golang-go")
    work = tmp_path_factory.mktemp("x509read")
    binary = go_build(go, work, "x509read")
    paths = []
    for name, der in ders.items():
        paths.append(work / f"{name}.der")
        paths[-1].write_bytes(der)
    res = run([str(binary), *map(str, paths)], timeout=60)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == len(paths)
    return {name: json.loads(line) for name, line in zip(ders, lines)}


def _list(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values else None  # Go's empty slices are nil: null in JSON


def _name(name: reading.Name) -> dict[str, Any]:
    return {"cn": name.cn or "", "o": _list(name.o), "ou": _list(name.ou)}


def _time(value: Any) -> str:
    return str(value.strftime("%Y-%m-%dT%H:%M:%SZ"))


def pycert_view(der: bytes) -> dict[str, Any]:
    """pycert's reading in the shape of x509read's output."""
    try:
        f = reading.read(der)
    except reading.Unreadable as exc:
        return {"error": str(exc)}
    key = f.key
    for oid, named in reading.UNREAD_KEYS.items():  # Go names such a key by its OID only
        if key == named:
            key = reading.KeyInfo(oid, None, None)
    eku = f.eku or ()  # () would be a usage list Go cannot have: kept apart from None
    eku_empty = [] if f.eku == () else None
    return {"subject": _name(f.subject), "issuer": _name(f.issuer),
            "raw_subject": f.raw_subject.hex(), "raw_issuer": f.raw_issuer.hex(),
            "dns": _list(f.dns), "ip": _list(f.ip), "uri": _list(f.uri), "is_ca": f.is_ca,
            "eku": _list(tuple(u for u in eku if u in GO_EKUS)) or eku_empty,
            "eku_unknown": _list(tuple(u for u in eku if u not in GO_EKUS)) or eku_empty,
            "serial": f.serial_hex, "not_before": _time(f.not_before),
            "not_after": _time(f.not_after), "key": key.type, "key_size": key.size,
            "curve": key.curve}


def agrees(mine: dict[str, Any], go: dict[str, Any]) -> bool:
    """Both refuse, or both read the same values (Go's version field is its own)."""
    if "error" in go or "error" in mine:
        return "error" in go and "error" in mine
    return mine == {k: v for k, v in go.items() if k != "version"}


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_reads_as_go_does(case: Case, ders: dict[str, bytes],
                          go_views: dict[str, dict[str, Any]]) -> None:
    mine, go = pycert_view(ders[case.name]), go_views[case.name]
    if case.name in KNOWN_DIFFERENCES:
        assert not agrees(mine, go), (f"{case.name} now reads as Go does: drop it from "
                                      f"KNOWN_DIFFERENCES ({KNOWN_DIFFERENCES[case.name]})")
    elif "error" in go:
        assert "error" in mine, f"{case.description}: Go refuses ({go['error']}), pycert reads {mine}"
    else:
        assert mine == {k: v for k, v in go.items() if k != "version"}, case.description


def test_known_differences_are_corpus_cases() -> None:
    names = {case.name for case in CORPUS}
    assert names >= set(_KNOWN_DIFFERENCES) | _GO_WORDS
    assert names >= set(_SINCE) | set(_UNTIL)
    assert set(_SINCE) <= set(_KNOWN_DIFFERENCES) and set(_UNTIL) <= _GO_WORDS


def test_refusals_in_gos_words(ders: dict[str, bytes],
                               go_views: dict[str, dict[str, Any]]) -> None:
    """Exactly the GO_WORDS cases are refused with Go's message, byte for byte."""
    same = {name for name, der in ders.items()
            if "error" in go_views[name]
            and pycert_view(der).get("error") == go_views[name]["error"]}
    assert same == GO_WORDS


def test_what_a_directory_shares_reads_the_same(ders: dict[str, bytes]) -> None:
    """read(der, shared) with one Shared for the whole corpus answers as read(der) alone."""
    names = reading.Shared()
    for der in ders.values():
        try:
            alone: object = reading.read(der)
        except reading.Unreadable as exc:
            alone = str(exc)
        try:
            shared: object = reading.read(der, names)
        except reading.Unreadable as exc:
            shared = str(exc)
        assert shared == alone


# -- pki.tbs: the one byte-level read, held to cryptography's answers -------------------

def _owned_certificates() -> list[tuple[str, bytes, bytes | None]]:
    """Every certificate the test suite owns that cryptography parses: tests/data/** and
    the corpus cases, each with the inner signature algorithm it was built with (None
    where only cryptography knows it)."""
    out: list[tuple[str, bytes, bytes | None]] = []
    data = FIXTURES.parent
    for path in sorted(data.rglob("*")):
        if path.suffix in {".crt", ".pem"}:
            for cert in x509.load_pem_x509_certificates(path.read_bytes()):
                out.append((str(path.relative_to(data)), cert.public_bytes(Encoding.DER), None))
    for case in CORPUS:
        der = build(case)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # as pytestmark: this runs at collection
                cert = x509.load_der_x509_certificate(der)
                cert.subject  # noqa: B018 - names are parsed when asked for
                cert.issuer  # noqa: B018
        except Exception:  # noqa: BLE001 - ValueError, InvalidVersion; KeyError in 42
            continue
        inner = case.inner_algorithm or certcorpus.corpus_signer().algorithm
        out.append((case.name, der, inner))
    return out


OWNED = _owned_certificates()


def _contents(element: bytes) -> bytes:
    assert tbs.element_end(element) == len(element)
    return element[2 + (element[1] & 0x7F) * (element[1] >> 7):]


@pytest.mark.parametrize(("label", "der", "inner"), OWNED, ids=[o[0] for o in OWNED])
def test_tbs_head_slices_are_cryptographys(label: str, der: bytes, inner: bytes | None) -> None:
    """Raw names are cryptography's Names byte for byte; the two algorithm slices are
    equal (where the certificate was built so) and name cryptography's algorithm."""
    cert = x509.load_der_x509_certificate(der)
    head = tbs.head(der)
    assert head.subject == cert.subject.public_bytes()
    assert head.issuer == cert.issuer.public_bytes()
    algorithm = certcorpus.oid(cert.signature_algorithm_oid.dotted_string)
    assert _contents(head.outer_algorithm).startswith(algorithm)  # cryptography's is outer
    assert _contents(head.key_algorithm).startswith(certcorpus.oid(head.key_oid))
    if hasattr(cert, "public_key_algorithm_oid"):  # cryptography 43 and later
        assert head.key_oid == cert.public_key_algorithm_oid.dotted_string
    spki = head.public_key_info
    assert _contents(spki).startswith(head.key_algorithm)
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm, InternalError):  # InternalError: OpenSSL in 42
        return
    # cryptography writes these keys otherwise than the certificate does: uncompressed,
    # with NULL parameters, as rsaEncryption.
    written_otherwise = label in {"key_ec_compressed", "key_rsa_no_null", "key_rsa_pss"}
    assert (spki == key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
            ) != written_otherwise
    if label == "algorithm_mismatch":
        assert head.outer_algorithm == certcorpus.ED25519_ALG != head.inner_algorithm
    else:
        assert head.outer_algorithm == head.inner_algorithm
    if inner is not None:
        assert head.inner_algorithm == inner


def test_tbs_covers_the_fixtures_and_the_corpus() -> None:
    labels = {o[0] for o in OWNED}
    assert {"cockroach-test-certs/ca.crt", "cockroach-test-certs/node.crt"} <= labels
    assert {"baseline", "several_cns", "algorithm_mismatch"} <= labels


# -- the builder: a case signed by a real CA, as tests drop it into a certs dir ----------

def test_a_case_signed_by_a_real_ca_verifies(tmp_path: Path) -> None:
    ca = x509.load_pem_x509_certificate((FIXTURES / "ca.crt").read_bytes())
    key = load_pem_private_key((FIXTURES / "ca.key").read_bytes(), None)
    der = build(certcorpus.case("several_cns"), Signer.of(ca, key))  # type: ignore[arg-type]
    cert = x509.load_der_x509_certificate(der)
    cert.verify_directly_issued_by(ca)
    assert reading.read(der).subject.cn == "admin"
    assert reading.read(der).raw_issuer == tbs.head(ca.public_bytes(Encoding.DER)).subject
