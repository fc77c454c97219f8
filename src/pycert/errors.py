"""The one exception type that carries a user-facing failure up to the CLI.

Rules, for every layer: `pki` raises `ValueError` (or `CertError` for a rule cockroach
words itself); `certdir` turns OS and parse failures into `CertError` naming the file
and the fix, keeping the cause (`raise ... from exc`, shown with PYCERT_DEBUG=1); only
`cli` prints an error and picks the process's exit code.
"""

from __future__ import annotations

# Exit codes, as cockroach uses them (pkg/cli/exit/codes.go), plus the shell's for SIGINT.
EXIT_ERROR = 1
EXIT_FLAG = 4
EXIT_INTERRUPTED = 130


class CertError(Exception):
    """A failure the user must see: message, optional hint, exit code.

    `decorated` marks certificate-loading failures, which cockroach prints behind its
    "cannot load certificates" advice paragraph; `prefixed=False` marks a message that
    is already whole, so no command prefix is added in front of it.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        exit_code: int = EXIT_ERROR,
        decorated: bool = False,
        prefixed: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.decorated = decorated
        self.prefixed = prefixed

    def wrap(self, prefix: str, *, final: bool = False) -> CertError:
        """Adds a `<prefix>: ` in front, as Go's error wrapping does."""
        outer = CertError(
            f"{prefix}: {self.message}",
            hint=self.hint,
            exit_code=self.exit_code,
            decorated=self.decorated,
            prefixed=self.prefixed and not final,
        )
        outer.__cause__ = self.__cause__
        return outer
