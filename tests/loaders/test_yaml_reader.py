"""YAML: exact locations, YAML 1.2 core scalars, refused tags, bounded aliases and depth."""

from __future__ import annotations

from typing import Any

import pytest

from govcheck.errors import InputError
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Location


def only_root(text: str, limits: Limits | None = None) -> Any:
    roots = parse_yaml(text, "f.yaml", limits or Limits())
    assert len(roots) == 1
    return roots[0][0]


def test_record_and_key_locations_are_one_based() -> None:
    text = "# people\n- id: p-1\n  name: Ada\n-   id: p-2\n    name: Bob\n- {id: p-3, name: C}\n"
    root = only_root(text)
    assert isinstance(root, LocatedList)
    assert [item.location for item in root] == [
        Location("f.yaml", 2, 3), Location("f.yaml", 4, 5), Location("f.yaml", 6, 4)]
    assert root.item_locations == [item.location for item in root]
    assert root[0].key_locations == {"id": Location("f.yaml", 2, 3),
                                     "name": Location("f.yaml", 3, 3)}
    assert root[2].key_locations["name"] == Location("f.yaml", 6, 13)


def test_columns_count_characters_not_bytes() -> None:
    root = only_root("- naïve: ü\n  ünï: x\n- ë: {id: y}\n")
    assert root[1]["ë"].location == Location("f.yaml", 3, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),
        ("true", True), ("False", False), ("TRUE", True),
        ("null", None), ("~", None), ("", None), ("NULL", None),
        ("42", 42), ("-7", -7), ("007", 7), ("0o17", 15), ("0x1F", 31),
        ("1.5", 1.5), ("1e3", 1000.0), (".inf", ".inf"), ("-.Inf", "-.Inf"), (".nan", ".nan"),
        ("2026-06-30", "2026-06-30"), ("2026-06-30T09:00:00Z", "2026-06-30T09:00:00Z"),
        ("12:30", "12:30"), ("1_000", "1_000"), ("0b101", "0b101"),
        ("'true'", "true"), ('"42"', "42"), ("!!str 42", "42"), ("!!int 42", 42),
        ("!!float 1", 1.0), ("!!bool true", True), ("!!null ~", None),
    ],
)
def test_scalars_resolve_as_yaml_1_2_core(text: str, expected: Any) -> None:
    value = only_root(f"v: {text}\n")["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_no_scalar_resolves_to_an_infinite_or_nan_float() -> None:
    values = only_root("[.inf, -.inf, +.INF, .NaN, .NAN, 1e400, -1e999]\n")
    assert values == [".inf", "-.inf", "+.INF", ".NaN", ".NAN", "1e400", "-1e999"]
    with pytest.raises(InputError, match="not a valid !!float"):
        only_root("v: !!float .inf\n")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: !!python/object/apply:os.system [ls]\n", 1, 4),
        ("a: !!python/name:os.system\n", 1, 4),
        ("- x\n- !custom {a: 1}\n", 2, 3),
        ("a: !!binary aGVsbG8=\n", 1, 4),
        ("a: !!timestamp 2026-01-01\n", 1, 4),
        ("a: !!set {x}\n", 1, 4),
        ("a: !!int nope\n", 1, 4),
    ],
)
def test_tags_other_than_core_types_are_refused(text: str, line: int, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yaml", Limits())
    assert caught.value.location == Location("f.yaml", line, column)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(InputError, match="aliases expand to more than"):
        parse_yaml("\n".join(lines) + "\n", "f.yaml", Limits())


def test_aliases_within_the_limit_work_and_merge_keys_merge() -> None:
    text = "- &base {status: active, teams: [t-1]}\n- <<: *base\n  id: p-2\n  status: leave\n"
    root = only_root(text)
    assert dict(root[1]) == {"id": "p-2", "status": "leave", "teams": ["t-1"]}
    assert root[1].key_locations["teams"] == Location("f.yaml", 1, 26)


def test_undefined_or_recursive_alias_is_an_error() -> None:
    with pytest.raises(InputError, match="names no anchor"):
        parse_yaml("a: &x [*x]\n", "f.yaml", Limits())


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_nesting_is_bounded(opener: str) -> None:
    # libyaml may stop at its own nesting limit (1000) before ours; either way it is located.
    with pytest.raises(InputError, match="nesting") as caught:
        parse_yaml(opener * 5000, "f.yaml", Limits())
    assert caught.value.location is not None


def test_nesting_just_past_the_limit_is_ours() -> None:
    with pytest.raises(InputError, match="nesting deeper than 64 levels") as caught:
        parse_yaml("[" * 65 + "]" * 65, "f.yaml", Limits())
    assert caught.value.location == Location("f.yaml", 1, 65)


def test_block_nesting_is_bounded_too() -> None:
    text = "".join("  " * depth + "k:\n" for depth in range(80)) + "  " * 80 + "v\n"
    with pytest.raises(InputError, match="nesting deeper than 10"):
        parse_yaml(text, "f.yaml", Limits(max_depth=10))


def test_duplicate_key_keeps_first_and_is_noted_at_the_second() -> None:
    root = only_root("- id: s-1\n  name: A\n  name: B\n")
    record = root[0]
    assert isinstance(record, LocatedDict)
    assert record["name"] == "A"
    assert record.problems == [("key 'name' appears more than once (at line 3, first at line"
                                " 2); the first value is kept", Location("f.yaml", 3, 3))]


def test_multi_document_gives_one_root_per_document() -> None:
    roots = parse_yaml("id: a\n---\nid: b\n---\n...\n", "f.yaml", Limits())
    assert [(dict(value), location) for value, location in roots] == [
        ({"id": "a"}, Location("f.yaml", 1, 1)), ({"id": "b"}, Location("f.yaml", 3, 1))]


def test_keys_keep_their_written_text() -> None:
    root = only_root("2026: a\ntrue: b\nnull: c\n")
    assert list(root) == ["2026", "true", "null"]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: [1, 2\n", 2, 1), ("a: b\n c: d: e\n", 2, 3), ("a: \"\x07\"\n", 1, 5),
     ("\tx: 1\n", 1, 1), ("ok: 1\nbad: 'x\n", 3, 1)],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yaml", Limits())
    assert caught.value.location == Location("f.yaml", line, column)
    assert str(caught.value).startswith(f"f.yaml:{line}:{column}: not valid YAML")


@pytest.mark.parametrize(
    "text",
    ["- id: p-1\n  name: Ada\n- {id: p-2, teams: [a, b]}\n", "id: x\n---\nid: y\n",
     "- &a {k: v}\n- *a\n", "a: \"\x07\"\n", "a: !!python/object:x {}\n", "a: [1,\n"],
)
def test_pure_python_parser_agrees_with_libyaml(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def outcome() -> Any:
        try:
            return [(value, location, getattr(value, "location", None))
                    for value, location in parse_yaml(text, "f.yaml", Limits())]
        except InputError as exc:
            return str(exc.location)

    with_libyaml = outcome()
    monkeypatch.setattr("govcheck.loaders.yaml_reader._HAVE_LIBYAML", False)
    assert outcome() == with_libyaml


def test_duplicate_key_on_one_line_names_the_columns() -> None:
    root = only_root("- {id: a, name: x, id: b}\n")
    assert root[0].problems == [("key 'id' appears more than once (at line 1, column 20, first"
                                 " at column 4); the first value is kept",
                                 Location("f.yaml", 1, 20))]
