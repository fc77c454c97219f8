"""`--log` / `--log-config-file` read by a YAML parser: the stderr sink's filter is honoured
however the YAML spells it, and what cannot be honoured is refused in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import pycert

KEY = "--ca-key=safe/ca.key"
INFO_LINE = re.compile(r"^I\d{6} \d\d:\d\d:\d\d\.\d{6} \d+ \S+:\d+  (.*)$", re.M)
NODE_INFO = ["generated node certificate: certs/node.crt", "generated node key: certs/node.key"]


def _node(ca_dir: Path, *flags: str) -> tuple[int, str]:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, *flags, cwd=ca_dir)
    return res.code, res.err


@pytest.mark.parametrize("config", [
    "sinks: {stderr: {filter: INFO}}",
    "sinks:\n  stderr:\n    filter: INFO  # verbose\n",
    'sinks: {stderr: {filter: "INFO"}}',
    "sinks: {stderr: {filter: 'info'}}",
    "sinks: {stderr: {filter: true}}",
    "sinks: {stderr: {filter: 1}}",
    "{sinks: {stderr: {format: crdb-v2, format-options: {colors: false}, filter: INFO}}}",
    "sinks:\n  file-groups:\n    stderr: {filter: NONE}\n  stderr: {filter: INFO}\n",
    "# a comment\nsinks:\n  stderr:\n    channels: {INFO: [DEV, OPS]}\n    filter: INFO\n",
])
def test_the_stderr_filter_is_honoured(ca_dir: Path, config: str) -> None:
    code, err = _node(ca_dir, f"--log={config}")
    assert code == 0, err
    assert INFO_LINE.findall(err) == NODE_INFO


@pytest.mark.parametrize("config", [
    "sinks:\n  file-groups:\n    stderr:\n      filter: INFO\n",  # a file group, not the sink
    "sinks: {file-groups: {stderr: {filter: INFO}}}",
    "file-defaults: {filter: INFO}",
    "",
    "# only a comment\n",
])
def test_other_filters_leave_stderr_at_warning(ca_dir: Path, config: str) -> None:
    (ca_dir / "certs" / "client.bad.crt").write_text("junk")
    res = pycert("list", "--certs-dir=certs", f"--log={config}", cwd=ca_dir)
    assert res.code == 0, res.err
    assert "could not parse certificate" in res.err and not INFO_LINE.findall(res.err)


@pytest.mark.parametrize("config", [
    "sinks: {stderr: {filter: NONE}}", "sinks: {stderr: {filter: false}}",
    "sinks: {stderr: {filter: }}", "sinks: {stderr: ~}", "sinks:", "~",
    "sinks: {stderr: {filter: 0}}",
])
def test_none_and_null_filters_hide_warnings(ca_dir: Path, config: str) -> None:
    """A null section is a reset in Go's yaml: cockroach then turns the filter into NONE."""
    (ca_dir / "certs" / "client.bad.crt").write_text("junk")
    res = pycert("list", "--certs-dir=certs", f"--log={config}", cwd=ca_dir)
    assert (res.code, res.err) == (0, "")


@pytest.mark.parametrize(("config", "message"), [
    ("sinks: {stderr: {filter: VERBOSE}}",
     '--log: sinks: stderr: filter "VERBOSE" is not a severity: use INFO, WARNING, ERROR, '
     "FATAL, NONE, true, false or a number"),
    ("sinks: {stderr: {filter: yes}}", '--log: sinks: stderr: filter "yes" is not a severity'),
    ("sinks: {stderr: {filter: 0x2}}", '--log: sinks: stderr: filter "0x2" is not a severity'),
    ("sinks: {stderr: {filter: [INFO]}}",
     "--log: sinks: stderr: filter must be a severity such as INFO, not a list"),
    ("INFO", "--log: the configuration must be a YAML mapping such as "
     "'sinks: {stderr: {filter: INFO}}', not the scalar 'INFO'"),
    ("- sinks", "--log: the configuration must be a YAML mapping"),
    ("sinks: [stderr]", "--log: sinks must be a YAML mapping"),
    ("sinks: {stderr: INFO}", "--log: sinks: stderr must be a YAML mapping"),
    ("sinks: {stderr: {filter: INFO", "--log: invalid YAML: "),
    ("sinks:\n  stderr:\n   filter: INFO\n  bad", "--log: invalid YAML: "),
    ("sinks: {stderr: {filter: INFO, filter: ERROR}}",
     "--log: invalid YAML: duplicate key 'filter' at line 1, column 32"),
    ("a: 1\n---\nb: 2\n", "--log: invalid YAML: expected a single document in the stream"),
    ("sinks: {stderr: {filter: !!python/name:os.system }}", "--log: invalid YAML: "),
])
def test_what_cannot_be_honoured_is_refused(ca_dir: Path, config: str, message: str) -> None:
    code, err = _node(ca_dir, f"--log={config}")
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2, err
    assert lines[0].startswith("ERROR: " + message), lines[0]
    assert lines[1] == 'Failed running "cert create-node"'
    assert not (ca_dir / "certs" / "node.crt").exists()


def test_the_file_is_parsed_the_same_way(ca_dir: Path) -> None:
    (ca_dir / "log.yaml").write_text('sinks:\n  stderr:\n    filter: "INFO"   # verbose\n')
    code, err = _node(ca_dir, "--log-config-file=log.yaml")
    assert code == 0 and INFO_LINE.findall(err) == NODE_INFO
    (ca_dir / "bad.yaml").write_text("sinks: {stderr: {filter: LOUD}}\n")
    code, err = _node(ca_dir, "--log-config-file=bad.yaml", "--overwrite")
    assert code == 1
    assert err.startswith('ERROR: --log-config-file: sinks: stderr: filter "LOUD" is not a ')
