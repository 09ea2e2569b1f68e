"""JSON: values as json.loads gives them, exact locations, duplicates noted, errors located."""

from __future__ import annotations

import json

import pytest

from govcheck.errors import InputError
from govcheck.loaders.json_reader import parse_json
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.model import Location

TEXT = """[
  {"id": "p-1", "n": 1.5e3, "flags": [true, false, null], "areas": {"risk": "p-2"}},
    {
      "id": "p-2",  "name": "Zoë \\u00e9"
    },
  "stray", 7
]
"""


def test_values_equal_json_loads() -> None:
    parsed = parse_json(TEXT, "f.json", Limits())
    assert parsed is not None
    assert parsed[0] == json.loads(TEXT)


def test_objects_are_located_at_their_first_key() -> None:
    parsed = parse_json(TEXT, "f.json", Limits())
    assert parsed is not None
    root = parsed[0]
    assert isinstance(root, LocatedList)
    assert root.item_locations == [Location("f.json", 2, 4), Location("f.json", 4, 7),
                                   Location("f.json", 6, 3), Location("f.json", 6, 12)]
    assert root[0].location == Location("f.json", 2, 4)
    assert root[0].key_locations["areas"] == Location("f.json", 2, 59)
    assert root[0]["areas"].location == Location("f.json", 2, 69)
    assert root[1].key_locations["name"] == Location("f.json", 4, 21)


def test_a_single_object_is_its_own_location() -> None:
    parsed = parse_json('\n\n  {"id": "x"}', "f.json", Limits())
    assert parsed is not None
    assert isinstance(parsed[0], LocatedDict)
    assert parsed[1] == Location("f.json", 3, 4)


def test_empty_file_is_none() -> None:
    assert parse_json(" \n\t", "f.json", Limits()) is None


def test_duplicate_key_keeps_the_first() -> None:
    parsed = parse_json('{"id": "a",\n "id": "b"}', "f.json", Limits())
    assert parsed is not None
    record = parsed[0]
    assert record["id"] == "a"
    assert record.problems[0][1] == Location("f.json", 2, 2)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("[1,", 1, 4), ('{"a" 1}', 1, 6), ("[\n  {'a': 1}]", 2, 4), ('["\x01"]', 1, 3),
     ("[1] x", 1, 5), ("[-]", 1, 2), ('{"a": "\\ud800"}', 1, 7), ('{"a": "\\q"}', 1, 8),
     ("[1 2]", 1, 4), ('{"a": 1,}', 1, 9)],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_json(text, "f.json", Limits())
    assert caught.value.location == Location("f.json", line, column)


def test_nesting_is_bounded() -> None:
    with pytest.raises(InputError, match="nesting deeper than 64 levels") as caught:
        parse_json("[" * 100_000, "f.json", Limits())
    assert caught.value.location == Location("f.json", 1, 65)


@pytest.mark.parametrize(
    ("text", "message"),
    [('{"id": "a", "id": "b"}',
      "key 'id' appears more than once (at line 1, column 13, first at column 2)"),
     ('{"id": "a",\n\n\n "id": "b"}', "key 'id' appears more than once (at line 4, first at"
      " line 1)")],
)
def test_duplicate_key_message_names_both_places(text: str, message: str) -> None:
    parsed = parse_json(text, "f.json", Limits())
    assert parsed is not None
    ((problem, _),) = parsed[0].problems
    assert problem == message + "; the first value is kept"
