"""Asking a person at the terminal: a password, without echo, and only when there is one.

getpass falls back to reading a pipe with echo on, so nothing is asked unless standard
input is a terminal; the answer is kept for the one command that asked (a closure), never
in the environment or a log.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pycert.errors import CertError

if TYPE_CHECKING:
    from pycert.certdir.passwords import Ask


def on_terminal() -> bool:
    """Whether a person can be asked: getpass would otherwise read a pipe, echoing."""
    return sys.stdin is not None and sys.stdin.isatty()


def asker(prompt: str, confirm: str = "") -> Ask:
    """Asks once per key path (`{path}` in the prompt), without echo; with `confirm`,
    asks twice and fails on a mismatch. An empty answer (or Ctrl-D) gives b""."""
    answers: dict[str, bytes] = {}

    def ask(path: str) -> bytes:
        if path not in answers:
            answers[path] = _read_secret(prompt.format(path=path))
            if confirm and answers[path] and \
                    _read_secret(confirm.format(path=path)) != answers[path]:
                del answers[path]
                raise CertError("the two passwords differ; nothing was changed")
        return answers[path]

    return ask


def _read_secret(prompt: str) -> bytes:
    import getpass

    try:
        return getpass.getpass(prompt).encode("utf-8")
    except EOFError:
        return b""
