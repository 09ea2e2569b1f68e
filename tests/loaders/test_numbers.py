"""Numbers in YAML and JSON: too large to read, identifiers as written, no NaN or infinity."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from govcheck import quality
from govcheck.errors import InputError
from govcheck.loaders import inventory_from_mapping, load_inventory
from govcheck.loaders.limits import MAX_INTEGER_DIGITS, Limits
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Location

# The `make_inventory` fixture (conftest.py): write {path: content}, get the folder.
MakeInventory = Callable[[Mapping[str, str | bytes]], Path]

HUGE = "9" * (MAX_INTEGER_DIGITS + 700)


@pytest.mark.parametrize(
    ("files", "entity", "where"),
    [
        ({"people.json": '[{"id": "p-1",\n  "n": ' + HUGE + "}]"}, "person:p-1",
         "people.json:2:8"),
        ({"people.yaml": "- id: p-1\n  n: " + HUGE + "\n"}, "person:p-1", "people.yaml:2:6"),
        ({"people.yaml": "- id: p-1\n  n: [1, -" + HUGE + "]\n"}, "person:p-1",
         "people.yaml:2:10"),
        ({"people.yaml": "- id: p-1\n  n: 0x" + "f" * 4000 + "\n"}, "person:p-1",
         "people.yaml:2:6"),
        ({"people.json": '[{"id": "p-1", "n": 1e400}]'}, "person:p-1", "people.json:1:21"),
        ({"events.json": '[{"seq": ' + HUGE + ', "at": "2026-01-01", "prev_hash": "0",'
                         ' "hash": "h"}]'}, "event:" + HUGE, "events.json:1:10"),
    ],
)
def test_a_number_too_large_to_read_is_kept_as_text_and_reported(
    make_inventory: MakeInventory, files: dict[str, str], entity: str, where: str
) -> None:
    inventory = load_inventory(make_inventory(files))
    (finding,) = [f for f in inventory.findings if f.check == quality.SCHEMA]
    assert (finding.entity, str(finding.location)) == (entity, where)
    assert "is too large to read as a number" in finding.message
    assert "it is kept as text" in finding.message
    (record,) = inventory.records
    kept = record.fields.get("n", record.fields.get("seq"))
    literal = kept[-1] if isinstance(kept, list) else kept
    assert isinstance(literal, str) and literal.lstrip("-") in (HUGE, "0x" + "f" * 4000, "1e400")
    json.dumps(record.raw)  # the raw values stay writable (events are hashed over them)


def test_a_huge_number_is_not_an_internal_error_anywhere(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": f"{HUGE}\n",
                           "systems.json": f"[{HUGE}]"})
    with pytest.raises(InputError, match="found a single value"):
        load_inventory(root)
    (root / "people.yaml").write_text(f"- {HUGE}\n")
    findings = load_inventory(root).findings
    assert {f.entity for f in findings} == {"file:people.yaml", "file:systems.json"}
    assert all("9999" in f.message for f in findings)


def test_the_largest_readable_integer_is_still_a_number() -> None:
    ((value, _),) = parse_yaml(f"n: {'9' * MAX_INTEGER_DIGITS}\n", "f.yaml", Limits())
    assert value["n"] == int("9" * MAX_INTEGER_DIGITS)
    assert value.problems == []


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_identifier_and_version_numbers_keep_their_text(make_inventory: MakeInventory,
                                                         suffix: str) -> None:
    records = {
        "yaml": "- id: 0042\n  version: 2.30\n  owner: 1e3\n  cost_owner: 7\n"
                "  areas: {risk: 010}\n  regulations: [2024]\n  risk_tier: high\n",
        "json": '[{"id": 42, "version": 2.30, "owner": 1e3, "cost_owner": 7,'
                ' "areas": {"risk": 10}, "regulations": [2024], "risk_tier": "high"}]',
    }
    inventory = load_inventory(make_inventory({f"systems.{suffix}": records[suffix]}))
    (record,) = inventory.records
    expected_id = "0042" if suffix == "yaml" else "42"
    assert record.id == expected_id
    assert record.fields["id"] == expected_id
    assert record.fields["version"] == "2.30"
    assert record.fields["owner"] == "1e3"
    assert record.fields["cost_owner"] == "7"
    assert record.fields["areas"] == {"risk": "010" if suffix == "yaml" else "10"}
    # Not an identifier field: stays a number, and the schema says so.
    assert record.fields["regulations"] == [2024]
    (finding,) = inventory.findings
    assert "regulations[0] must be a string" in finding.message
    if suffix == "json":
        assert record.raw["version"] == 2.3 and record.raw["id"] == 42  # raw as the file holds it


def test_identifier_numbers_keep_their_text_in_lists_and_after_renames(
    make_inventory: MakeInventory
) -> None:
    root = make_inventory({
        "govcheck.yaml": "files:\n  hr.yaml: {kind: person, columns: {Boss: manager}}\n",
        "hr.yaml": "- id: p-1\n  Boss: 0100\n  teams: [01, t-2]\n",
        "events.json": '[{"seq": 1, "at": "2026-01-01", "actor": 0100, "prev_hash": "0",'
                       ' "hash": "h"}]',
    })
    with pytest.raises(InputError, match="not valid JSON"):  # JSON has no leading zeros
        load_inventory(root)
    (root / "events.json").write_text('[{"seq": 1, "at": "2026-01-01", "actor": 100.0,'
                                      ' "prev_hash": "0", "hash": "h"}]')
    records = {r.key: r for r in load_inventory(root).records}
    assert records["person:p-1"].fields["manager"] == "0100"
    assert records["person:p-1"].fields["teams"] == ["01", "t-2"]
    event = records["event:1"]
    assert event.fields["seq"] == 1  # seq is an integer field, not an identifier text
    assert event.fields["actor"] == "100.0"
    assert event.raw["actor"] == 100.0


def test_inline_yaml_identifiers_keep_their_text() -> None:
    ((data, _),) = parse_yaml("systems: [{id: s-1, version: 2.30}]\n", "p.yaml", Limits())
    (record,) = inventory_from_mapping(data).records
    assert record.fields["version"] == "2.30"


@pytest.mark.parametrize(
    ("text", "column"),
    [('[{"id": "p", "x": NaN}]', 19), ('[{"id": "p", "x": Infinity}]', 19),
     ('[{"id": "p", "x": -Infinity}]', 19), ("[NaN]", 2)],
)
def test_json_nan_and_infinity_are_syntax_errors(make_inventory: MakeInventory, text: str,
                                                 column: int) -> None:
    with pytest.raises(InputError, match="NaN and Infinity are not JSON") as caught:
        load_inventory(make_inventory({"people.json": text}))
    assert caught.value.location == Location("people.json", 1, column)


def test_yaml_inf_and_nan_stay_strings(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": "- id: p-1\n  score: .nan\n  limit: -.inf\n"})
    (record,) = load_inventory(root).records
    assert record.fields["score"] == ".nan" and record.fields["limit"] == "-.inf"
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in record.raw.values())
