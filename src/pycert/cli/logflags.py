"""cockroach's logging flags mapped onto Python's `logging`.

By default only WARNING and above reach stderr, as for cockroach's client commands.
`logging` itself is imported only when a message is due (pycert.log).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from pycert import log
from pycert.cli.cobra import OptionalValue, flag_error
from pycert.cli.gen import complete_dir, complete_file
from pycert.errors import CertError
from pycert.gocompat import go_quote

if TYPE_CHECKING:
    import logging

Fn = Callable[..., Any]
# cockroach's severities (logpb.Severity) by name and number; TRUE and FALSE are aliases.
SEVERITY_NAMES = {"UNKNOWN": 0, "INFO": 1, "WARNING": 2, "ERROR": 3, "FATAL": 4, "NONE": 5,
                  "DEFAULT": 6, "TRUE": 1, "FALSE": 5}
UNKNOWN, WARNING, NONE, DEFAULT = 0, 2, 5, 6
# logging's numeric level for each cockroach severity a message can have (INFO..FATAL).
_LEVELS = {1: 20, 2: 30, 3: 40, 4: 50}


def options(f: Fn) -> Fn:
    """Adds the logging flags; the hidden ones are accepted and ignored."""
    visible = [
        ("--log", "Logging configuration, as a YAML document."),
        ("--log-config-file", "File name to read the logging configuration from."),
        ("--log-config-vars", "Environment variables to expand in the logging configuration."),
        ("--log-dir", "If non-empty, write log files in this directory."),
    ]
    for name, text in visible:
        done = {"--log-dir": complete_dir, "--log-config-file": complete_file}.get(name)
        f = click.option(name, default=None, metavar="<string>", help=text,
                         shell_complete=done)(f)
    f = click.option("--logtostderr", cls=OptionalValue, no_opt_value="DEFAULT", default=None,
                     metavar="[=<severity>]",
                     help="Write log messages from this severity upwards to stderr.")(f)
    f = click.option("--redactable-logs", is_flag=True, help="Make log entries redactable.")(f)
    for name in ("--log-file-max-size", "--log-group-max-size", "--log-file-verbosity",
                 "--sql-audit-dir"):
        f = click.option(name, default=None, hidden=True)(f)
    f = click.option("--no-color", is_flag=True, hidden=True)(f)
    return click.option("-v", "--verbose", is_flag=True, hidden=True)(f)


def _format(record: logging.LogRecord) -> str:
    """`W261127 12:34:56.789012 <pid> pycert/loader.py:95  message`, cockroach's shape."""
    stamp = time.strftime("%y%m%d %H:%M:%S", time.gmtime(record.created))
    micros = int((record.created % 1) * 1_000_000)
    path = record.pathname.replace(os.sep, "/")
    where = f"pycert/{path.rsplit('/pycert/', 1)[-1]}:{record.lineno}"
    return (f"{record.levelname[0]}{stamp}.{micros:06d} {record.process} {where}  "
            f"{record.getMessage()}")


def _formatter() -> logging.Formatter:
    import logging

    class CockroachFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return _format(record)

    return CockroachFormatter()


def configure(opts: dict[str, Any]) -> None:
    """Sets the stderr threshold (and a log file with --log-dir) from the flags.

    `logging` itself is set up on the first message that some sink takes (pycert.log).
    """
    level = _stderr_level(opts)
    log_dir = opts.get("log_dir")
    file_handler = _file_handler(log_dir) if log_dir else None  # its errors show now

    def setup() -> None:
        import logging

        logger = logging.getLogger("pycert")
        logger.handlers.clear()
        logger.propagate = False
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_formatter())
        handler.setLevel(level)
        logger.addHandler(handler)
        logger.setLevel(min(level, logging.INFO) if file_handler else level)
        if file_handler:
            logger.addHandler(file_handler)

    log.configure(min(level, log.INFO) if file_handler else level, setup)


_LEGACY = ("log_dir", "redactable_logs", "log_file_max_size", "log_group_max_size",
           "log_file_verbosity", "sql_audit_dir")


def parse_severity(value: str) -> int:
    """cockroach's severity parser (logpb.Severity.Set): a name in any case, `true` (INFO),
    `false` (NONE), or a decimal int32; raises ValueError in Go's strconv.Atoi words."""
    named = SEVERITY_NAMES.get(value.upper())
    if named is not None:
        return named
    digits = value[1:] if value[:1] in "+-" else value
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"strconv.Atoi: parsing {go_quote(value)}: invalid syntax")
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError(f"strconv.Atoi: parsing {go_quote(value)}: value out of range")
    return (number + 2**31) % 2**32 - 2**31  # Go's Severity(v): int to int32 wraps


def severity_level(severity: int) -> int:
    """The `logging` level below which stderr drops messages, for a cockroach threshold."""
    if severity <= 1:
        return _LEVELS[1]  # INFO, and every threshold below it, shows every message
    return _LEVELS.get(severity, 60)  # NONE, DEFAULT and anything higher show nothing


def _stderr_level(opts: dict[str, Any]) -> int:
    threshold = _logtostderr(opts.get("logtostderr"))
    config = _config_text(opts)
    if config is None:
        return severity_level(WARNING if threshold in (UNKNOWN, DEFAULT) else threshold)
    if threshold != UNKNOWN or any(opts.get(name) for name in _LEGACY):
        raise CertError("--log is incompatible with legacy discrete logging flags",
                        prefixed=False)
    from pycert.cli.logconfig import stderr_filter

    flag = "--log" if opts.get("log") is not None else "--log-config-file"
    text = stderr_filter(config, flag)
    if text is None:
        return severity_level(WARNING)  # the client commands' default, as without --log
    try:
        threshold = parse_severity(text)
    except ValueError:
        raise CertError(f"{flag}: sinks: stderr: filter {go_quote(text)} is not a severity: "
                        "use INFO, WARNING, ERROR, FATAL, NONE, true, false or a number",
                        prefixed=False) from None
    return severity_level(NONE if threshold == UNKNOWN else threshold)


def _logtostderr(value: str | None) -> int:
    """The --logtostderr threshold; UNKNOWN when absent (cockroach's "not set")."""
    if value is None:
        return UNKNOWN
    try:
        return parse_severity(value)
    except ValueError as exc:
        raise flag_error(value, "--logtostderr", str(exc)) from None


def _config_text(opts: dict[str, Any]) -> str | None:
    """The YAML of --log, or of the file named by --log-config-file; None when neither."""
    if opts.get("log") is not None:
        return str(opts["log"])
    path = opts.get("log_config_file")
    if path is None:
        return None
    from pycert.certdir.files import read_regular

    try:
        return read_regular(path).decode("utf-8", "replace")
    except OSError as exc:
        raise CertError(f"cannot read --log-config-file {path}: {exc.strerror}",
                        prefixed=False) from exc


def _file_handler(directory: str) -> logging.Handler:
    """An INFO log file, 0600 from creation, like the keys it talks about."""
    import logging

    os.makedirs(directory, mode=0o700, exist_ok=True)
    name = f"pycert.{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.{os.getpid()}.log"
    path = os.path.join(directory, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    handler.setFormatter(_formatter())
    handler.setLevel(logging.INFO)
    return handler
