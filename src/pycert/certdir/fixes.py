"""The command that fixes a problem `check` found, as a complete line to paste.

Leaves are renewed from what they say (`pycert renew …`), so nobody retypes hosts; a CA that
ends is rotated, an old one that signs nothing is pruned; other problems get the create-*
line that writes a fresh, correct file.
"""

from __future__ import annotations

import datetime as dt
import shlex

from pycert.certdir.records import Record
from pycert.kinds import KINDS, Kind

CA_KEY_PLACEHOLDER = "<path-to-ca-key>"
NEW_CA_KEY_PLACEHOLDER = "<path-to-new-ca-key>"


class Fixes:
    """Fix commands for one checked directory; `records` carry their resolved signers."""

    def __init__(self, certs_dir: str, ca_key: str, hosts: list[str],
                 records: list[Record]) -> None:
        self.certs_dir, self.ca_key, self.hosts, self.records = certs_dir, ca_key, hosts, records

    def cmd(self, command: str, *args: str, ca_key: bool = True) -> str:
        parts = ["pycert", command, *[_q(a) for a in args]]
        parts.append(f"--certs-dir={_q(self.certs_dir)}")
        if ca_key:
            key = _q(self.ca_key) if self.ca_key else CA_KEY_PLACEHOLDER
            parts.append(f"--ca-key={key}")
        return " ".join(parts)

    def recreate(self, entry: Record) -> str:
        """The pycert command that writes a fresh, correct version of this file."""
        kind = entry.kind
        if kind is None or not kind.command:
            return ""
        if kind.is_ca:  # same key, new certificate prepended: what it signed keeps verifying
            return self.cmd(kind.command) + " --allow-ca-key-reuse --overwrite"
        args = [entry.name] if kind.named else []
        if kind.takes_hosts:
            hosts = list(entry.cert.dns + entry.cert.ip) if entry.cert is not None else []
            if kind.host_checked:
                hosts += [h for h in self.hosts if h not in hosts]
                hosts = hosts or ["<host>"]
            args += hosts
        return self.cmd(kind.command, *args, ca_key=bool(kind.signers)) + " --overwrite"

    def renew_fix(self, entry: Record) -> str:
        """`pycert renew <kind> [<name>]`: the certificate re-issued from what it says, so
        nobody retypes its hosts."""
        kind = entry.kind
        if kind is None or not kind.renewable or entry.cert is None:
            return self.recreate(entry)
        return self.cmd("renew", kind.name, *([entry.name] if kind.named else []))

    def expiry_fix(self, entry: Record, after: dt.datetime) -> str:
        """Renew a leaf, unless what ends is the current CA: then rotate that CA first.
        An old CA of a bundle that still signs certificates: renew those."""
        kind = entry.kind
        if kind is None:
            return ""
        if kind.is_ca:
            if entry.index:
                signed = [k.name for k in KINDS
                          if any(e.signer is entry and e.kind is k for e in self.records)]
                return self.cmd("renew", "--all", *signed, "--within=30d")
            return self.rotate_fix(kind)
        node = entry.signer
        while node is not None and node.cert is not None:
            if node.cert.not_after == after and node.kind is not None \
                    and node.kind.is_ca and not node.index:
                return self.rotate_fix(node.kind)  # a renewal would end with its CA
            node = node.signer
        return self.renew_fix(entry)

    def rotate_fix(self, kind: Kind) -> str:
        if not kind.rotate_command:  # ca-ui.crt: a new CA key, its certificate prepended
            if not kind.command:
                return ""
            return (self.cmd(kind.command, ca_key=False)
                    + f" --ca-key={NEW_CA_KEY_PLACEHOLDER} --overwrite")
        return (f"pycert {kind.rotate_command} --certs-dir={_q(self.certs_dir)} "
                f"--ca-key={NEW_CA_KEY_PLACEHOLDER}")

    def prune_fix(self, entry: Record) -> str:
        kind = entry.kind
        if kind is None or not kind.prune_command:
            return ""
        return f"pycert {kind.prune_command} --certs-dir={_q(self.certs_dir)}"


def _q(text: str) -> str:
    return shlex.quote(text)
