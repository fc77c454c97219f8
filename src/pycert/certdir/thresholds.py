"""When a certificate counts as expiring: a time left (`30d`) or a share of its life (`10%`).

`check --warn-within/--fail-within` and `renew --within` read the same grammar.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycert.gocompat import GoSyntaxError, parse_duration


@dataclass(frozen=True)
class Threshold:
    """`30d`/`720h` (time left) or `10%` (share of the certificate's lifetime left)."""

    seconds: float | None = None
    percent: float | None = None

    def hit(self, remaining: float, lifetime: float) -> bool:
        if self.percent is not None:
            return remaining < lifetime * self.percent / 100
        return self.seconds is not None and remaining < self.seconds


def parse_threshold(text: str) -> Threshold:
    """pycert's duration grammar (Go's units, `d`, `y`), or a percentage; else ValueError."""
    if text.endswith("%"):
        try:
            value = float(text[:-1])
        except ValueError:
            raise ValueError(f"percentage {text} is not a number") from None
        if not 0 <= value <= 100:
            raise ValueError(f"percentage {text} is not between 0% and 100%")
        return Threshold(percent=value)
    try:
        return Threshold(seconds=parse_duration(text) / 1e9)
    except GoSyntaxError as exc:
        raise ValueError(str(exc)) from exc
