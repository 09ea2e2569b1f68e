"""Evaluating compiled rules over the graph: findings and per-check run counts.

For each rule: its target kinds give the nodes; `when` filters them; a false
`assert` is a `fail` finding at the node's record, an evaluation error an
`error` finding there, and the run goes on. The fast path (our closures) is
the default; `GOVCHECK_CEL_BACKEND=reference` (or `backend="reference"`)
runs cel-python's interpreter instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from govcheck.errors import UsageError
from govcheck.model import CheckRun, Finding, Location, Result, Severity
from govcheck.rules.fastpath import Frame
from govcheck.rules.graphview import GraphView
from govcheck.rules.policy import Expression, Rule
from govcheck.rules.semantics import CelError, plain_value, to_utc

if TYPE_CHECKING:
    from govcheck.graph import Graph

BACKENDS = ("fast", "reference")
BACKEND_ENV = "GOVCHECK_CEL_BACKEND"
# Related locations per finding: enough to follow the evidence, few enough for SARIF viewers.
_MAX_RELATED = 20
_PASS = object()

# A node's evaluation: runs one expression of the rule on the current node.
# An expression bound to the frame of the node being evaluated: called with no arguments.
Thunk = Callable[[], Any]
# Per rule: bind(node key), and thunk(expression) giving the expression bound to that node.
Runners = tuple[Callable[[str], None], Callable[[Expression], Thunk]]


def choose_backend(backend: str | None) -> str:
    """The backend to use: the argument, else $GOVCHECK_CEL_BACKEND, else the fast path."""
    chosen = backend or os.environ.get(BACKEND_ENV) or "fast"
    if chosen not in BACKENDS:
        raise UsageError(f"unknown CEL backend '{chosen}' (from {BACKEND_ENV} or the caller);"
                         f" expected one of {', '.join(BACKENDS)}")
    return chosen


def today_of(now: datetime) -> datetime:
    """`today`: the as-of's date at 00:00 UTC."""
    moment = to_utc(now)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Evidence:
    """Severity by tier and related locations, cached per node across rules."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._tiers: dict[str, str | None] = {}
        self._related: dict[str, tuple[Location, ...]] = {}

    def tier(self, key: str) -> str | None:
        if key not in self._tiers:
            system = self.graph.system_of(key)
            tier = self.graph.node(system).get("risk_tier") if system else None
            self._tiers[key] = tier if isinstance(tier, str) else None
        return self._tiers[key]

    def related(self, key: str) -> tuple[Location, ...]:
        """The evidence chain of a node: the records that make or explain its verdict.

        A phase points at the assignments naming it; a person at the assignments
        making them an owner; a system at its owner and the records naming it
        (approvals, reviews, exceptions, deployments, assignments); any other
        record at the records it references. Own location left out; capped.
        """
        found = self._related.get(key)
        if found is None:
            graph = self.graph
            kind = graph.kind(key)
            if kind == "phase":
                keys = graph.incoming(key, "phase")
            elif kind == "person":
                keys = [k for k in graph.incoming(key, "person") if graph.kind(k) == "assignment"]
            elif kind == "system":
                keys = graph.outgoing(key, "owner") + graph.incoming(key, "system")
            else:
                keys = [target for target, _edge in graph.edges_from(key)]
            own = graph.location(key)
            locations: list[Location] = []
            for target in keys:
                where = graph.location(target)
                if where != own and where not in locations:
                    locations.append(where)
                if len(locations) == _MAX_RELATED:
                    break
            found = tuple(locations)
            self._related[key] = found
        return found


def _severity(rule: Rule, tier: str | None) -> Severity:
    base = rule.info.severity
    raised = rule.severity_by_tier.get(tier) if tier else None
    return raised if raised is not None and raised.rank > base.rank else base


def _fast_runners(rule: Rule, view: GraphView, params: Any, settings: Any, now: datetime,
                  today: datetime) -> Runners:
    lets = {expression.name[4:]: expression.closure for expression in rule.lets}
    frame = Frame(view, lets, params, settings, now, today)
    node = view.graph.node

    def bind(key: str) -> None:
        frame.bind(node(key))

    def thunk(expression: Expression) -> Thunk:
        # functools.partial calls in C: no Python frame between the loop and the rule.
        return partial(expression.closure, frame)

    return bind, thunk


def _reads(expression: Expression, names: set[str]) -> bool:
    """Whether an expression mentions any of the names (a let it may read)."""
    return any(str(value) in names for value in expression.tree.scan_values(
        lambda v: getattr(v, "type", None) == "IDENT"))


def _reference_runners(rule: Rule, session: Any, params: Any, settings: Any, now: datetime,
                       today: datetime) -> Runners:
    frame = session.frame({"params": params, "settings": settings, "now": now,
                           "today": today})
    lets = [(expression.name[4:], expression.tree) for expression in rule.lets]
    # The reference computes lets eagerly; skip them for a `when` that reads none,
    # so nodes the rule does not select cost one evaluation.
    plain_when = rule.when is not None and not _reads(rule.when, {name for name, _ in lets})
    state: dict[str, Any] = {}

    def bind(key: str) -> None:
        state["key"] = key
        state["context"] = None

    def run(expression: Expression) -> Any:
        if plain_when and expression is rule.when:
            return session.run(expression.tree, session.context(state["key"], frame, []))
        if state["context"] is None:
            state["context"] = session.context(state["key"], frame, lets)
        return session.run(expression.tree, state["context"])

    def thunk(expression: Expression) -> Thunk:
        return partial(run, expression)

    return bind, thunk


@dataclass(frozen=True, slots=True)
class RulePart:
    """One rule's verdicts on one contiguous slice of its target nodes (for merging)."""

    check: str
    evaluated: int
    findings: tuple[Finding, ...]


def evaluate(
    rules: Sequence[Rule],
    graph: Graph,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    params_overrides: Mapping[str, Mapping[str, Any]],
    backend: str | None = None,
) -> tuple[list[Finding], list[CheckRun]]:
    """Run each rule on its target nodes; findings (fail and error) and one CheckRun per rule."""
    parts = evaluate_part(rules, graph, now=now, settings=settings,
                          params_overrides=params_overrides, backend=backend)
    return merge_parts(rules, [parts])


def evaluate_part(
    rules: Sequence[Rule],
    graph: Graph,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    params_overrides: Mapping[str, Mapping[str, Any]],
    backend: str | None = None,
    part: int = 0,
    parts: int = 1,
    view: GraphView | None = None,
) -> list[RulePart]:
    """Every rule on slice `part` of `parts` of its target nodes (`--jobs` deals slices).

    Each rule's targets (kind by kind, node ids sorted) are cut into `parts`
    contiguous slices of near-equal size, so workers get equal shares of every
    rule, heavy or light; `merge_parts` puts the slices back in order.
    """
    chosen = choose_backend(backend)
    view = view if view is not None else GraphView(graph)
    evidence = _Evidence(graph)
    moment = to_utc(now)
    today = today_of(moment)
    plain_settings = plain_value(settings)
    session: Any = None
    if chosen == "reference":
        from govcheck.rules.reference import ReferenceSession

        session = ReferenceSession(view)
    found: list[RulePart] = []
    for rule in rules:
        targets = [(kind, key) for kind in rule.targets for key in graph.node_ids(kind)]
        start, stop = len(targets) * part // parts, len(targets) * (part + 1) // parts
        params = plain_value({**rule.params, **params_overrides.get(rule.info.id, {})})
        if session is None:
            runners = _fast_runners(rule, view, params, plain_settings, moment, today)
        else:
            runners = _reference_runners(rule, session, params, plain_settings, moment, today)
        found.append(_evaluate_rule(rule, graph, evidence, runners, targets[start:stop]))
    return found


def merge_parts(rules: Sequence[Rule],
                parts: Sequence[Sequence[RulePart]]) -> tuple[list[Finding], list[CheckRun]]:
    """Findings and runs of whole rules from their slices, given in slice order.

    A rule reports each entity once (its first failing node): across slices the
    earlier slice's finding wins, exactly as one pass over all nodes would give.
    """
    findings: list[Finding] = []
    runs: list[CheckRun] = []
    for index, rule in enumerate(rules):
        entities: set[str] = set()
        evaluated = failed = errored = 0
        for slices in parts:
            piece = slices[index]
            evaluated += piece.evaluated
            for finding in piece.findings:
                if finding.entity in entities:
                    continue
                entities.add(finding.entity)
                if finding.result is Result.FAIL:
                    failed += 1
                else:
                    errored += 1
                findings.append(finding)
        runs.append(CheckRun(rule.info.id, evaluated, failed, errored))
    return findings, runs


def _evaluate_rule(rule: Rule, graph: Graph, evidence: _Evidence, runners: Runners,
                   targets: Sequence[tuple[str, str]]) -> RulePart:
    findings: list[Finding] = []
    entities: set[str] = set()
    evaluated = 0
    bind, thunk = runners
    when = thunk(rule.when) if rule.when is not None else None
    assertion = thunk(rule.assertion)
    message = thunk(rule.message_expression) if rule.message_expression is not None else None
    for kind, key in targets:
        bind(key)
        outcome, text = _outcome(rule, when, assertion, message)
        if outcome is None:
            continue
        evaluated += 1
        if outcome is _PASS:
            continue
        entity = f"{kind}:{graph.node(key).get('id')}"
        if entity in entities:
            continue
        entities.add(entity)
        findings.append(Finding(
            check=rule.info.id,
            controls=rule.info.controls,
            severity=_severity(rule, evidence.tier(key)),
            result=Result.FAIL if outcome is Result.FAIL else Result.ERROR,
            entity=entity,
            message=text or rule.message,
            location=graph.location(key),
            related=evidence.related(key),
            remediation=rule.info.remediation,
        ))
    return RulePart(rule.info.id, evaluated, tuple(findings))


def _message(rule: Rule, message: Thunk | None) -> str:
    """The failing node's message: `messageExpression`, falling back to `message`.

    A message that cannot be worded (say, a schema-failing value of the wrong
    type) must not turn a failure into an error: the verdict stands.
    """
    fallback = rule.message or rule.info.title
    if message is None:
        return fallback
    try:
        text = message()
    except Exception:  # any failure to word the message falls back to the static one
        return fallback
    if not isinstance(text, str):
        return fallback
    return " ".join(text.split()) or fallback


def _outcome(rule: Rule, when: Thunk | None, assertion: Thunk,
             message: Thunk | None) -> tuple[object, str]:
    """(None, _) when `when` skips the node, (_PASS, _), (FAIL, message) or (ERROR, message)."""
    step = "when"
    try:
        if when is not None:
            selected = when()
            if selected is False:
                return None, ""
            if selected is not True:
                return Result.ERROR, "when did not give a bool on this node"
        step = "assert"
        holds = assertion()
        if holds is True:
            return _PASS, ""
        if holds is not False:
            return Result.ERROR, "assert did not give a bool on this node"
        return Result.FAIL, _message(rule, message)
    except CelError as error:
        return Result.ERROR, f"{step} could not be evaluated on this node: {_short(str(error))}"
    except RecursionError:
        return Result.ERROR, f"{step} nests too deeply to evaluate on this node"
    except Exception as error:  # a value no operator expected must not stop the run
        return Result.ERROR, (f"{step} could not be evaluated on this node:"
                              f" {_short(f'{type(error).__name__}: {error}')}")
