"""The shipped schemas stay in step with the kinds table, and validate as Draft 2020-12."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from govcheck.kinds import KINDS, PHASES
from govcheck.loaders.validation import schema_document


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_matches_kinds_table(kind: str) -> None:
    spec = KINDS[kind]
    schema = schema_document(kind)
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == set(spec.fields)
    assert schema["required"] == list(spec.required)
    for name, allowed in (spec.enums or {}).items():
        assert schema["properties"][name]["enum"] == list(allowed)
    for name in spec.list_fields:
        assert schema["properties"][name]["type"] == "array"
    assert "additionalProperties" not in schema  # unknown fields are kept, not reported


def test_phase_fields_use_the_lifecycle_phases() -> None:
    assert schema_document("assignment")["properties"]["phase"]["enum"] == list(PHASES)
    assert schema_document("contract")["properties"]["phases"]["items"]["enum"] == list(PHASES)


def test_manifest_schema_is_valid() -> None:
    Draft202012Validator.check_schema(schema_document("manifest"))
    kinds = schema_document("manifest")["$defs"]["file"]["properties"]["kind"]["enum"]
    assert kinds == list(KINDS)
