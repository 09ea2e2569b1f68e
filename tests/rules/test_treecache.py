"""Parse trees kept between runs: read back exactly, never trusted blindly, never required."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lark import Token, Tree

from govcheck.builtin import builtin_policies_dir
from govcheck.rules import load_policies
from govcheck.rules.fastpath import _MISSING, _plain_literal
from govcheck.rules.reference import environment, from_cel, parse
from govcheck.rules.treecache import TreeCache, decode, encode


def _shape(tree: Any) -> Any:
    """Everything about a tree: rule names, tokens with their types and positions, metas."""
    if isinstance(tree, Token):
        return ("K", tree.type, str(tree), tree.start_pos, tree.line, tree.column,
                tree.end_line, tree.end_column, tree.end_pos)
    if isinstance(tree, Tree):
        meta = None if tree.meta.empty else sorted(vars(tree.meta).items())
        return ("T", repr(tree.data), meta, [_shape(child) for child in tree.children])
    return tree


def _expressions() -> list[str]:
    texts = []
    for rule in load_policies([builtin_policies_dir()]):
        for expression in (rule.when, rule.assertion, rule.message_expression, *rule.lets):
            if expression is not None:
                texts.append(expression.text)
    return texts


def test_every_built_in_expression_comes_back_identical() -> None:
    for text in _expressions():
        tree = parse(text)
        assert _shape(decode(json.loads(json.dumps(encode(tree))))) == _shape(tree), text


def test_a_second_run_reads_the_trees_instead_of_parsing(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    first = TreeCache(tmp_path)
    tree = first.parse("node.status == 'active' && size(node.items) > 1")
    first.save()
    assert len(list(tmp_path.glob("cel-trees-*.json"))) == 1

    import govcheck.rules.reference as reference

    def refuse(text: str) -> Any:
        raise AssertionError("parsed again")

    monkeypatch.setattr(reference, "parse", refuse)
    again = TreeCache(tmp_path).parse("node.status == 'active' && size(node.items) > 1")
    assert _shape(again) == _shape(tree)


@pytest.mark.parametrize("content", ["not json", "[]", '{"trees": {"x": ["T"]}}',
                                     '{"trees": {"node.a": ["K", "IDENT"]}}', "\udcff",
                                     "[" * 100_000 + "]" * 100_000])
def test_a_corrupt_cache_is_ignored(tmp_path: Path, content: str) -> None:
    cache = TreeCache(tmp_path)
    cache._load()
    assert cache._path is not None
    cache._path.write_text(content, encoding="utf-8", errors="surrogateescape")
    fresh = TreeCache(tmp_path)
    assert _shape(fresh.parse("node.a")) == _shape(parse("node.a"))
    fresh.save()
    assert "node.a" in json.loads(cache._path.read_text(encoding="utf-8"))["trees"]


def test_an_unwritable_cache_folder_does_not_stop_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = TreeCache(blocker / "cache")
    assert _shape(cache.parse("1 + 2")) == _shape(parse("1 + 2"))
    cache.save()  # no error
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govcheck.rules.treecache import cache_dir

    monkeypatch.setenv("GOVCHECK_CACHE_DIR", "")
    assert cache_dir() is None
    cache = TreeCache()
    cache.parse("true")
    cache.save()
    monkeypatch.setenv("GOVCHECK_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path


@pytest.mark.parametrize(("ci", "on"), [("true", False), ("1", False), ("", True),
                                         ("false", True)])
def test_the_cache_is_off_under_ci_unless_asked_for(ci: str, on: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from govcheck.rules.treecache import cache_dir

    monkeypatch.delenv("GOVCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("CI", ci)
    assert (cache_dir() is not None) == on


@pytest.mark.parametrize("text", ["'active'", '"two words"', "''", "0", "42", "123456789012345678",
                                  "true", "false", "null", "'a\\\\b'", "'''x'''", "r'x'",
                                  "b'x'", "1u", "2.5", "1e3", "0x1F", "'\\u00e9'",
                                  "'it\\'s'", '"say \\"hi\\""', "'a\\nb\\tc\\r'", "'\\\\'",
                                  "'\\x41'", "'\\101'", "'\\a'"])
def test_plain_literals_are_read_as_cel_python_reads_them(text: str) -> None:
    tree = parse(text)
    (literal,) = list(tree.find_data("literal"))
    tokens = tuple((getattr(t, "type", ""), str(t)) for t in literal.children)
    ours = _plain_literal(tokens)
    theirs = from_cel(environment().program(literal).evaluate({}))
    plain = text in ("'active'", '"two words"', "''", "0", "42", "123456789012345678", "true",
                     "false", "null", "'a\\\\b'", "'it\\'s'", '"say \\"hi\\""',
                     "'a\\nb\\tc\\r'", "'\\\\'")
    assert (ours is not _MISSING) == plain
    if plain:
        assert ours == theirs and type(ours) is type(theirs)
