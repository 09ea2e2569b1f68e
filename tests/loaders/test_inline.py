"""inventory_from_mapping: inline records go through the same normalisation as files."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from govcheck import quality
from govcheck.errors import InputError
from govcheck.loaders import inventory_from_mapping
from govcheck.loaders.limits import Limits
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Location


def test_inline_records_are_normalised() -> None:
    inventory = inventory_from_mapping({
        "people": [{"id": "p-1", "status": "active", "end_date": "2026-06-30"},
                   {"id": "p-1"}, {"name": "no id"}],
        "systems": [{"id": "s-1", "risk_tier": "severe", "go_live": date(2026, 1, 1),
                     "retired_at": "never"}],
        "events": [{"seq": 1, "at": "2026-01-01", "prev_hash": "0" * 64, "hash": "h"}],
    }, name="case")
    records = {r.key: r for r in inventory.records}
    assert set(records) == {"person:p-1", "system:s-1", "event:1"}
    assert records["person:p-1"].fields["end_date"] == datetime(2026, 6, 30, tzinfo=UTC)
    assert records["person:p-1"].location == Location("case", 1, 1)
    assert records["system:s-1"].fields["go_live"] == datetime(2026, 1, 1, tzinfo=UTC)
    assert sorted((f.check, f.entity, str(f.location)) for f in inventory.findings) == [
        (quality.BAD_DATE, "system:s-1", "case:1:1"),
        (quality.DUPLICATE_ID, "person:p-1", "case:2:1"),
        (quality.SCHEMA, "file:case", "case:3:1"),
        (quality.SCHEMA, "system:s-1", "case:1:1"),
    ]


def test_located_inline_data_keeps_its_locations() -> None:
    ((data, _),) = parse_yaml("inventory:\n  people:\n    - id: p-1\n    - {id: p-2}\n",
                              "policies/x.yaml", Limits())
    inventory = inventory_from_mapping(data["inventory"])
    assert [str(r.location) for r in inventory.records] == ["policies/x.yaml:3:7",
                                                            "policies/x.yaml:4:8"]


def test_unknown_kind_is_an_input_error() -> None:
    with pytest.raises(InputError, match="'peeple' is not a kind"):
        inventory_from_mapping({"peeple": []})
