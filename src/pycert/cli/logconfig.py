"""The one thing pycert reads from a cockroach logging configuration (`--log`,
`--log-config-file`): the stderr sink's `filter`, found by a real YAML parser.

The shape is cockroach's (pkg/util/log/logconfig): `sinks: {stderr: {filter: ...}}`;
`sinks: file-groups: stderr:` is a file group that happens to be named `stderr`, not the
stderr sink. What cannot be honoured is refused in one line, never read as another
severity.
"""

from __future__ import annotations

from typing import Any

from pycert.errors import CertError

_ABSENT = object()  # a key that is not there, or a text that holds no YAML document
_PATH = (("the configuration", "sinks"), ("sinks", "stderr"), ("sinks: stderr", "filter"))


def stderr_filter(text: str, flag: str) -> str | None:
    """The `sinks: stderr: filter:` severity as written, or None when the text sets none.

    A null on the way (`filter:`, `stderr: ~`) resets that section, as Go's yaml does, and
    cockroach turns the reset filter into NONE.
    """
    node: Any = _load(text, flag)
    for where, key in _PATH:
        if node is _ABSENT:
            return None
        if node is None:
            return "NONE"
        if not isinstance(node, dict):
            raise CertError(f"{flag}: {where} must be a YAML mapping such as "
                            f"'sinks: {{stderr: {{filter: INFO}}}}', not {_kind(node)}",
                            prefixed=False)
        node = node.get(key, _ABSENT)
    if node is _ABSENT:
        return None
    if node is None:
        return "NONE"
    if isinstance(node, (str, int)):
        return str(node)
    raise CertError(f"{flag}: sinks: stderr: filter must be a severity such as INFO, "
                    f"not {_kind(node)}", prefixed=False)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else f"the scalar {value!r}"


def _load(text: str, flag: str) -> Any:
    """PyYAML's safe loader, keeping scalars as written (as Go's yaml gives a string field
    the scalar's text: `filter: 0x2` stays "0x2", which cockroach refuses too)."""
    import yaml  # lazy: a runtime dependency only --log and --log-config-file need

    loader = _loader(yaml)(text)
    try:
        node = loader.get_single_node()
        return _ABSENT if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise CertError(f"{flag}: invalid YAML: {what}{where}",
                        prefixed=False) from None
    except yaml.YAMLError as exc:
        raise CertError(f"{flag}: invalid YAML: {exc}", prefixed=False) from None
    finally:
        loader.dispose()


def _loader(yaml: Any) -> Any:
    """A SafeLoader that resolves only null implicitly and refuses duplicate keys, which
    Go's strict decoding refuses too (PyYAML would keep the last)."""

    class TextScalars(yaml.SafeLoader):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: list[Any] = []
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.append(key)
            return super().construct_mapping(node, deep)  # type: ignore[no-any-return]

    TextScalars.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag.endswith(":null")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return TextScalars
