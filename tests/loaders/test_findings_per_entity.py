"""One data-quality finding per (check, entity), and entities that do not move with lines."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from govcheck import quality
from govcheck.loaders import load_inventory
from govcheck.model import Finding, Location

# The `make_inventory` fixture (conftest.py): write {path: content}, get the folder.
MakeInventory = Callable[[Mapping[str, str | bytes]], Path]


def assert_one_per_entity(findings: tuple[Finding, ...]) -> None:
    keys = [(f.check, f.entity) for f in findings]
    assert len(keys) == len(set(keys)), keys


def test_items_that_are_not_records_make_one_finding_per_file(
    make_inventory: MakeInventory
) -> None:
    inventory = load_inventory(make_inventory({"systems.yaml": '[1, 2, "x"]\n'}))
    (finding,) = inventory.findings
    assert (finding.check, finding.entity, finding.location) == (
        quality.SCHEMA, "file:systems.yaml", Location("systems.yaml", 1, 2))
    assert finding.related == (Location("systems.yaml", 1, 5), Location("systems.yaml", 1, 8))
    assert finding.message == (
        "3 items are not read: at line 1, column 2: expected a system record (a mapping),"
        " found the value 1; at line 1, column 5: expected a system record (a mapping), found"
        " the value 2; at line 1, column 8: expected a system record (a mapping), found the"
        " value 'x'")


def test_a_single_unread_item_names_its_line(make_inventory: MakeInventory) -> None:
    inventory = load_inventory(make_inventory({"people.yaml": "- id: p-1\n- name: x\n"}))
    (finding,) = inventory.findings
    assert finding.entity == "file:people.yaml"
    assert finding.message == ("at line 2: person record has no usable id (it is missing);"
                               " it is not read")


def test_unread_items_fingerprint_does_not_move_with_lines(make_inventory: MakeInventory) -> None:
    before = load_inventory(make_inventory({"events.json": '[{"at": "x"}, 7, null]'}))
    root = make_inventory({"events.json": '\n\n\n[\n{"at": "x"},\n 7,\n null]'})
    after = load_inventory(root)
    (old,), (new,) = before.findings, after.findings
    assert old.entity == new.entity == "file:events.json"
    assert old.fingerprint == new.fingerprint
    assert new.location == Location("events.json", 5, 2)
    assert "3 items are not read" in new.message and "at line 6:" in new.message


def test_events_sharing_a_seq_merge_their_findings(make_inventory: MakeInventory) -> None:
    events = [{"seq": 1, "at": "2026-01-01", "prev_hash": "0" * 64, "hash": 5},
              {"seq": 2, "at": "2026-01-02", "prev_hash": "h", "hash": "h2"},
              {"seq": 1, "at": "soon", "prev_hash": "h2", "hash": ["h3"]}]
    text = "[\n" + ",\n".join(json.dumps(event) for event in events) + "\n]"
    inventory = load_inventory(make_inventory({"events.json": text}))
    assert_one_per_entity(inventory.findings)
    assert [(f.check, f.entity, str(f.location)) for f in inventory.findings] == [
        (quality.SCHEMA, "event:1", "events.json:2:2"),
        (quality.BAD_DATE, "event:1", "events.json:4:2"),
    ]
    schema = inventory.findings[0]
    assert schema.related == (Location("events.json", 4, 2),)
    assert schema.message == (
        "event '1' (2 records with this id): at line 2: hash must be a string, not integer 5;"
        " at line 4: hash must be a string, not list [\"h3\"]")
    assert [r.id for r in inventory.records] == ["1", "2", "1"]  # both kept, for LOG-INTEGRITY


def test_many_unread_items_are_counted_not_all_listed(make_inventory: MakeInventory) -> None:
    inventory = load_inventory(make_inventory({"people.yaml": "- 1\n" * 120}))
    (finding,) = inventory.findings
    assert finding.message.startswith("120 items are not read: at line 1:")
    assert finding.message.endswith("; and 70 more")
    assert len(finding.related) == 49
