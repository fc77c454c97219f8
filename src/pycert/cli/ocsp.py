"""`create-ocsp-signer` and `ocsp-responder`: OCSP answers from the ledger, signed by a
short-lived delegated certificate, so the CA key stays offline (pycert extension;
docs/ocsp-responder.md, docs/create-ocsp-signer.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, flag_error, write_err, write_out
from pycert.errors import CertError

if TYPE_CHECKING:
    from pycert.certdir.install import Outcome
    from pycert.certdir.responder import Responder

SIGNER_KEY_TYPES = ("ecdsa", "rsa")


@flags.common
@flags.ca_key_option
@flags.ledger
@flags.issuer_option
@click.option("--lifetime", type=flagtypes.GoDuration(), default="168h",
              help="How long the signer is valid; run this again before then (daily from cron "
              "with the default). [default: 168h0m0s]")
@click.option("--key-type", type=flagtypes.Choice(SIGNER_KEY_TYPES, "key type"), default="ecdsa",
              show_default=True,
              help="The signer's key: ecdsa is P-256 (fast to sign with), rsa 2048 bits. "
              "One of: ecdsa, rsa.")
@click.option("--out-dir", default="", metavar="<path>",
              help="Write <CA key name>.ocsp.pem here instead of beside the CA key.")
@click.option("--json", "json_out", is_flag=True,
              help="Print a JSON manifest of the file written.")
@click.argument("args", nargs=-1)
def _create_signer(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.cli.create import no_args, report
    from pycert.pki.specs import Lifetime

    no_args("create-ocsp-signer", args)
    flags.positive_duration(opts, "lifetime")
    flags.setup(opts)
    outcome = flags.directory(opts).create_ocsp_signer(
        ca_key=flags.ca_key(opts), issuer=opts["issuer"], lifetime=Lifetime(opts["lifetime"]),
        key_type=opts["key_type"], out_dir=opts["out_dir"], ledger=opts["ledger"] or "",
        ca_key_password=flags.ca_key_password(opts))
    if opts["json_out"]:
        report([outcome], opts)
    else:
        write_out(signer_text(outcome))


def signer_text(outcome: Outcome) -> str:
    from pycert.pki.describe import rfc3339

    cert = outcome.fields
    assert cert is not None
    return (f"wrote {outcome.paths[0]} (0600): the OCSP signer of {outcome.signer_path}, valid "
            f"until {rfc3339(cert.not_after)}; a running pycert ocsp-responder picks it up; "
            "make the next one before then\n")


@flags.common
@flags.ledger_key
@flags.ledger
@click.option("--listen", default="127.0.0.1:8080", metavar="<host:port>", show_default=True,
              help="Address to serve HTTP on: host:port, [v6]:port or :port (every address); "
              "port 0 takes any free one (e.g. 127.0.0.1:0; the address is printed).")
@click.option("--signer-dir", default="", metavar="<path>",
              help="Where the signers (*.ocsp.pem, from create-ocsp-signer) are. [default: "
              "the directory of --ca-key, else of the ledger]")
@click.option("--next-update", type=flagtypes.GoDuration(), default="1h",
              help="How long an answer may be cached by clients (its nextUpdate). "
              "[default: 1h0m0s]")
@click.option("--read-timeout", type=flagtypes.GoDuration(), default="10s",
              help="Time a connection has to send each request; slower ones are closed. "
              "[default: 10s]")
@click.option("--max-connections", type=flagtypes.GoInt(), default=256, show_default=True,
              help="Connections served at once; more are closed at once.")
@click.argument("args", nargs=-1)
def _responder(args: tuple[str, ...], **opts: Any) -> None:
    import datetime as dt

    from pycert.cli.create import no_args

    no_args("ocsp-responder", args)
    host, port = listen_address(opts["listen"])
    if opts["max_connections"] < 1:
        raise flag_error(str(opts["max_connections"]), "--max-connections", "must be positive")
    for name in ("next_update", "read_timeout"):
        flags.positive_duration(opts, name)
    flags.setup(opts)
    responder = flags.directory(opts).ocsp_responder(
        ca_key=flags.ca_key(opts), ledger=opts["ledger"] or "", signer_dir=opts["signer_dir"],
        next_update=dt.timedelta(microseconds=opts["next_update"] // 1000))
    serve(responder, host, port, opts["max_connections"], opts["read_timeout"] / 1e9)


def listen_address(text: str) -> tuple[str, int]:
    """`host:port`, `[::1]:port`, `:port` -> (host, port); "" host means every address."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise flag_error(text, "--listen", "want host:port, [ipv6]:port or :port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "::", int(port)


def serve(responder: Responder, host: str, port: int, max_connections: int,
          deadline: float) -> None:
    """Serves until SIGTERM or SIGINT, then stops cleanly: no new connections, the requests
    in flight finished (2 s at most), exit 0."""
    import signal
    import threading

    from pycert.cli.ocsp_http import OcspServer
    from pycert.pki.ocsp import request_from_path

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        server = OcspServer((host, port), responder, request_from_path,
                            max_connections=max_connections, deadline=deadline)
    except OSError as exc:
        if host != "::":
            raise CertError(f"could not listen on {host}:{port}: {exc.strerror or exc}") \
                from exc
        try:  # ":port" on a host without IPv6: every IPv4 address
            server = OcspServer(("0.0.0.0", port), responder, request_from_path,
                                max_connections=max_connections, deadline=deadline)
        except OSError as again:
            raise CertError(f"could not listen on :{port}: {again.strerror or again}") \
                from again
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="pycert-ocsp", daemon=True)
    thread.start()
    write_out(f"listening on http://{shown}:{bound_port}\n" + startup_text(responder))
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    server.drain(2.0)
    write_err("ocsp-responder: stopped\n")


def startup_text(responder: Responder) -> str:
    from pycert.certdir.ledger import serial_text
    from pycert.pki.certs import utcnow
    from pycert.pki.describe import rfc3339

    snap = responder.snapshot
    lines = [f"  ledger {responder.ledger_path}: {len(snap.book.entries)} certificates"]
    seen = set()
    for signer in snap.signers.values():
        if signer.path not in seen:
            seen.add(signer.path)
            ends = signer.cert.not_valid_after_utc
            lines.append(f"  signer {signer.path} for {signer.ca.subject.cn!r} (CA serial "
                         f"{serial_text(signer.ca.serial)}), until {rfc3339(ends)}"
                         + (" - EXPIRED: its CA's answers are tryLater until "
                            "pycert create-ocsp-signer makes a new one" if ends < utcnow()
                            else ""))
    for ca in snap.unsigned:
        lines.append(f"  no signer for {ca.subject.cn!r} (CA serial {serial_text(ca.serial)}) of "
                     f"{responder.certs_dir}: requests for its certificates get unauthorized")
    return "\n".join(lines) + "\n"


COMMANDS = [
    command(_create_signer, "create-ocsp-signer",
            "--certs-dir=<path> --ca-key=<path> [--issuer=ca] [--lifetime=168h]",
            long="issue the OCSP responder's delegated certificate (EKU OCSPSigning, 7 days by "
            "default) with the CA key, and write it with its key to <CA key name>.ocsp.pem "
            "beside the CA key; run it again before it ends"),
    command(_responder, "ocsp-responder",
            "--certs-dir=<path> --ca-key=<path> --listen=<host:port>",
            long="answer OCSP requests (RFC 6960, HTTP GET and POST) from the ledger: good, "
            "revoked (time, reason) or unknown, signed by the *.ocsp.pem signers; reloads "
            "what changes on disk; stops cleanly on SIGTERM"),
]
