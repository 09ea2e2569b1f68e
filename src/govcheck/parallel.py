"""`--jobs N`: evaluate the rules in N forked processes with the same result as one.

The graph and the compiled rules are inherited by fork rather than pickled;
only findings and run counts travel back. Rules are dealt to workers by
estimated cost (how many nodes they target) so the workers finish together.
Output is identical to `--jobs 1` because the engine sorts findings and runs.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from govcheck.model import CheckRun, Finding

if TYPE_CHECKING:
    from govcheck.graph import Graph
    from govcheck.rules import Rule

# Set in the parent just before forking; workers read it (fork copies it for free).
_STATE: dict[str, Any] = {}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a run (also usable as a decorator).

    A run builds hundreds of thousands of long-lived records, maps and lists and
    makes next to no reference cycles; with the collector on, every few hundred
    allocations it rescans the whole growing heap, which cost a quarter of a
    `check` (profiled at 1,000 systems). The previous state comes back afterwards,
    so library callers keep their collector and nested pauses are harmless.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _deal(rules: Sequence[Rule], graph: Graph, jobs: int) -> list[list[int]]:
    """Indexes of the rules for each worker, heaviest first onto the lightest worker."""
    cost = [sum(len(graph.node_ids(kind)) for kind in rule.targets) + 1 for rule in rules]
    groups: list[list[int]] = [[] for _ in range(jobs)]
    load = [0] * jobs
    for index in sorted(range(len(rules)), key=lambda i: (-cost[i], i)):
        lightest = load.index(min(load))
        groups[lightest].append(index)
        load[lightest] += cost[index]
    return [group for group in groups if group]


def _work(group: list[int]) -> tuple[list[Finding], list[CheckRun]]:
    from govcheck.rules import evaluate

    rules = [_STATE["rules"][i] for i in group]
    result: tuple[list[Finding], list[CheckRun]] = evaluate(
        rules, _STATE["graph"], now=_STATE["now"], settings=_STATE["settings"],
        params_overrides=_STATE["params"],
    )
    return result


def evaluate_rules(
    rules: Sequence[Rule],
    graph: Graph,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    params_overrides: Mapping[str, Mapping[str, Any]],
    jobs: int = 1,
) -> tuple[list[Finding], list[CheckRun]]:
    """Evaluate rules over the graph, in `jobs` processes when more than one."""
    from govcheck.rules import evaluate

    if jobs <= 1 or len(rules) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        found: tuple[list[Finding], list[CheckRun]] = evaluate(
            rules, graph, now=now, settings=settings, params_overrides=params_overrides
        )
        return found
    groups = _deal(rules, graph, jobs)
    _STATE.update(rules=list(rules), graph=graph, now=now, settings=settings,
                  params=params_overrides)
    try:
        with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
            parts = pool.map(_work, groups)
    finally:
        _STATE.clear()
    findings: list[Finding] = []
    runs: list[CheckRun] = []
    for part_findings, part_runs in parts:
        findings.extend(part_findings)
        runs.extend(part_runs)
    return findings, runs
