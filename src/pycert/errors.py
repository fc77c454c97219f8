"""The one exception type that carries a user-facing failure up to the CLI."""

from __future__ import annotations

# Exit codes, as cockroach uses them (pkg/cli/exit/codes.go).
EXIT_ERROR = 1
EXIT_FLAG = 4


class CertError(Exception):
    """A failure the user must see: message, optional hint, exit code.

    `decorated` marks certificate-loading failures, which cockroach prints
    behind its "cannot load certificates" advice paragraph.
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

    def wrap(self, prefix: str) -> CertError:
        """Adds a `<prefix>: ` in front, as Go's error wrapping does."""
        return CertError(
            f"{prefix}: {self.message}",
            hint=self.hint,
            exit_code=self.exit_code,
            decorated=self.decorated,
            prefixed=self.prefixed,
        )
