"""Governed waivers: loading with locations, validity rules, expiry, and what they change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from govcheck.errors import InputError
from govcheck.graph import Graph, build_graph
from govcheck.model import Finding, Location, Record, Result, Severity
from govcheck.settings import merge_settings
from govcheck.waivers import (
    WAIVER_CHECKS,
    WAIVER_EXPIRED,
    WAIVER_INVALID,
    apply_waivers,
    entity_owners,
    load_waivers,
)

NOW = datetime(2026, 6, 30, 15, 30, tzinfo=UTC)
PATH = "govcheck-waivers.yaml"


def rec(kind: str, ident: str, line: int, **fields: Any) -> Record:
    return Record(kind, ident, {"id": ident, **fields}, Location(f"{kind}s.yaml", line, 1))


@pytest.fixture(scope="module")
def graph() -> Graph:
    records = [
        rec("person", "p-001", 1, status="active"),
        rec("person", "p-002", 2, status="active"),
        rec("person", "p-003", 3, status="active"),
        rec("team", "t-1", 1, lead="p-003"),
        rec("system", "s-1", 1, status="deployed", owner="p-003"),
        rec("assignment", "as-014", 1, system="s-1", phase="monitoring", person="p-001",
            backup="p-003"),
        rec("assignment", "as-015", 5, system="s-1", phase="validation", person="p-001"),
        rec("exception", "ex-1", 1, system="s-1", accountable="p-002"),
        rec("approval", "ap-1", 1, system="s-1", approver="p-002"),
    ]
    built, _ = build_graph(records, merge_settings({}))
    return built


def finding(check: str, entity: str, result: Result = Result.FAIL, line: int = 1) -> Finding:
    return Finding(check, ("ISO42001:A.3.2",), Severity.MEDIUM, result, entity, "gap",
                   Location("assignments.yaml", line, 3))


def waivers_yaml(*entries: str) -> bytes:
    return ("# waivers\nwaivers:\n" + "".join(entries)).encode()


def entry(check: str = "A.3.2-BACKUP-NAMED", entity: str = "assignment:as-014",
          approved_by: str = "p-002", expires: str = "2026-09-30", extra: str = "") -> str:
    return (
        f"  - check: {check}\n"
        f"    entity: '{entity}'\n"
        "    justification: Backup being hired; the team lead covers until then.\n"
        f"    approved_by: {approved_by}\n"
        "    ticket: GRC-1234\n"
        f"    expires: {expires}\n"
        f"{extra}"
    )


def apply(data: bytes, findings: list[Finding], graph: Graph, max_days: int = 180) -> list[Finding]:
    return apply_waivers(findings, load_waivers(data, PATH), graph, NOW, max_days)


# --- loading -------------------------------------------------------------------------


def test_load_reads_fields_and_locations() -> None:
    waivers = load_waivers(waivers_yaml(entry(), entry(approved_by="person:p-003")), PATH)
    assert len(waivers) == 2
    first = waivers[0]
    assert first.check == "A.3.2-BACKUP-NAMED" and first.entity == "assignment:as-014"
    assert first.ticket == "GRC-1234" and first.approved_by == "p-002"
    assert first.expires == datetime(2026, 9, 30, tzinfo=UTC)
    assert first.location == Location(PATH, 3, 5)
    assert waivers[1].location == Location(PATH, 9, 5)
    assert waivers[1].approved_by == "p-003"
    assert first.problems == ()


def test_load_empty_list_and_null() -> None:
    assert load_waivers(b"waivers: []\n", PATH) == ()
    assert load_waivers(b"waivers:\n", PATH) == ()


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (b"waivers:\n  - check: [unclosed\n", f"{PATH}:3:1", "does not parse"),
        (b"", f"{PATH}:1:1", "empty"),
        (b"- check: x\n", f"{PATH}:1:1", "not of type 'object'"),
        (b"waivers: []\nextra: 1\n", f"{PATH}:1:1", "Additional properties"),
        (b"waivers: {check: x}\n", f"{PATH}:1:10", "not of type"),
        (b"waivers: \xc3\x28\n", PATH, "does not parse"),
    ],
)
def test_load_bad_files_are_located_errors(data: bytes, where: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        load_waivers(data, PATH)
    assert str(caught.value).startswith(where)
    assert words in str(caught.value)


def test_load_keeps_a_bad_waiver_with_its_problems() -> None:
    data = waivers_yaml(
        "  - check: A.3.2-BACKUP-NAMED\n    entity: assignment:as-014\n",
        entry(expires="next tuesday"),
        entry(extra="    colour: red\n"),
        entry(extra="    ticket: GRC-9\n"),
        entry().replace("ticket: GRC-1234", "ticket: 1234"),
    )
    missing, bad_date, unknown, duplicate, numeric_ticket = load_waivers(data, PATH)
    assert any("'justification' is a required property" in p for p in missing.problems)
    assert any("'expires' is a required property" in p for p in missing.problems)
    assert bad_date.problems == ("expires: 'next tuesday' is not an ISO 8601 date",)
    assert any("'colour' was unexpected" in p for p in unknown.problems)
    assert duplicate.problems == ("key 'ticket' appears twice",)
    assert numeric_ticket.problems == () and numeric_ticket.ticket == "1234"


# --- applying ------------------------------------------------------------------------


def test_valid_waiver_waives_with_justification(graph: Graph) -> None:
    original = finding("A.3.2-BACKUP-NAMED", "assignment:as-014")
    other = finding("A.3.2-BACKUP-NAMED", "assignment:as-015")
    result = apply(waivers_yaml(entry()), [original, other], graph)
    assert result[0].result is Result.WAIVED
    assert result[0].fingerprint == original.fingerprint
    assert result[0].justification == ("Backup being hired; the team lead covers until then."
                                       " (ticket GRC-1234; approved by p-002; expires 2026-09-30)")
    assert result[1] == other
    assert len(result) == 2


def test_glob_waives_every_match_of_that_check_only(graph: Graph) -> None:
    findings = [
        finding("A.3.2-BACKUP-NAMED", "assignment:as-014"),
        finding("A.3.2-BACKUP-NAMED", "assignment:as-015"),
        finding("A.3.2-OWNER-ACTIVE", "assignment:as-014"),
        finding("A.3.2-BACKUP-NAMED", "assignment:as-016", Result.BASELINED),
        finding("A.3.2-BACKUP-NAMED", "assignment:as-017", Result.ERROR),
    ]
    result = apply(waivers_yaml(entry(entity="assignment:as-01*")), findings, graph)
    assert [f.result for f in result] == [Result.WAIVED, Result.WAIVED, Result.FAIL,
                                         Result.BASELINED, Result.WAIVED]


def test_expired_waiver_is_a_finding_and_the_original_fails(graph: Graph) -> None:
    original = finding("A.3.2-BACKUP-NAMED", "assignment:as-014", line=40)
    result = apply(waivers_yaml(entry(expires="2026-06-29")), [original], graph)
    assert result[0] == original
    expired = result[1]
    assert expired.check == WAIVER_EXPIRED and expired.result is Result.FAIL
    assert expired.location == Location(PATH, 3, 5)
    assert expired.entity == "waiver:A.3.2-BACKUP-NAMED/assignment:as-014"
    assert expired.controls == ("ISO42001:A.9.2",) and expired.severity is Severity.MEDIUM
    assert "expired on 2026-06-29" in expired.message
    assert expired.related == (Location("assignments.yaml", 40, 3),)


def test_waiver_expiring_today_still_holds(graph: Graph) -> None:
    result = apply(waivers_yaml(entry(expires="2026-06-30")),
                   [finding("A.3.2-BACKUP-NAMED", "assignment:as-014")], graph)
    assert [f.result for f in result] == [Result.WAIVED]


def test_expiry_at_most_max_days_ahead(graph: Graph) -> None:
    original = finding("A.3.2-BACKUP-NAMED", "assignment:as-014")
    at_limit = apply(waivers_yaml(entry(expires="2026-12-27")), [original], graph)
    assert [f.result for f in at_limit] == [Result.WAIVED]  # 180 days after 2026-06-30
    beyond = apply(waivers_yaml(entry(expires="2026-12-28")), [original], graph)
    assert beyond[0] == original
    assert beyond[1].check == WAIVER_INVALID
    assert "181 days after 2026-06-30" in beyond[1].message
    assert "at most waiver_max_days (180)" in beyond[1].message
    shorter = apply(waivers_yaml(entry(expires="2026-07-31")), [original], graph, max_days=30)
    assert shorter[1].check == WAIVER_INVALID


@pytest.mark.parametrize(
    ("entity", "approver", "reason"),
    [
        ("assignment:as-014", "p-404", "is not a person in the inventory"),
        ("assignment:as-014", "t-1", "is not a person in the inventory"),
        ("assignment:as-014", "p-001", "owns the waived assignment:as-014"),
        ("system:s-1", "p-003", "owns the waived system:s-1"),
        ("phase:s-1/monitoring", "p-001", "owns the waived phase:s-1/monitoring"),
        ("person:p-002", "p-002", "owns the waived person:p-002"),
        ("exception:ex-1", "p-002", "owns the waived exception:ex-1"),
        ("approval:ap-1", "p-003", "owns the waived approval:ap-1"),
    ],
)
def test_invalid_approvers(graph: Graph, entity: str, approver: str, reason: str) -> None:
    original = finding("A.3.2-BACKUP-NAMED", entity)
    result = apply(waivers_yaml(entry(entity=entity, approved_by=approver)), [original], graph)
    assert result[0] == original
    assert result[1].check == WAIVER_INVALID
    assert reason in result[1].message
    assert result[1].location == Location(PATH, 3, 5)


def test_independent_approver_is_accepted(graph: Graph) -> None:
    result = apply(waivers_yaml(entry(entity="system:s-1", approved_by="p-001")),
                   [finding("A.3.2-BACKUP-NAMED", "system:s-1")], graph)
    assert result[0].result is Result.WAIVED


def test_schema_problems_make_the_waiver_invalid(graph: Graph) -> None:
    original = finding("A.3.2-BACKUP-NAMED", "assignment:as-014")
    data = waivers_yaml("  - check: A.3.2-BACKUP-NAMED\n    entity: assignment:as-014\n")
    result = apply(data, [original], graph)
    assert result[0] == original
    assert result[1].check == WAIVER_INVALID
    assert "waiver 1 (A.3.2-BACKUP-NAMED on assignment:as-014) is invalid" in result[1].message
    assert "'expires' is a required property" in result[1].message


def test_waiver_without_check_is_named_by_number(graph: Graph) -> None:
    result = apply(waivers_yaml(entry(), "  - justification: x\n"), [], graph)
    assert [f.entity for f in result] == ["waiver:#2"]


def test_duplicate_waivers_get_distinct_entities(graph: Graph) -> None:
    result = apply(waivers_yaml(entry(expires="2026-01-01"), entry(expires="2026-01-02")), [],
                   graph)
    assert [f.entity for f in result] == ["waiver:A.3.2-BACKUP-NAMED/assignment:as-014",
                                          "waiver:#2"]


def test_expired_and_invalid_both_reported(graph: Graph) -> None:
    result = apply(waivers_yaml(entry(expires="2026-01-01", approved_by="p-404")), [], graph)
    assert sorted(f.check for f in result) == [WAIVER_EXPIRED, WAIVER_INVALID]


def test_owners(graph: Graph) -> None:
    assert entity_owners(graph, "assignment:as-014") == {"person:p-001"}
    assert entity_owners(graph, "phase:s-1/validation") == {"person:p-001"}
    assert entity_owners(graph, "system:s-1") == {"person:p-003"}
    assert entity_owners(graph, "file:notes.csv") == set()


def test_waiver_checks_metadata() -> None:
    assert set(WAIVER_CHECKS) == {WAIVER_EXPIRED, WAIVER_INVALID}
    for info in WAIVER_CHECKS.values():
        assert info.controls == ("ISO42001:A.9.2",)
        assert info.severity is Severity.MEDIUM
        assert info.title and info.description and info.remediation
