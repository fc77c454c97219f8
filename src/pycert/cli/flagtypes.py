"""The value types of pycert's flags: each fails in pflag's words (`invalid argument "x"
for "--flag" flag: ...`, exit 4), as cockroach's flags do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

import click

from pycert.cli.cobra import FlagError, flag_error
from pycert.errors import CertError
from pycert.gocompat import GoSyntaxError, parse_duration, parse_int


def _flag(param: click.Parameter | None) -> str:
    return "--" + ((param.name if param else "") or "").replace("_", "-")


class _GoValue(click.ParamType):
    """A flag value read by one of gocompat's Go parsers, failing as pflag does."""

    parse: Callable[[str], int]

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        try:
            return type(self).parse(str(value))
        except GoSyntaxError as exc:
            raise flag_error(str(value), _flag(param), str(exc)) from None


class GoInt(_GoValue):
    """Go's strconv.ParseInt(s, 0, 64)."""

    name = "int"
    parse = staticmethod(parse_int)


class GoDuration(_GoValue):
    """Go duration syntax (`8760h`, `1h30m`) plus `d` and 366-day `y`; nanoseconds."""

    name = "duration"
    parse = staticmethod(parse_duration)


class Choice(click.ParamType):
    """A fixed set of values, failing as cockroach's enum flags do (a flag error); its
    help ends in `One of: <values>.` (tests/test_first_minutes.py holds every flag to it)."""

    name = "string"

    def __init__(self, values: tuple[str, ...], what: str, *, ignore_case: bool = False) -> None:
        self.values, self.what, self.ignore_case = values, what, ignore_case

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> str:
        if self.ignore_case:  # the value as the list spells it, as OpenSSL reads its names
            value = next((v for v in self.values if v.lower() == str(value).lower()), value)
        if value not in self.values:
            raise flag_error(str(value), _flag(param), f"invalid {self.what}: {value} "
                             f"(possible values: {', '.join(self.values)})")
        return str(value)


class ChoiceList(click.ParamType):
    """A comma-separated list of fixed values, as pflag's StringSlice: `--store=system,nss`;
    a value outside `values` fails as Choice does, and its help ends in `One of: <values>.`
    too."""

    name = "list"

    def __init__(self, values: tuple[str, ...], what: str) -> None:
        self.values, self.what = values, what

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        items = tuple(item.strip() for item in str(value).split(","))
        for item in items:
            if item not in self.values:
                raise flag_error(str(value), _flag(param), f"invalid {self.what}: {item} "
                                 f"(possible values: {', '.join(self.values)})")
        return items


class Rfc3339(click.ParamType):
    """An RFC 3339 instant with an explicit zone, e.g. `2027-01-01T00:00:00Z`."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value)
        try:
            when = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None or "T" not in text.upper():
            raise flag_error(text, _flag(param),
                             "want an RFC 3339 time such as 2027-01-01T00:00:00Z")
        return when.astimezone(dt.timezone.utc)


class Threshold(click.ParamType):
    """`30d`, `720h` (time left) or `10%` (share of the lifetime left), for `check`."""

    name = "duration|percent"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> Any:
        from pycert.certdir.thresholds import parse_threshold

        try:
            return parse_threshold(str(value))
        except ValueError as exc:
            raise flag_error(str(value), _flag(param), str(exc)) from None


class TenantList(click.ParamType):
    """A comma-separated tenant id (`ids`) or name (`names`) list, checked per occurrence
    like a pflag Value."""

    name = "list"

    def __init__(self, of: Literal["ids", "names"]) -> None:
        self.of = of

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> Any:
        from pycert import identities

        if isinstance(value, list):
            return value
        parse = identities.parse_tenant_scope if self.of == "ids" else \
            identities.parse_tenant_name_scope
        try:
            return parse(str(value))
        except CertError as exc:
            raise FlagError(exc.message) from exc
