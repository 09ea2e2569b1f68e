"""`--jobs N`: evaluate the rules in N processes (forked) with the same result as one.

The graph and the compiled rules are inherited by fork rather than pickled;
only findings and run counts travel back. Each rule's target nodes are dealt
in N contiguous slices (rule cost varies twentyfold, node cost within a rule
little), and the slices are merged back in order, so the result is the one
pass's result; the engine sorts findings and runs as well.
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
    from govcheck.rules.evaluation import RulePart

# Set in the parent just before forking; workers read it (fork copies it for free).
_STATE: dict[str, Any] = {}


@contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector (also usable as a decorator).

    Loading builds hundreds of thousands of long-lived records, maps and lists
    and makes next to no reference cycles; with the collector on, every few
    hundred allocations it rescans the whole growing heap, which cost a quarter
    of a `check` (profiled at 1,000 systems). The previous state comes back
    afterwards, so library callers keep their collector and nested pauses are
    harmless. With `freeze`, everything alive when the pause ends is moved out
    of the collector's reach (`gc.freeze`), so the collections that follow scan
    only what is made afterwards, not the loaded inventory again; `thaw()`
    undoes that once the run is over.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()


@contextmanager
def gc_relaxed() -> Iterator[None]:
    """Let the garbage collector look at young objects less often (previous settings after).

    Evaluation allocates millions of short-lived lists and maps; at the default
    threshold (700) the collector ran every few rule evaluations and cost about
    15 % of a `check` even with the inventory frozen out of its scans. Every
    100,000 allocations still collects the cycles failing expressions make, so
    their garbage stays bounded.
    """
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def thaw() -> None:
    """Give objects `gc_paused(freeze=True)` froze back to the collector."""
    gc.unfreeze()


def _work(part: int) -> list[RulePart]:
    from govcheck.rules.evaluation import evaluate_part

    state = _STATE
    result: list[RulePart] = evaluate_part(
        state["rules"], state["graph"], now=state["now"], settings=state["settings"],
        params_overrides=state["params"], part=part, parts=state["parts"],
        view=state["view"],
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
    """Evaluate rules over the graph, in `jobs` processes when more than one.

    Every rule's target nodes are cut into `jobs` contiguous slices: the parent
    evaluates slice 0 itself while `jobs - 1` forked workers take the others,
    so heavy and light rules are shared alike. The graph (with its adjacency)
    and the rules' graph view are built before the fork, so workers inherit
    them instead of rebuilding them; only findings and counts come back.
    """
    from govcheck.rules.evaluation import evaluate, merge_parts
    from govcheck.rules.graphview import GraphView

    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return evaluate(rules, graph, now=now, settings=settings,
                        params_overrides=params_overrides)
    view = GraphView(graph)
    _STATE.update(rules=list(rules), graph=graph, now=now, settings=settings,
                  params=params_overrides, parts=jobs, view=view)
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
            pending = pool.map_async(_work, range(1, jobs))
            first = _work(0)
            parts = [first, *pending.get()]
    finally:
        _STATE.clear()
    return merge_parts(rules, parts)
