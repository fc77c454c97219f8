"""The reports of renew, rotate-* and prune-*: what changed, why, and what to do next.

The --json documents extend `render.manifest` (every file written) with the lifecycle's
own fields; the text forms reuse `render.dry_run_text` for the plan of each file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pycert.cli.render import dry_run_text, manifest
from pycert.pki.describe import rfc3339

if TYPE_CHECKING:
    from pycert.certdir.prune import Pruning
    from pycert.certdir.renew import RenewResult
    from pycert.certdir.rotate import Rotation


def threshold_text(threshold: Any) -> str:
    """`30d`, `36h`, `10%`: a --within value as a person would have typed it."""
    if threshold.percent is not None:
        return f"{threshold.percent:g}%"
    seconds = int(threshold.seconds)
    if seconds and seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds}s"


def renew_json(result: RenewResult) -> str:
    """The --json manifest of the files written, and what was renewed and why."""
    doc = json.loads(manifest(result.outcomes, result.dry_run))
    doc["renewed"] = [{"file": r.path, "reason": r.reason, "reused_key": r.reused_key,
                       "warnings": list(r.warnings)} for r in result.renewed]
    doc["not_due"] = [{"file": path, "reason": why} for path, why in result.not_due]
    doc["backups"] = result.backups
    return json.dumps(doc, indent=2) + "\n"


def renew_text(result: RenewResult) -> str:
    """A line per renewal (a dry run: the plan of each), then the backups kept."""
    if result.dry_run:
        return "".join(f"would renew {r.path} ({r.reason})\n"
                       + dry_run_text(r.outcome, True).split("\n", 1)[1]
                       for r in result.renewed)
    lines = []
    for r in result.renewed:
        cert = r.outcome.fields
        assert cert is not None
        lines.append(f"renewed {r.path} ({r.reason}): now until "
                     f"{rfc3339(cert.not_after)}, signed by {r.outcome.signer_path}, "
                     f"{'same' if r.reused_key else 'new'} key")
    lines += [f"kept {path}" for path in result.backups]
    return "".join(line + "\n" for line in lines)


def nothing_to_renew(result: RenewResult, within: Any, certs_dir: str) -> str:
    """The one-line note when nothing is due."""
    if not result.not_due:
        return f"nothing to renew: no node, client or tenant client certificates in {certs_dir}"
    if len(result.not_due) == 1:
        path, why = result.not_due[0]
        return f"nothing to renew: {path} {why}"
    window = f" within {threshold_text(within)}" if within is not None else ""
    return (f"nothing to renew: none of the {len(result.not_due)} certificates expires"
            f"{window}, and the current CA signed each")


def _cmd(*parts: str) -> str:
    import shlex

    return " ".join(shlex.quote(p) if i else p for i, p in enumerate(parts))


def stage_two(rotation: Rotation, certs_dir: str) -> tuple[str, str]:
    """The exact `pycert renew …` (stage 2) and `pycert prune-…` (stage 3) command lines."""
    kinds = [] if rotation.signs_all else [k.name for k in rotation.signs]
    renew = _cmd("pycert", "renew", "--all", *kinds, "--within=30d", f"--certs-dir={certs_dir}",
                 f"--ca-key={rotation.key_path}")
    prune = _cmd("pycert", rotation.kind.prune_command, "--unused", f"--certs-dir={certs_dir}")
    return renew, prune


def rotate_text(rotation: Rotation, certs_dir: str) -> str:
    """What stage 1 did (or, in a dry run, would do), then the runbook's next steps."""
    renew, prune = stage_two(rotation, certs_dir)
    lines = []
    if rotation.dry_run and rotation.outcome is not None:
        lines.append(dry_run_text(rotation.outcome, True).rstrip("\n"))
    elif rotation.ca is not None:
        lines.append(f"rotated {rotation.bundle}: a new CA certificate (serial "
                     f"{rotation.ca.serial_number:x}, until "
                     f"{rfc3339(rotation.ca.not_valid_after_utc)}) now comes first, before the "
                     f"{rotation.previous - rotation.duplicates} it held"
                     + (f" ({rotation.duplicates} duplicate(s) written once)"
                        if rotation.duplicates else ""))
        lines.append(f"{'new' if rotation.new_key else 'reused'} CA key: {rotation.key_path}; "
                     "the old CA key was not touched: keep it until stage 3 is done")
        lines += [f"kept {path}" for path in rotation.backups]
    lines += [
        "next steps:",
        f"  1. distribute {rotation.bundle} to {rotation.kind.trusted_by}, and reload it there "
        "(SIGHUP or restart); both CAs are trusted now, so today's certificates keep working",
        "  2. once every one of them has it, renew the certificates with the new CA, then "
        "distribute the renewed files:",
        f"       {renew}",
        "  3. once nothing uses the old CA any more, remove it from the bundle (--dry-run "
        "first shows what goes and why), and distribute the bundle again:",
        f"       {prune}",
    ]
    return "\n".join(lines) + "\n"


def rotate_json(rotation: Rotation, certs_dir: str) -> str:
    outcomes = [rotation.outcome] if rotation.outcome is not None else []
    doc = json.loads(manifest(outcomes, rotation.dry_run))
    renew, prune = stage_two(rotation, certs_dir)
    doc["rotated"] = rotation.ca is not None
    doc["bundle"], doc["ca_key"] = rotation.bundle, rotation.key_path
    doc["new_key"] = rotation.new_key
    doc["certificates_before"] = rotation.previous
    doc["backups"] = rotation.backups
    doc["next"] = {"distribute": [rotation.bundle], "renew": renew, "prune": prune}
    return json.dumps(doc, indent=2) + "\n"


def prune_text(pruning: Pruning) -> str:
    """Every certificate of the bundle, kept or removed, and why."""
    total, gone = len(pruning.verdicts), len(pruning.removed)
    head = f"{'would remove' if pruning.dry_run else 'removed'} {gone} of {total} " \
        f"certificate{'' if total == 1 else 's'} from {pruning.bundle}"
    lines = (["dry run: nothing was written"] if pruning.dry_run else []) + [head]
    for v in pruning.verdicts:
        lines.append(f"  {'keep  ' if v.keep else 'remove'} #{v.index} serial "
                     f"{v.cert.serial_hex} (until {rfc3339(v.cert.not_after)}): "
                     f"{v.reason}")
    lines += [f"kept {path}" for path in pruning.backups]
    return "\n".join(lines) + "\n"


def prune_json(pruning: Pruning) -> str:
    outcomes = [pruning.outcome] if pruning.outcome is not None else []
    doc = json.loads(manifest(outcomes, pruning.dry_run))
    doc["bundle"] = pruning.bundle
    doc["certificates"] = [
        {"index": v.index, "serial": v.cert.serial_hex, "keep": v.keep,
         "not_after": rfc3339(v.cert.not_after), "reason": v.reason,
         "signs": v.signs} for v in pruning.verdicts]
    doc["backups"] = pruning.backups
    return json.dumps(doc, indent=2) + "\n"


def nothing_to_prune(pruning: Pruning, unused: bool) -> str:
    total = len(pruning.verdicts)
    if total == 1:
        return f"nothing to prune: {pruning.bundle} holds one certificate, the current CA"
    why = "is expired or unused" if unused else \
        "is expired (--unused also removes those that sign nothing here)"
    return f"nothing to prune: no certificate of {pruning.bundle} after the first {why}"
