"""The assignment registry read off a graph built from hand-made records."""

from __future__ import annotations

from datetime import UTC, datetime

from govcheck.graph import build_graph
from govcheck.kinds import PHASES
from govcheck.model import Finding, Location, RegistryEntry, Result, Severity
from govcheck.registry import build_registry
from govcheck.settings import merge_settings

from .conftest import record

SETTINGS = merge_settings({})
RECORDS = [
    record("person", "p-1", 1, name="Ada", status="active"),
    record("person", "p-2", 2, name="Bob", status="active"),
    record("person", "p-3", 3, name="Cy", status="active"),
    record("team", "t-1", 1, name="Platform"),
    record("vendor", "v-1", 1, name="Acme"),
    record("system", "s-2", 1, name="Retired bot", status="retired", owner="p-2"),
    record("system", "s-1", 5, name="Scoring", status="deployed", owner="p-1"),
    record("assignment", "a-1", 1, system="s-1", phase="validation", person="p-1", backup="p-2",
           authorities=["sign-off-test", "extra"],
           assigned_at=datetime(2026, 1, 2, 9, 30, tzinfo=UTC)),
    record("assignment", "a-2", 9, system="s-1", phase="monitoring", person="t-1", backup="p-3"),
    record("assignment", "a-3", 17, system="s-1", phase="deployment", person="p-2",
           backup="v-1"),
    record("assignment", "a-4", 25, system="s-1", phase="deployment", person="p-3"),
    record("assignment", "a-5", 33, system="s-2", phase="development", person="p-3"),
    record("assignment", "a-6", 41, system="s-2", phase="retirement", person="p-1"),
]


def entries(findings: list[Finding] | None = None) -> dict[tuple[str, str], RegistryEntry]:
    graph, _ = build_graph(RECORDS, SETTINGS)
    registry = build_registry(graph, findings or [], SETTINGS)
    return {(e.system, e.phase): e for e in registry}


def test_every_required_and_named_phase_in_order() -> None:
    graph, _ = build_graph(RECORDS, SETTINGS)
    registry = build_registry(graph, [], SETTINGS)
    assert [(e.system, e.phase) for e in registry] == (
        [("s-1", p) for p in PHASES] + [("s-2", "development"), ("s-2", "retirement")]
    )


def test_owner_backup_dates_and_authorities() -> None:
    validation = entries()[("s-1", "validation")]
    assert validation.state == "ok"
    assert validation.owners == ("p-1",)
    assert validation.owner_names == ("Ada",)
    assert validation.backups == ("p-2",)
    assert validation.backup_names == ("Bob",)
    assert validation.authorities == ("extra", "sign-off-test")
    assert validation.assigned_at == "2026-01-02"
    assert validation.accepted_at == ""
    assert validation.location == Location("assignments.yaml", 1, 3)
    assert validation.system_name == "Scoring"


def test_team_assignee_is_no_owner_and_missing_phase_is_a_gap() -> None:
    table = entries()
    monitoring = table[("s-1", "monitoring")]
    assert monitoring.state == "gap" and monitoring.owners == ()
    assert monitoring.backups == ("p-3",)
    assert monitoring.other_assignees == ("team:t-1",)
    assert monitoring.authorities == ("halt",)
    conception = table[("s-1", "conception")]
    assert conception.state == "gap" and conception.assignments == ()
    assert conception.location == Location("systems.yaml", 5, 3)


def test_two_owners_and_vendor_backup() -> None:
    deployment = entries()[("s-1", "deployment")]
    assert deployment.owners == ("p-2", "p-3")
    assert deployment.backups == ()
    assert deployment.assignments == ("a-3", "a-4")


def test_not_required_phase_of_a_retired_system() -> None:
    table = entries()
    assert table[("s-2", "development")].state == "not-required"
    assert table[("s-2", "retirement")].state == "ok"


def test_gating_findings_make_a_gap_and_waived_ones_do_not() -> None:
    def on(entity: str, result: Result) -> Finding:
        return Finding("C", (), Severity.LOW, result, entity, "m", Location("x", 1, 1))

    table = entries([on("assignment:a-1", Result.FAIL), on("phase:s-2/retirement", Result.ERROR),
                     on("assignment:a-6", Result.WAIVED)])
    assert table[("s-1", "validation")].state == "gap"
    assert table[("s-2", "retirement")].state == "gap"
    waived_only = entries([on("assignment:a-6", Result.WAIVED)])
    assert waived_only[("s-2", "retirement")].state == "ok"


def test_without_settings_only_the_assignments_authorities() -> None:
    graph, _ = build_graph(RECORDS, SETTINGS)
    registry = {(e.system, e.phase): e for e in build_registry(graph, [])}
    assert registry[("s-1", "monitoring")].authorities == ()
    assert registry[("s-1", "validation")].authorities == ("extra", "sign-off-test")
