"""Shared values for the auditor tests: a hand-made report and a small inventory graph."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from govcheck.model import (
    CheckInfo,
    CheckRun,
    ControlResult,
    ControlStatus,
    Finding,
    InputFile,
    Location,
    Record,
    RegistryEntry,
    Report,
    Result,
    Severity,
)

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script> & \"quoted\""


def record(kind: str, ident: str, line: int, **fields: Any) -> Record:
    """A record located in `<kind>s.yaml` at `line`."""
    return Record(kind, ident, {"id": ident, **fields}, Location(f"{kind}s.yaml", line, 3))


def sample_report(name: str = "Credit scoring") -> Report:
    """A report with every control status, open and accepted findings, and a registry."""
    a32 = "ISO42001:A.3.2"
    a92 = "ISO42001:A.9.2"
    checks = (
        CheckInfo("A.3.2-BACKUP-NAMED", "Every phase owner has a named backup", (a32,),
                  Severity.MEDIUM, remediation="Name a backup."),
        CheckInfo("A.9.2-LOG-INTEGRITY", "Event logs verify", (a92,), Severity.HIGH),
    )
    findings = (
        Finding("A.3.2-BACKUP-NAMED", (a32,), Severity.MEDIUM, Result.FAIL, "assignment:a-1",
                f"The owner of {name} has no backup.", Location("assignments.yaml", 4, 3),
                (Location("people.yaml", 2, 3),), "Name a backup."),
        Finding("A.3.2-BACKUP-NAMED", (a32,), Severity.MEDIUM, Result.WAIVED, "assignment:a-2",
                "No backup (waived).", Location("assignments.yaml", 12, 3), (), "Name a backup.",
                "Hiring a backup; GRC-1234, approved by p-2, expires 2026-09-30"),
        Finding("A.9.2-LOG-INTEGRITY", (a92,), Severity.HIGH, Result.ERROR, "event:3",
                "hash does not recompute", Location("events.json", 20, 5)),
    )
    controls = (
        ControlResult(a32, "Roles and responsibilities", ControlStatus.NOT_SATISFIED,
                      ("A.3.2-BACKUP-NAMED",), 0, 1, 0, ("assignment:a-1",),
                      ("Signed role descriptions",), waived=1,
                      waived_entities=("assignment:a-2",)),
        ControlResult("ISO42001:A.6.2.5", "Deployment", ControlStatus.NOT_APPLICABLE,
                      ("A.9.2-APPROVAL-CURRENT",), 0, 0, 0),
        ControlResult(a92, "Responsible use processes", ControlStatus.NOT_SATISFIED,
                      ("A.9.2-LOG-INTEGRITY",), 0, 0, 1, ("event:3",)),
        ControlResult("ISO42001:A.9.3", "Objectives", ControlStatus.MANUAL, (), 0, 0, 0, (),
                      ("Minutes of the AI committee",)),
        ControlResult("ISO42001:A.10.2", "Allocating responsibilities", ControlStatus.SATISFIED,
                      ("A.3.2-BACKUP-NAMED",), 1, 0, 0),
    )
    registry = (
        RegistryEntry("s-1", name, "development", "ok", ("p-1",), ("Ada",), ("p-2",),
                      ("Bob",), (), ("a-3",), "2026-01-02", "2026-01-03", "",
                      Location("assignments.yaml", 20, 3)),
        RegistryEntry("s-1", name, "validation", "gap", ("p-1",), ("Ada",), (), (),
                      ("sign-off-test",), ("a-1",), "2026-01-02", "", "",
                      Location("assignments.yaml", 4, 3)),
        RegistryEntry("s-1", name, "monitoring", "gap", location=Location("systems.yaml", 1, 3),
                      other_assignees=("vendor:v-1",)),
        RegistryEntry("s-2", "s-2", "retirement", "ok", ("p-2",), ("Bob",)),
        RegistryEntry("s-2", "s-2", "development", "not-required", ("p-3",), ("Cy",)),
    )
    return Report(
        tool_name="govcheck",
        tool_version="0.1.0",
        as_of=AS_OF,
        inventory="inventory",
        inputs=(InputFile("assignments.yaml", "a" * 64), InputFile("people.yaml", "b" * 64)),
        policy_digest="c" * 64,
        checks=checks,
        runs=(CheckRun("A.3.2-BACKUP-NAMED", 3, 2, 0), CheckRun("A.9.2-LOG-INTEGRITY", 1, 0, 1)),
        controls=controls,
        findings=findings,
        snapshot={"archive_sha256": "d" * 64, "as_of": "2026-06-30T00:00:00Z"},
        registry=registry,
        notices=("1 baselined finding no longer occurs",),
    )


@pytest.fixture
def report() -> Report:
    return sample_report()
