"""cockroach's logging flags on cert commands, mapped onto Python logging (spec §2.5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import pycert

KEY = "--ca-key=safe/ca.key"
LINE = re.compile(r"^I\d{6} \d\d:\d\d:\d\d\.\d{6} \d+ \S+:\d+  (.*)$")


def info_messages(stderr: str) -> list[str]:
    out = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        if match:
            out.append(match.group(1))
    return out


def test_default_create_commands_are_silent(ca_dir: Path) -> None:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, cwd=ca_dir)
    assert (res.code, res.out, res.err) == (0, "", "")


def test_logtostderr_info_shows_cockroachs_info_lines(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    steps = [
        (["create-ca", KEY], ["generated CA key safe/ca.key",
                              "wrote 1 certificates to c/ca.crt"]),
        (["create-ca", KEY, "--allow-ca-key-reuse", "--overwrite"],
         ["using CA key from file safe/ca.key", "found 1 certificates in c/ca.crt",
          "wrote 2 certificates to c/ca.crt"]),
        (["create-node", "h", KEY], ["generated node certificate: c/node.crt",
                                     "generated node key: c/node.key"]),
        (["create-client", "u", KEY, "--also-generate-pkcs8-key"],
         ["generated client certificate: c/client.u.crt", "generated client key: c/client.u.key",
          "generated PKCS8 client key: c/client.u.key.pk8"]),
        (["create-tenant-client", "9", "h", KEY],
         ["wrote SQL tenant client certificate: c/client-tenant.9.crt",
          "generated tenant key: c/client-tenant.9.key"]),
        (["create-tenant-signing", "9"], ["generated tenant signing key c/tenant-signing.9.key",
                                          "wrote certificate to c/tenant-signing.9.crt"]),
    ]
    for args, expected in steps:
        res = pycert(*args, "--certs-dir=c", "--logtostderr=INFO", cwd=tmp_path)
        assert res.code == 0, res.err
        assert info_messages(res.err) == expected


def test_logtostderr_without_value_means_warning(ca_dir: Path) -> None:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, "--logtostderr", cwd=ca_dir)
    assert (res.code, res.err) == (0, "")


def test_bad_severity_is_a_flag_error(ca_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--logtostderr=LOUD", cwd=ca_dir)
    assert res.code == 4
    assert 'ERROR: invalid argument "LOUD" for "--logtostderr" flag' in res.err


def test_warnings_show_by_default_and_hide_above_their_level(ca_dir: Path) -> None:
    (ca_dir / "certs/root.crt").write_bytes(b"")
    res = pycert("list", "--certs-dir=certs", cwd=ca_dir)
    assert re.search(r'^W\d{6} .*  bad filename certs/root.crt: unknown prefix "root"$',
                     res.err, re.M)
    res = pycert("list", "--certs-dir=certs", "--logtostderr=ERROR", cwd=ca_dir)
    assert (res.code, res.err) == (0, "")


def test_log_dir_gets_a_private_log_file_with_the_info_lines(ca_dir: Path) -> None:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, "--log-dir=logs", cwd=ca_dir)
    assert (res.code, res.err) == (0, "")
    files = list((ca_dir / "logs").iterdir())
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o777 == 0o600
    assert info_messages(files[0].read_text()) == ["generated node certificate: certs/node.crt",
                                                   "generated node key: certs/node.key"]


@pytest.mark.parametrize("config", [
    "sinks: {stderr: {filter: INFO}}",
    "{sinks: {stderr: {format: crdb-v2, filter: INFO}}}",
    "sinks:\n  file-groups:\n    default:\n      filter: ERROR\n  stderr:\n    filter: INFO\n",
])
def test_log_yaml_sets_the_stderr_severity(ca_dir: Path, config: str) -> None:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, f"--log={config}", cwd=ca_dir)
    assert res.code == 0, res.err
    assert info_messages(res.err) == ["generated node certificate: certs/node.crt",
                                      "generated node key: certs/node.key"]


def test_log_config_file_is_read_like_log(ca_dir: Path) -> None:
    (ca_dir / "log.yaml").write_text("sinks:\n  stderr:\n    filter: INFO\n")
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, "--log-config-file=log.yaml",
                 "--log-config-vars=HOME", cwd=ca_dir)
    assert res.code == 0 and len(info_messages(res.err)) == 2
    res = pycert("list", "--certs-dir=certs", "--log-config-file=missing.yaml", cwd=ca_dir)
    assert res.code == 1 and "missing.yaml" in res.err.splitlines()[0]


def test_log_yaml_without_stderr_filter_keeps_warning(ca_dir: Path) -> None:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY,
                 "--log=sinks: {file-groups: {default: {channels: ALL}}}", cwd=ca_dir)
    assert (res.code, res.err) == (0, "")


@pytest.mark.parametrize("legacy", ["--logtostderr=INFO", "--log-dir=x", "--redactable-logs",
                                    "--log-file-max-size=10MiB", "--sql-audit-dir=a"])
def test_log_with_legacy_flags_is_refused(ca_dir: Path, legacy: str) -> None:
    res = pycert("list", "--certs-dir=certs", "--log=sinks: {}", legacy, cwd=ca_dir)
    assert res.code == 1
    assert res.err == ("ERROR: --log is incompatible with legacy discrete logging flags\n"
                       'Failed running "cert list"\n')


def test_hidden_logging_flags_are_accepted(ca_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--no-color", "-v", "--log-file-verbosity=INFO",
                 "--log-group-max-size=1GiB", "--redactable-logs=false", cwd=ca_dir)
    assert res.code == 0, res.err


def test_bare_logtostderr_does_not_swallow_the_next_word(ca_dir: Path) -> None:
    """pflag's optional value: `--logtostderr h` means WARNING plus the host `h`."""
    res = pycert("create-node", "--logtostderr", "h", "--certs-dir=certs", KEY, cwd=ca_dir)
    assert (res.code, res.err) == (0, "")
    res = pycert("list", "--logtostderr", "INFO", "--certs-dir=certs", cwd=ca_dir)
    assert res.code == 1 and 'ERROR: unknown command "INFO" for "cockroach cert list"' in res.err
