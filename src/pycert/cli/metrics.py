"""`metrics`: certs dirs as Prometheus metrics (CockroachDB's certificate gauges and
pycert's own), on stdout or into a file for node_exporter's textfile collector.

The text format is written here, not by prometheus-client: about 20 lines, twelve times
faster on 10,000 certificates and without its ~70 ms import (docs/metrics.md).
"""

from __future__ import annotations

import errno
import math
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from pycert import log
from pycert.cli import flags
from pycert.cli.cobra import command, write_out
from pycert.cli.gen import complete_file
from pycert.cli.progress import Progress
from pycert.errors import CertError
from pycert.gocompat import go_quote

if TYPE_CHECKING:
    from pycert.certdir.metrics import Checked, Family, Labels

EXIT_UNREADABLE = 3  # written, but a certs dir was missing or unreadable (as `check`'s 3)
MODE = 0o644  # node_exporter runs as its own user: it must be able to read the file


@flags.common_dirs
@flags.check_options
@click.option("--output", default=None, metavar="<file>", shell_complete=complete_file,
              help="Write the metrics to this file instead of standard output: replaced "
              "atomically, mode 0644, so node_exporter's textfile collector never reads half "
              "a file. Its directory must exist.")
@click.argument("args", nargs=-1)
def _metrics(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.metrics import Unchecked, families
    from pycert.identities import parse_principal_map
    from pycert.pki.certs import utcnow

    if args:
        raise CertError(f'unknown command {go_quote(args[0])} for "pycert metrics"',
                        prefixed=False)
    flags.setup(opts)
    principal_map = parse_principal_map(opts["cert_principal_map"])
    now = utcnow()  # one instant for every directory: ttl and timestamps agree
    checks: list[Checked] = []
    for path in flags.certs_dirs(opts):
        with Progress() as progress:
            checks.append(flags.directory(opts, path).observe(
                hosts=opts["hosts"], warn_within=opts["warn_within"],
                fail_within=opts["fail_within"], principal_map=principal_map, now=now,
                tick=progress.callback))
    unread = [c for c in checks if isinstance(c, Unchecked)]
    for check in unread:
        log.warning("%s; its series say so (pycert_check_exit_code 3)", check.error)
    text = exposition(families(checks))
    if opts["output"] is None:
        write_out(text)
    else:
        write_file(opts["output"], text.encode("utf-8"))
    sys.exit(EXIT_UNREADABLE if unread else 0)


def write_file(path: str, data: bytes) -> None:
    """All or nothing, mode 0644 whatever the umask; the temp file's name never ends in
    `.prom` (node_exporter reads every such name, hidden ones too)."""
    from pycert.certdir import files

    item = files.Planned(path, data, MODE, "could not write metrics file")
    if os.path.isdir(path):
        raise item.fail(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    files.commit([item], overwrite=True)


# --- the text exposition format (version 0.0.4) ------------------------------------------

def exposition(families: Iterable[Family]) -> str:
    """Each family's HELP and TYPE, then all of its samples; ends with a newline."""
    out: list[str] = []
    rendered: dict[Labels, str] = {}  # families share label sets: each rendered once
    for family in families:
        name = family.name
        out.append(f"# HELP {name} {help_text(family.help)}\n# TYPE {name} {family.type}\n")
        for labels, value in family.samples:
            text = rendered.get(labels)
            if text is None:
                text = rendered[labels] = "{" + ",".join(
                    [f'{key}="{label_value(v)}"' for key, v in labels]) + "}" if labels else ""
            out.append(f"{name}{text} {number(value)}\n")
    return "".join(out)


def label_value(text: str) -> str:
    """A label value escaped as the format requires: backslash, double quote, newline."""
    if not text.isascii():
        text = utf8(text)
    if "\\" in text or '"' in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return text


def help_text(text: str) -> str:
    """HELP escapes only backslash and newline."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def utf8(text: str) -> str:
    """The format is UTF-8: a file name's undecodable bytes (kept by Python as surrogates)
    are written as the text `\\xNN`, never as bytes Prometheus refuses."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name decodes to (API callers only)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def number(value: float) -> str:
    """Integers as integers; floats as Python's shortest round trip, NaN and ±Inf as the
    format spells them."""
    if type(value) is int:  # the common case first (bool never comes here)
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


COMMANDS = [command(_metrics, "metrics", "--certs-dir=<path>... [--output=<file>]",
                    long="write Prometheus metrics of certs dirs: CockroachDB's certificate "
                    "gauges (security_certificate_*) and pycert's own (pycert_*); exit 0 "
                    "written, 3 written but a certs dir is missing or unreadable, 1 nothing "
                    "written")]
