"""The generated functions give exactly what the closures give, errors included.

`codegen` writes each expression as one Python function that defers to the
expression's closure on anything unusual. Here every construct is run both
ways over node values of the expected and of the wrong types, and the two
must agree on the value, or both raise a CelError.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from govcheck.builtin import builtin_policies_dir
from govcheck.rules import load_policies
from govcheck.rules.codegen import generate
from govcheck.rules.fastpath import Frame, Translator
from govcheck.rules.graphview import GraphView
from govcheck.rules.reference import parse
from govcheck.rules.semantics import CelError

from .conftest import graph_of

NOW = datetime(2026, 6, 30, tzinfo=UTC)
EXPRESSIONS = [
    "node.status == 'active'",
    "node.status != 'active'",
    "node.n == 1",
    "node.n == node.m",
    "node.n != node.m",
    "node.flag && node.n > 0",
    "node.flag || node.n > 0",
    "!node.flag",
    "node.flag ? node.n : node.m",
    "-node.n",
    "node.n + node.m * 2 - 1",
    "node.n / node.m",
    "node.n % node.m",
    "node.n < node.m && node.n <= node.m && node.m > node.n && node.m >= node.n",
    "node.status in node.items",
    "node.items[0]",
    "node.items[node.n]",
    "node.nested.inner",
    "has(node.status)",
    "has(node.nested.inner)",
    "!has(node.missing) || node.missing == 1",
    "node.items.all(i, i != '')",
    "node.items.exists(i, i == 'b')",
    "node.items.exists_one(i, i == 'b')",
    "node.items.exists_one(i, i != 'a')",
    "node.items.map(i, i + 'x')",
    "node.items.filter(i, i != 'a')",
    "node.items.filter(i, [i].exists(j, j == 'a' && j != '')).map(i, i + '!')",
    "node.items.filter(i, node.items.exists(j, j == i && j != 'c')).all(i, i != '')",
    "size(node.items) > 0 && type(node.items) == list",
    "type(node.n) != int || type(node.status) == string || type(node.nested) == map",
    "string(node.n) + 'x'",
    "node.status.startsWith('ac') && node.status.contains('tiv')",
    "node.when < now && node.when + duration('24h') >= today",
    "[node.n, node.m].exists(v, v == 2)",
    "{'a': node.n}.a == node.n",
    "outgoing(node, 'manager').exists(m, m.status == 'active')",
    "incoming(node, 'manager').map(m, m.id)",
    "chain(node, 'manager').filter(m, has(m.status)).map(m, m.id)",
    "loops(node, 'manager') || size(reach(node, 'manager')) >= 0",
    "node.missing",
    "node.items.all(i, i)",
    "node.items.exists(i, 1)",
    "params.limit > node.n",
]
VALUES: list[Any] = ["active", "", 1, 2, 0, -3, 2.5, True, False, None, ["a", "b"], [1, "b"],
                     {"inner": "x"}, {"other": 1}, NOW, timedelta(hours=1)]


def _nodes() -> list[dict[str, Any]]:
    """Node maps where every field the expressions read takes each kind of value in turn."""
    fields = ["status", "n", "m", "flag", "items", "nested", "when"]
    nodes = [{"id": "p-1", "kind": "person", "status": "active", "n": 1, "m": 2, "flag": True,
              "items": ["a", "b", "c"], "nested": {"inner": 3}, "when": NOW}]
    for position, field in enumerate(fields):
        for index, value in enumerate(VALUES):
            base = dict(nodes[0])
            base[field] = value
            if (position + index) % 3 == 0:
                del base[fields[(position + 1) % len(fields)]]
            nodes.append(base)
    return nodes


def _outcome(function: Any, frame: Frame) -> tuple[str, Any]:
    try:
        return "value", function(frame)
    except CelError:
        return "error", None


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_generated_code_agrees_with_the_closure(text: str) -> None:
    graph = graph_of({"people": [{"id": "p-1", "status": "active", "manager": "p-2"},
                                 {"id": "p-2", "status": "leave", "manager": "p-1"}]})
    view = GraphView(graph)
    tree = parse(text)
    closure = Translator(()).compile(tree)
    generated = generate(tree, (), closure)
    assert generated is not closure, f"{text!r} was not generated"
    in_graph = [graph.node(key) for key in graph.node_ids("person")]
    for node in [*_nodes(), *in_graph]:
        for params in ({"limit": 5}, {"limit": "x"}, {}):
            frame = Frame(view, {}, params, {}, NOW, NOW)
            frame.bind(node)
            assert _outcome(generated, frame) == _outcome(closure, frame), (text, node, params)


def test_lets_are_read_through_the_frame_and_errors_stay_errors() -> None:
    tree = parse("total > 1 && broken == 1")
    lets = {"total": Translator(()).compile(parse("node.n + 1")),
            "broken": Translator(()).compile(parse("node.missing"))}
    closure = Translator(("total", "broken")).compile(tree)
    generated = generate(tree, ("total", "broken"), closure)
    assert generated is not closure
    graph = graph_of({"people": [{"id": "p-1"}]})
    frame = Frame(GraphView(graph), lets, {}, {}, NOW, NOW)
    frame.bind({"n": 0})
    assert generated(frame) is False  # false && error is false in CEL
    frame.bind({"n": 5})
    with pytest.raises(CelError):
        generated(frame)


def test_every_expression_of_the_built_in_pack_is_generated() -> None:
    """A construct the generator drops would silently cost the pack its speed."""
    for rule in load_policies([builtin_policies_dir()]):
        expressions = [rule.when, rule.assertion, rule.message_expression, *rule.lets]
        for expression in expressions:
            if expression is not None:
                assert expression.closure.__name__ == "generated", (rule.info.id,
                                                                    expression.name)
