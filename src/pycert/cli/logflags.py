"""cockroach's logging flags mapped onto Python's `logging`.

By default only WARNING and above reach stderr, as for cockroach's client commands.
`logging` itself is imported only when a message is due (pycert.log).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from pycert import log
from pycert.cli.cobra import flag_error
from pycert.cli.gen import complete_dir, complete_file
from pycert.errors import CertError

if TYPE_CHECKING:
    import logging

Fn = Callable[..., Any]
# logging's numeric levels (INFO, WARNING, ERROR, CRITICAL), without importing logging.
_SEVERITIES = {"INFO": 20, "WARNING": 30, "ERROR": 40, "FATAL": 50, "NONE": 60}


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
    f = click.option("--logtostderr", default=None, is_flag=False, flag_value="WARNING",
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


_LEGACY = ("logtostderr", "log_dir", "redactable_logs", "log_file_max_size",
           "log_group_max_size", "log_file_verbosity", "sql_audit_dir")


def _stderr_level(opts: dict[str, Any]) -> int:
    config = _config_text(opts)
    if config is not None:
        if any(opts.get(name) for name in _LEGACY):
            raise CertError("--log is incompatible with legacy discrete logging flags",
                            prefixed=False)
        value = stderr_filter(config) or "WARNING"
        flag = "--log"
    else:
        value = opts.get("logtostderr") or "WARNING"
        flag = "--logtostderr"
    level = _SEVERITIES.get(value.upper())
    if level is None:
        raise flag_error(value, flag, f"unknown severity: {value}")
    return level


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


_FLOW = re.compile(r"stderr\s*:\s*\{[^{}]*?\bfilter\s*:\s*([A-Za-z]+)")


def stderr_filter(yaml: str) -> str:
    """The `sinks: stderr: filter:` severity of a cockroach logging config, or ''.

    A deliberately small reader, not a YAML parser: it understands the block form
    (`stderr:` then an indented `filter: INFO`) and the flow form
    (`sinks: {stderr: {filter: INFO}}`). Everything else in the config is ignored.
    """
    match = _FLOW.search(yaml)
    if match:
        return match.group(1)
    lines = yaml.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != "stderr:":
            continue
        indent = len(line) - len(line.lstrip())
        for inner in lines[i + 1 :]:
            if inner.strip() and len(inner) - len(inner.lstrip()) <= indent:
                break
            key, _, value = inner.strip().partition(":")
            if key == "filter" and value.strip():
                return value.strip()
    return ""


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
