"""Hostile inventories end quickly in a located InputError or located findings, never a crash."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from govcheck.errors import InputError
from govcheck.loaders import load_inventory
from govcheck.model import Inventory

# The `make_inventory` fixture (conftest.py): write {path: content}, get the folder.
MakeInventory = Callable[[Mapping[str, str | bytes]], Path]


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 12))

HOSTILE: dict[str, dict[str, str | bytes]] = {
    "alias bomb": {"people.yaml": BOMB},
    "deep yaml": {"people.yaml": "[" * 200_000},
    "deep json": {"people.json": "[" * 200_000},
    "deep block yaml": {"people.yaml": "".join(" " * n + "a:\n" for n in range(0, 400))},
    "python tag": {"people.yaml": "- !!python/object/apply:os.system ['touch pwned']\n"},
    "python name tag": {"people.yaml": "- id: !!python/name:os.system\n"},
    "custom tag": {"people.yaml": "- !Ref {id: x}\n"},
    "binary yaml": {"people.yaml": os.urandom(4096)},
    "binary json": {"people.json": os.urandom(4096)},
    "nul yaml": {"people.yaml": b"- id: p\x00\n"},
    "utf16 json": {"people.json": '[{"id": "p"}]'.encode("utf-16")},
    "huge line yaml": {"people.yaml": "- id: p-1\n  name: " + "x" * 20_000_000 + "\n"},
    "huge line json": {"people.json": '[{"id": "p-1", "name": "' + "x" * 20_000_000 + '"}]'},
    "huge line csv": {"people.csv": "id,name\np-1," + "x" * 5_000_000 + "\n"},
    "huge line no newline": {"people.yaml": "x" * 20_000_000},
    "unterminated csv quote": {"people.csv": 'id,name\np-1,"open\n' + "p,x\n" * 1000},
    "csv binary": {"people.csv": os.urandom(4096)},
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_located_error_or_findings(make_inventory: MakeInventory,
                                                   case: str) -> None:
    root = make_inventory(HOSTILE[case])
    started = time.monotonic()
    try:
        outcome: InputError | Inventory = load_inventory(root)
    except InputError as exc:
        outcome = exc
    assert time.monotonic() - started < 10
    if isinstance(outcome, InputError):
        assert outcome.location is not None
        assert str(outcome).split(":", 1)[0] in {*HOSTILE[case], str(root)}
    else:
        assert outcome.findings, "a hostile file must not load cleanly"
        assert all(f.location.line >= 1 for f in outcome.findings)
    assert not (root / "pwned").exists()


def test_bidi_in_an_id_is_reported_and_escaped(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.csv": "id,name\np-1\u202e\u2066,Ada\n"})
    inventory = load_inventory(root)
    (finding,) = inventory.findings
    assert finding.entity == "person:p-1\u202e\u2066"
    assert "\\u202e" in finding.message and "\u202e" not in finding.message
    assert str(finding.location) == "people.csv:2:1"


def test_too_many_records_is_an_input_error(make_inventory: MakeInventory) -> None:
    from govcheck.loaders import Limits

    root = make_inventory({"people.csv": "id\n" + "".join(f"p-{n}\n" for n in range(50))})
    with pytest.raises(InputError, match="more than 10 records"):
        load_inventory(root, Limits(max_records=10))


def test_c0_controls_are_reported_like_bidi_and_escaped(make_inventory: MakeInventory) -> None:
    root = make_inventory({
        "people.csv": "id,name\np-1,Ada \x1b[2J\x00Lovelace\n",
        "teams.json": '[{"id": "t-\\u0000", "name": "ok"}]',
    })
    inventory = load_inventory(root)
    by_entity = {f.entity: f for f in inventory.findings}
    person = by_entity["person:p-1"]
    assert "name holds control characters (U+0000, U+001B)" in person.message
    assert str(person.location) == "people.csv:2:1"
    team = by_entity["team:t-\x00"]
    assert "id holds control characters (U+0000)" in team.message
    for finding in inventory.findings:
        assert not any(ord(ch) < 0x20 for ch in finding.message)


def test_line_breaks_are_free_text_but_not_identifiers(make_inventory: MakeInventory) -> None:
    root = make_inventory({"systems.yaml": (
        '- id: s-1\n  intended_use: "Scores\\n\\tloans\\r\\n"\n  x: {note: "a\\nb"}\n'
        '- id: "s-2\\n"\n  owner: "p\\t1"\n  "we\\tird": 1\n')})
    inventory = load_inventory(root)
    (finding,) = inventory.findings
    assert finding.entity == "system:s-2\n"
    assert finding.message == (
        "system 's-2\\u000a': id holds control characters (U+000A) that a terminal or another"
        " tool may act on; owner holds control characters (U+0009) that a terminal or another"
        " tool may act on; key 'we\\u0009ird' holds control characters")


def test_a_fifo_under_a_data_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "systems.yaml").write_text("- {id: s-1}\n", encoding="utf-8")
    os.mkfifo(tmp_path / "people.csv")
    with pytest.raises(InputError, match="not a regular file") as info:
        load_inventory(tmp_path)
    assert str(info.value).startswith("people.csv:1:1:")
