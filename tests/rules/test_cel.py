"""The CEL environment: every function, has(), numbers, time, on both backends."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from govcheck.model import Result

from .conftest import run_policy, write_policy

INVENTORY: dict[str, Any] = {
    "people": [
        {"id": "p-1", "status": "active", "manager": "p-2", "authorities": ["halt"],
         "end_date": "2026-06-30", "score": 3},
        {"id": "p-2", "status": "leave", "manager": "p-3"},
        {"id": "p-3", "status": "active", "manager": "p-1"},
        {"id": "p-4", "status": "active", "name": "Ada Émile"},
        {"id": "p-5", "status": "active", "manager": "p-4", "ratio": 2.5},
    ],
    "systems": [{"id": "s-1", "status": "deployed", "owner": "p-1", "risk_tier": "high",
                 "go_live": "2026-06-01", "regulations": ["EU-AI-Act", "GDPR"],
                 "areas": {"risk": "p-1", "privacy": "p-4"}}],
    "assignments": [
        {"id": "a-1", "system": "s-1", "phase": "monitoring", "person": "p-1",
         "backup": "p-4", "assigned_at": "2026-01-01T12:00:00Z"},
        {"id": "a-2", "system": "s-1", "phase": "development", "person": "p-5"},
    ],
}


def outcome(tmp_path: Path, expression: str, backend: str, target: str = "system",
            node: str | None = None, inventory: dict[str, Any] | None = None,
            params: str = "{}") -> str:
    """'pass', 'fail' or 'error' of `assert: expression` on one node."""
    when = f"node.id == '{node}'" if node else "true"
    folder = write_policy(tmp_path / "p", f"""
        id: T-EXPR
        title: expression under test
        controls: [T:1]
        severity: low
        target: {target}
        when: "{when}"
        params: {params}
        assert: {json.dumps(expression)}
        message: failed
    """)
    findings, runs = run_policy(folder, inventory or INVENTORY, backend)
    assert runs[0].evaluated == 1
    if not findings:
        return "pass"
    return "error" if findings[0].result is Result.ERROR else "fail"


TRUE_EXPRESSIONS = [
    # graph functions
    "size(outgoing(node, 'owner')) == 1 && outgoing(node, 'owner')[0].id == 'p-1'",
    "incoming(node, 'system').map(a, a.id) == ['a-1', 'a-2']",
    "outgoing(node, 'owner')[0].kind == 'person'",
    "outgoing(node, 'areas').map(p, p.id) == ['p-1', 'p-4']",
    "size(outgoing(node, 'has_phase')) == 7",
    "reach(outgoing(node, 'owner')[0], 'manager').map(p, p.id) == ['p-2', 'p-3']",
    "chain(outgoing(node, 'owner')[0], 'manager').map(p, p.id) == ['p-2', 'p-3']",
    "loops(outgoing(node, 'owner')[0], 'manager')",
    "!loops(incoming(node, 'system')[1], 'person')",
    "incoming(outgoing(node, 'owner')[0], 'manager').map(p, p.id) == ['p-3']",
    "outgoing(node, 'owner').exists(o, outgoing(o, 'manager')[0].status == 'leave')",
    # has() and !has()
    "has(node.owner) && !has(node.cost_owner)",
    "!has(node.nothing.deeper)",
    "has(node.areas.risk) && !has(node.areas.security)",
    # numbers: int and double compare as numbers, both ways round
    "outgoing(node, 'owner')[0].score < 3.5 && 3.5 > outgoing(node, 'owner')[0].score",
    "outgoing(node, 'owner')[0].score == 3.0 && 3.0 == outgoing(node, 'owner')[0].score",
    "1 == 1.0 && 2 != 2.5 && 2 <= 2.0 && 2.0 >= 2",
    "[1, 2] == [1.0, 2.0] && 1 in [1.0]",
    "7 / 2 == 3 && -7 / 2 == -3 && -7 % 2 == -1 && 7.0 / 2.0 == 3.5",
    "size(node.regulations) * 2 == 4",
    # heterogeneous equality is false, not an error
    "node.status != 1 && node.status != null && !(node.status == [1])",
    # strings
    "node.status.startsWith('dep') && node.status.endsWith('yed')",
    "node.status.contains('loy') && node.status.matches('^d.p')",
    "'ABC-x'.lowerAscii() == 'abc-x' && 'abc'.upperAscii() == 'ABC'",
    "node.regulations.join(', ') == 'EU-AI-Act, GDPR' && ['a', 'b'].join() == 'ab'",
    "'a;b'.split(';') == ['a', 'b'] && '  x '.trim() == 'x'",
    "'a-b-c'.replace('-', '+') == 'a+b+c' && '0'.repeat(3) == '000'",
    "size('héllo') == 5 && 'x' + 'y' == 'xy'",
    "string(1) == '1' && string(true) == 'true' && string(2.5) == '2.5'",
    "int('42') == 42 && int(2.9) == 2 && double('1.5') == 1.5 && double(2) == 2.0",
    # types
    "type(node.areas) == map && type(node.regulations) == list",
    "type(node.status) == string && type(1) == int && type(1.5) == double",
    "type(true) == bool && type(node.status) != int",
    # time: dates arrive as timestamps; today is the as-of at 00:00 UTC
    "type(node.go_live) == type(now) && node.go_live < now",
    "now - node.go_live == duration('696h') && now - node.go_live > duration('28d') == false"
    " || now - node.go_live == duration('696h')",
    "today == timestamp('2026-06-30T00:00:00Z') && today == now",
    "outgoing(node, 'owner')[0].end_date >= today",
    "node.go_live + duration('24h') == timestamp('2026-06-02')",
    "timestamp('2026-06-30T10:00:00+02:00') == timestamp('2026-06-30T08:00:00Z')",
    "duration('1h30m') == duration('90m') && duration('-1s') < duration('0s')",
    "node.go_live.getFullYear() == 2026 && node.go_live.getMonth() == 5"
    " && node.go_live.getDate() == 1 && node.go_live.getDayOfMonth() == 0",
    "string(node.go_live) == '2026-06-01T00:00:00Z'",
    # macros and literals
    "[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2) && [1, 2].exists_one(x, x > 1)",
    "[1, 2, 3].filter(x, x % 2 == 1) == [1, 3] && [1, 2].map(x, x * 10) == [10, 20]",
    "{'a': 1, 'b': 2}.all(k, k in ['a', 'b']) && {'a': 1}['a'] == 1 && {'a': 1}.a == 1",
    "(node.status == 'deployed' ? 'y' : 'n') == 'y' && -(1) == -1 && !false",
    "node.areas.exists(k, node.areas[k] == 'p-4')",
    # errors are absorbed by || and && as in CEL
    "node.missing == 1 || true",
    "!(node.missing == 1 && false)",
    "[1, 2].exists(x, x / 0 == 1 || x == 2)",
    "params.limit == 3 && params.names == ['a']",
    "settings.phase_authority.monitoring == 'halt' && settings.waiver_max_days == 180",
]


@pytest.mark.parametrize("expression", TRUE_EXPRESSIONS)
def test_expression_holds(tmp_path: Path, backend: str, expression: str) -> None:
    assert outcome(tmp_path, expression, backend,
                   params="{limit: 3, names: [a]}") == "pass"


FALSE_EXPRESSIONS = [
    "has(node.cost_owner)",
    "loops(incoming(node, 'system')[1], 'person')",
    "1 > 1.0",
    "node.status == 'retired'",
    "[1, 2].exists(x, x > 5)",
]


@pytest.mark.parametrize("expression", FALSE_EXPRESSIONS)
def test_expression_fails(tmp_path: Path, backend: str, expression: str) -> None:
    assert outcome(tmp_path, expression, backend) == "fail"


ERROR_EXPRESSIONS = [
    "node.missing == 'x'",              # reading an absent field
    "node.regulations[5] == 'x'",       # index out of range
    "1 / 0 == 1",
    "node.status < 1",                  # no ordering between string and int
    "node.missing == 1 || false",
    "size(1) == 1",
    "int('x') == 1",
    "duration('soon') > duration('1s')",
    "outgoing('s-1', 'owner') == []",   # not a node
    "'a' + 1 == 'a1'",
    "node.status",                      # assert must give a bool
]


@pytest.mark.parametrize("expression", ERROR_EXPRESSIONS)
def test_expression_errors(tmp_path: Path, backend: str, expression: str) -> None:
    assert outcome(tmp_path, expression, backend) == "error"


def test_event_hash_recomputes_the_chain(tmp_path: Path, backend: str) -> None:
    first = {"seq": 1, "at": "2026-06-01T10:00:00+02:00", "actor": "p-1", "action": "approve",
             "detail": "Zoë's go-live", "prev_hash": "0" * 64}
    body = json.dumps(first, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    good = hashlib.sha256(("0" * 64 + body).encode("utf-8")).hexdigest()
    second = {"seq": 2, "at": "2026-06-02T00:00:00Z", "actor": "p-1", "action": "x",
              "prev_hash": good, "hash": "f" * 64}
    inventory = {"people": [{"id": "p-1"}],
                 "events": [{**first, "hash": good}, second]}
    expression = ("event_hash(node) == node.hash"
                  " && (node.prev_hash == '0'.repeat(64)"
                  " || outgoing(node, 'previous')[0].hash == node.prev_hash)")
    assert outcome(tmp_path, expression, backend, target="event", node="1",
                   inventory=inventory) == "pass"
    assert outcome(tmp_path, expression, backend, target="event", node="2",
                   inventory=inventory) == "fail"
