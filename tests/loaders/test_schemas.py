"""The shipped schemas stay in step with the kinds table, and validate as Draft 2020-12."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from govcheck.kinds import KINDS, PHASES
from govcheck.loaders.validation import fast_check, schema_document, validator_for, violations


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


scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(-2, 2),
                   st.sampled_from(["", "p-1", "severe", "active", "high", "monitoring",
                                    "a@b.c", "not-an-email", "go-live", "approved"]))
value: Any = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["risk", "x"]), inner,
                                                 max_size=2)), max_leaves=5)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(KINDS)), st.data())
def testfast_check_agrees_with_jsonschema(kind: str, data: st.DataObject) -> None:
    names = [*KINDS[kind].fields, "extra"]
    record = data.draw(st.dictionaries(st.sampled_from(names), value, max_size=6))
    fast = fast_check(kind)
    assert fast is not None
    assert fast(record) == validator_for(kind).is_valid(record)
    assert (violations(kind, record) == []) == fast(record)
