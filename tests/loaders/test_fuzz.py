"""Property tests: arbitrary input never raises anything but InputError; accounting holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcheck.errors import InputError
from govcheck.loaders import load_inventory
from govcheck.loaders.csv_reader import parse_csv
from govcheck.loaders.json_reader import parse_json
from govcheck.loaders.limits import Limits
from govcheck.loaders.records import RawItem, normalise
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Location

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
YAML_ALPHABET = st.sampled_from(list("- :{}[],&*!|>'\"#%@`?\n\t abc01.~\u202e\x85\u2028é"))
yamlish = st.text(YAML_ALPHABET, max_size=200)
jsonish = st.text(st.sampled_from(list('{}[]:,"\\ntrufals0123456789.eE+-\n \u00e9u')),
                  max_size=200)


@FUZZ
@given(st.one_of(st.binary(max_size=300), yamlish.map(lambda t: t.encode())))
def test_any_bytes_as_yaml(data: bytes) -> None:
    try:
        parse_yaml(data.decode("utf-8", "surrogateescape"), "f.yaml", Limits(max_depth=8))
    except InputError as exc:
        assert exc.location is not None


@FUZZ
@given(st.one_of(st.text(max_size=300), jsonish))
def test_any_text_as_json(text: str) -> None:
    try:
        parse_json(text, "f.json", Limits(max_depth=8))
    except InputError as exc:
        assert exc.location is not None


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_as_csv(data: bytes) -> None:
    try:
        parse_csv(data, "f.csv")
    except InputError as exc:
        assert exc.location is not None


@FUZZ
@given(st.sampled_from(["people.yaml", "systems.json", "assignments.csv", "events.json"]),
       st.one_of(st.binary(max_size=300), yamlish.map(str.encode), jsonish.map(str.encode)))
def test_any_file_in_an_inventory(tmp_path: Path, name: str, data: bytes) -> None:
    root = tmp_path / "inv"
    root.mkdir(exist_ok=True)
    for old in root.iterdir():
        old.unlink()
    (root / name).write_bytes(data)
    try:
        load_inventory(root)
    except InputError as exc:
        assert exc.location is not None


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                    st.sampled_from(["p-1", "p-2", "2026-01-01", "severe", "active"]))
values: Any = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)
records = st.one_of(
    values,
    st.fixed_dictionaries({"id": st.sampled_from(["p-1", "p-2", "", 7])},
                          optional={"status": scalars, "end_date": scalars, "teams": values}))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["person", "system", "event"]), records,
                          st.sampled_from(["a.yaml", "b.json"]),
                          st.integers(min_value=1, max_value=9)), max_size=12))
def test_every_item_is_kept_or_reported(
    items: list[tuple[str, Any, str, int]],
) -> None:
    raw = [RawItem(kind, value if kind != "event" or not isinstance(value, dict)
                   else {"seq": value.get("id"), **value}, Location(path, line, 1))
           for kind, value, path, line in items]
    result = normalise(raw)
    assert result.read == len(items)
    assert result.read == len(result.records) + result.reported
    # Items not read share one finding per file: the first is its location, the rest related.
    unidentified = sum(1 + len(f.related) for f in result.findings
                       if f.entity.startswith("file:"))
    duplicated = sum(len(f.related) for f in result.findings
                     if f.check == "INVENTORY-DUPLICATE-ID")
    assert result.reported == unidentified + duplicated
    keys = [(f.check, f.entity) for f in result.findings]
    assert len(keys) == len(set(keys)), "one finding per (check, entity)"


@pytest.mark.parametrize("text", ["[" * 8 + "]" * 8, "{a: " * 8 + "1" + "}" * 8])
def test_small_depth_limit_is_honoured(text: str) -> None:
    with pytest.raises(InputError, match="nesting deeper than 7 levels"):
        parse_yaml(text, "f.yaml", Limits(max_depth=7))
