"""Running the checks' own test cases (`govcheck test`).

A case is a small inventory in the canonical format, an as-of date, optional
settings and parameter overrides, and the entities the check must fail on.
Its inventory goes through the real loader normalisation and graph builder;
only the case's own check is evaluated. A case passes when the set of
entities with a `fail` result equals `expect` and nothing errored.

Coverage gate: every check needs at least one passing case (`expect: []`)
and one failing case (a non-empty `expect`); `govcheck test` fails otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govcheck.errors import GovcheckError
from govcheck.model import Location, Result
from govcheck.rules.policy import Rule, TestCase


@dataclass(frozen=True, slots=True)
class CaseResult:
    """How one test case went."""

    case: TestCase
    passed: bool
    got: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    problem: str = ""

    def describe(self) -> str:
        """`file:line: check: case name: expected [...] got [...]` (and what else went wrong)."""
        case = self.case
        head = f"{case.location}: {case.check}: {case.name}"
        if self.problem:
            return f"{head}: {self.problem}"
        text = f"{head}: expected [{', '.join(sorted(case.expect))}] got [{', '.join(self.got)}]"
        if self.errors:
            text += "; unexpected error on " + "; ".join(self.errors)
        return text


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A check that lacks a passing case, a failing case, or both."""

    check: str
    location: Location | None
    missing: tuple[str, ...]

    def describe(self) -> str:
        """`file:line: check: no passing case (expect: []) / no failing case`."""
        where = f"{self.location}: " if self.location else ""
        needs = " and ".join(
            "no passing case (expect: [])" if m == "passing" else "no failing case"
            for m in self.missing)
        return f"{where}{self.check}: {needs}"


@dataclass(frozen=True, slots=True)
class TestReport:
    """Every case's result and the checks that fail the coverage gate."""

    results: tuple[CaseResult, ...]
    gaps: tuple[CoverageGap, ...]
    checks: int

    @property
    def ok(self) -> bool:
        """Whether every case passed and every check is covered."""
        return not self.gaps and all(r.passed for r in self.results)

    def summary(self) -> str:
        """One closing line with the counts."""
        failed = sum(1 for r in self.results if not r.passed)
        passed = len(self.results) - failed
        text = (f"{len(self.results)} test case(s) of {self.checks} check(s): {passed} passed,"
                f" {failed} failed")
        if self.gaps:
            text += f"; {len(self.gaps)} check(s) without both a passing and a failing case"
        return text


def run_case(rule: Rule, case: TestCase, backend: str | None = None) -> CaseResult:
    """Build the case's inventory and graph, evaluate the rule, compare with `expect`."""
    from govcheck.graph import build_graph
    from govcheck.loaders import inventory_from_mapping
    from govcheck.rules.evaluation import evaluate
    from govcheck.settings import merge_settings

    try:
        inventory = inventory_from_mapping(case.inventory, name=case.location.path)
        settings = merge_settings(case.settings)
        graph, _ = build_graph(inventory.records, settings)
        findings, _ = evaluate([rule], graph, now=case.as_of, settings=settings,
                               params_overrides={rule.info.id: dict(case.params)},
                               backend=backend)
    except GovcheckError as error:
        return CaseResult(case, False, problem=f"the case cannot run: {error}")
    got = tuple(sorted(f.entity for f in findings if f.result is Result.FAIL))
    errors = tuple(sorted(f"{f.entity}: {f.message}" for f in findings
                          if f.result is Result.ERROR))
    passed = set(got) == set(case.expect) and not errors
    return CaseResult(case, passed, got, errors)


def coverage_gaps(rules: Sequence[Rule]) -> tuple[CoverageGap, ...]:
    """Checks without a passing (`expect: []`) or a failing (non-empty `expect`) case."""
    gaps: list[CoverageGap] = []
    for rule in rules:
        missing: list[str] = []
        if not any(not case.expect for case in rule.tests):
            missing.append("passing")
        if not any(case.expect for case in rule.tests):
            missing.append("failing")
        if missing:
            gaps.append(CoverageGap(rule.info.id, rule.source, tuple(missing)))
    return tuple(gaps)


def run_tests(rules: Sequence[Rule], backend: str | None = None) -> TestReport:
    """Run every case of every rule, in load order, and check coverage."""
    results = tuple(run_case(rule, case, backend) for rule in rules for case in rule.tests)
    return TestReport(results, coverage_gaps(rules), len(rules))
