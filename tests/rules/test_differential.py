"""The fast path agrees with cel-python's interpreter on generated inventories.

Every built-in rule (discovered from the shipped pack) and every sample rule
under tests/rules/data runs on both backends over hypothesis-generated
inventories — missing fields, wrong types, unknown references, cycles and
dates either side of the as-of included — and the findings must be the same:
same entities, results, severities and (for fails) messages. Error messages
are the backends' own wording, so only the fact of the error is compared.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcheck.builtin import builtin_policies_dir
from govcheck.kinds import PHASES
from govcheck.model import Finding, Result
from govcheck.rules import Rule, evaluate, load_policies
from govcheck.rules.reference import environment
from govcheck.settings import merge_settings

from .conftest import DATA, graph_of

# cel-python raises the recursion limit when its environment is made; do it before
# hypothesis runs, which warns when a test changes the limit.
environment()

PEOPLE = ["p-1", "p-2", "p-3", "p-4"]
PARTIES = [*PEOPLE, "t-1", "v-1", "x-9"]
SYSTEMS = ["s-1", "s-2", "s-3"]
DATES = ["2025-01-01", "2025-06-30", "2026-03-01", "2026-06-29", "2026-06-30",
         "2026-06-30T18:00:00+02:00", "2026-07-01", "2027-01-01", "soon"]
AUTHORITIES = ["halt", "override", "approve-go-live", "sign-off-test", "sign-off-retirement"]
COURSES = ["ai-governance-101", "privacy-201"]
AREAS = ["risk", "impact-assessment", "security", "privacy", "human-oversight", "data-quality"]

date = st.sampled_from(DATES)
person_ref = st.sampled_from([*PEOPLE, "p-9"])
party = st.sampled_from(PARTIES)
system_ref = st.sampled_from([*SYSTEMS, "s-9"])
text = st.sampled_from(["", "because", "ticket GRC-1"])
weird = st.one_of(st.integers(-2, 2), st.booleans(), st.just(["x"]))


def _records(ids: list[str], required: dict[str, Any], optional: dict[str, Any]) -> Any:
    record = st.fixed_dictionaries({"id": st.sampled_from(ids), **required}, optional=optional)
    return st.lists(record, max_size=len(ids) + 1)


inventories = st.fixed_dictionaries({
    "people": _records(PEOPLE, {}, {
        "status": st.sampled_from(["active", "leave", "terminated", "gone"]),
        "end_date": date, "manager": person_ref,
        "authorities": st.one_of(st.lists(st.sampled_from(AUTHORITIES), max_size=3), weird),
        "teams": st.lists(st.just("t-1"), max_size=1)}),
    "teams": st.lists(st.fixed_dictionaries({"id": st.just("t-1")},
                                            optional={"lead": person_ref}), max_size=1),
    "vendors": st.lists(st.fixed_dictionaries({"id": st.just("v-1")}), max_size=1),
    "systems": _records(SYSTEMS, {}, {
        "status": st.sampled_from(["proposed", "development", "validation", "deployed",
                                   "retired"]),
        "risk_tier": st.sampled_from(["low", "medium", "high", "critical", "severe"]),
        "owner": party, "intended_use": text, "cost_owner": person_ref,
        "sourcing": st.sampled_from(["internal", "vendor", "open-source"]),
        "vendor": st.just("v-1"), "version": st.sampled_from(["1.0", "2.0"]),
        "go_live": date, "regulations": st.one_of(st.lists(st.just("EU-AI-Act"), max_size=1),
                                                  weird),
        "areas": st.dictionaries(st.sampled_from(AREAS), person_ref, max_size=4)}),
    "assignments": _records(["a-1", "a-2", "a-3", "a-4", "a-5"], {
        "system": system_ref, "phase": st.sampled_from(PHASES), "person": party}, {
        "backup": person_ref,
        "authorities": st.lists(st.sampled_from(AUTHORITIES), max_size=2),
        "assigned_by": person_ref, "assigned_at": date, "accepted_at": date,
        "reviewed_at": date, "contract": st.sampled_from(["c-1", "c-9"])}),
    "approvals": _records(["ap-1", "ap-2"], {"system": system_ref}, {
        "kind": st.sampled_from(["go-live", "change", "sourcing", "retirement"]),
        "version": st.sampled_from(["1.0", "2.0"]), "requested_by": person_ref,
        "approver": person_ref, "decision": st.sampled_from(["approved", "rejected",
                                                              "pending"]),
        "decided_at": date, "rationale": text, "evidence": text, "expires_at": date}),
    "exceptions": _records(["e-1", "e-2"], {"system": system_ref}, {
        "kind": st.sampled_from(["exception", "override", "deviation"]),
        "opened_at": date, "rationale": text, "accountable": party,
        "approved_by": person_ref, "expires_at": date, "closed_at": date,
        "root_cause": text, "resolution": text}),
    "reviews": _records(["r-1", "r-2"], {"system": system_ref}, {
        "kind": st.sampled_from(["responsible-use", "fairness"]), "due": date,
        "completed_at": date, "reviewer": person_ref}),
    "training": _records(["tr-1", "tr-2", "tr-3"], {
        "person": person_ref, "course": st.sampled_from(COURSES)}, {
        "completed_at": date, "expires_at": date}),
    "contracts": _records(["c-1"], {"vendor": st.just("v-1")}, {
        "systems": st.lists(system_ref, max_size=2),
        "phases": st.one_of(st.lists(st.sampled_from(PHASES), max_size=3),
                            st.sampled_from(PHASES)),
        "starts": date, "ends": date}),
    "deployments": _records(["d-1", "d-2"], {"system": system_ref}, {
        "environment": st.just("prod"), "version": st.sampled_from(["1.0", "2.0"]),
        "status": st.sampled_from(["active", "retired"]), "since": date}),
})

AS_OF = st.sampled_from([datetime(2026, 6, 30, tzinfo=UTC),
                         datetime(2026, 6, 30, 15, 30, tzinfo=UTC)])

_RULES: list[Rule] = []


def _rules() -> list[Rule]:
    if not _RULES:
        _RULES.extend(load_policies([builtin_policies_dir()]))
        _RULES.extend(load_policies([DATA / "sample"]))
    return _RULES


def _comparable(findings: list[Finding]) -> list[tuple[str, ...]]:
    return sorted(
        (f.check, f.entity, f.result.value, f.severity.value,
         f.message if f.result is Result.FAIL else "", str(f.location))
        for f in findings
    )


def test_pack_is_discovered() -> None:
    ids = {rule.info.id for rule in _rules()}
    assert "T-OWNER-ACTIVE" in ids
    assert any(check.startswith("A.3.2-") for check in ids)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventory=inventories, now=AS_OF)
def test_fast_path_matches_reference(inventory: dict[str, Any], now: datetime) -> None:
    graph = graph_of(inventory)
    merged = merge_settings(None)
    rules = _rules()
    fast, fast_runs = evaluate(rules, graph, now=now, settings=merged, params_overrides={},
                               backend="fast")
    reference, reference_runs = evaluate(rules, graph, now=now, settings=merged,
                                         params_overrides={}, backend="reference")
    assert _comparable(fast) == _comparable(reference)
    assert fast_runs == reference_runs
