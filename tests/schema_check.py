"""Validates pycert's JSON output against the JSON Schema files kept in docs/schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).parent.parent / "docs" / "schema"


def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")}
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    Draft202012Validator.check_schema(schemas[name])
    return Draft202012Validator(schemas[name], registry=registry)


def validate_records(records: list[dict[str, Any]]) -> None:
    validator = _validator("cert-report.schema.json")
    for rec in records:
        validator.validate(rec)


def validate_check(report: dict[str, Any]) -> None:
    _validator("check-report.schema.json").validate(report)
