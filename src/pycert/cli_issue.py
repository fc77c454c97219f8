"""Opt-in issuance flags beyond cockroach (issue 8): parsed here, acted on in certdir.

Every flag defaults to "off", so without them each command behaves byte for byte as
cockroach's. This module parses and prints only; it holds no crypto and no file rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from pycert.cobra import flag_error

Fn = Callable[..., Any]


class Rfc3339(click.ParamType):
    """An RFC 3339 instant with an explicit zone, e.g. `2027-01-01T00:00:00Z`."""

    name = "time"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value)
        try:
            when = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None or "T" not in text.upper():
            raise flag_error(text, "--not-after",
                             "want an RFC 3339 time such as 2027-01-01T00:00:00Z")
        return when.astimezone(dt.timezone.utc)


def options(f: Fn) -> Fn:
    """Flags every create-* command gains (issue 8)."""
    f = click.option("--not-after", type=Rfc3339(), default=None, metavar="<RFC3339>",
                     help="Certificate end as a date, e.g. 2027-01-01T00:00:00Z; "
                     "replaces --lifetime. (pycert extension)")(f)
    return click.option("--lifetime-policy", type=click.Choice(["error", "clamp"]),
                        default="error", show_default=True,
                        help="When a certificate would outlive its CA: fail (as cockroach) "
                        "or end it with the CA. (pycert extension)")(f)


def leaf_options(f: Fn) -> Fn:
    """Flags of the commands that issue a leaf with host names (issue 8)."""
    return click.option("--san", multiple=True, metavar="<host[,host...]>",
                        help="Extra host names or addresses for the certificate, added after "
                        "the positional hosts; repeatable. (pycert extension)")(f)


def request_fields(opts: dict[str, Any]) -> dict[str, Any]:
    """The extension flags as certdir.Request fields; checks flag combinations."""
    if opts.get("not_after") is not None:
        ctx = click.get_current_context(silent=True)
        source = ctx.get_parameter_source("lifetime") if ctx else None
        if source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP"):
            raise flag_error(opts["not_after"].strftime("%Y-%m-%dT%H:%M:%SZ"), "--not-after",
                             "cannot be combined with --lifetime")
    return {
        "not_after": opts.get("not_after"),
        "lifetime_policy": opts.get("lifetime_policy") or "error",
        "extra_sans": [h for v in opts.get("san") or () for h in v.split(",")],
    }
