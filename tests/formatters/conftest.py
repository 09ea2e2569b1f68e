"""Shared fixtures for formatter tests: a realistic hand-built report and golden files.

`pytest tests/formatters --update-goldens` (or GOVCHECK_UPDATE_GOLDENS=1)
rewrites the golden files under `golden/` instead of comparing with them;
review the diff before committing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govcheck.model import (
    Basis,
    CheckInfo,
    CheckRun,
    ControlResult,
    ControlStatus,
    Finding,
    InputFile,
    Location,
    Report,
    Result,
    Severity,
)

GOLDEN_DIR = Path(__file__).parent / "golden"
_SHARED = Path(__file__).resolve().parents[3] / "shared"
SHARED_SCHEMAS = Path(os.environ.get("GOVCHECK_SHARED", _SHARED)) / "schemas"
A32 = "ISO42001:A.3.2"
A92 = "ISO42001:A.9.2"


CHECKS = (
    CheckInfo(
        "A.3.2-BACKUP-NAMED", "Every phase owner has a named backup", (A32,), Severity.MEDIUM,
        related=("ISO42001:B.3.2", "NIST-AI-RMF:GOVERN-2.1"),
        description="A phase owner needs a backup who is another, employed person.",
        remediation="Name a backup in the assignment's `backup` column.",
    ),
    CheckInfo(
        "A.3.2-OWNER-ACTIVE", "Owners and backups are employed", (A32,), Severity.HIGH,
        description="Owners and backups are employed as of now.",
        remediation="Reassign the phase to an employed person.",
    ),
    CheckInfo(
        "A.3.2-TRAINING-CURRENT", "Owners hold current training", (A32,), Severity.MEDIUM,
        description="Owners of high and critical systems hold current training.",
        remediation="Complete ai-governance-101.",
    ),
    CheckInfo(
        "A.9.2-APPROVAL-CURRENT", "The go-live approval is current", (A92,),
        Severity.CRITICAL, related=("ISO42001:A.9.3",),
        description="A deployed system's latest go-live approval has not expired.",
        remediation="Renew the go-live approval for the current version.",
    ),
    CheckInfo(
        "A.9.2-COST-OWNER", "A system names a cost owner", (A92,), Severity.LOW,
        basis=Basis.GUIDANCE, description="", remediation="Add cost_owner.",
    ),
    CheckInfo(
        "A.9.2-LOG-INTEGRITY", "Event logs verify", (A92,), Severity.HIGH,
        description="Every event log's hash chain, sequence and clock verify.",
        remediation="Restore the log from a trusted copy.",
    ),
    CheckInfo(
        "INVENTORY-SCHEMA", "Every record matches the schema of its kind", (A92,),
        Severity.MEDIUM, basis=Basis.POLICY,
        description="Records must have the fields that define them.",
        remediation="Correct the field in the export.",
    ),
)

RUNS = (
    CheckRun("A.3.2-BACKUP-NAMED", 12, 2, 0),
    CheckRun("A.3.2-OWNER-ACTIVE", 12, 1, 0),
    CheckRun("A.3.2-TRAINING-CURRENT", 0, 0, 0),
    CheckRun("A.9.2-APPROVAL-CURRENT", 3, 1, 0),
    CheckRun("A.9.2-COST-OWNER", 4, 1, 0),
    CheckRun("A.9.2-LOG-INTEGRITY", 1, 0, 1),
    CheckRun("INVENTORY-SCHEMA", 40, 1, 0),
)

CONTROLS = (
    ControlResult(
        A32, "Roles and responsibilities for AI", ControlStatus.NOT_SATISFIED,
        ("A.3.2-BACKUP-NAMED", "A.3.2-OWNER-ACTIVE", "A.3.2-TRAINING-CURRENT"),
        passed=21, failed=3, errored=0,
        failing_entities=("assignment:as-014", "assignment:as-020", "assignment:as-031"),
        manual_evidence=("Role descriptions are communicated",),
        waived=1, waived_entities=("assignment:as-020",),
    ),
    ControlResult(
        A92, "Processes for responsible use of AI", ControlStatus.NOT_SATISFIED,
        ("A.9.2-APPROVAL-CURRENT", "A.9.2-COST-OWNER", "A.9.2-LOG-INTEGRITY",
         "INVENTORY-SCHEMA"),
        passed=44, failed=3, errored=1,
        failing_entities=("approval:ap-3", "event:7", "person:p-9", "system:s-2"),
        baselined=1, baselined_entities=("person:p-9",),
    ),
    ControlResult("ISO42001:A.9.3", "Objectives for responsible use", ControlStatus.MANUAL, (),
                  passed=0, failed=0, errored=0, manual_evidence=("Objectives documented",)),
    ControlResult("ISO42001:A.6.2.5", "AI system deployment", ControlStatus.NOT_APPLICABLE,
                  ("A.3.2-TRAINING-CURRENT",), passed=0, failed=0, errored=0),
)


def _finding(check: str, severity: Severity, result: Result, entity: str, message: str,
             location: Location, related: tuple[Location, ...] = (),
             justification: str = "") -> Finding:
    info = {c.id: c for c in CHECKS}[check]
    return Finding(check, info.controls, severity, result, entity, message, location,
                   related, info.remediation, justification)


FINDINGS = (
    _finding("A.3.2-BACKUP-NAMED", Severity.MEDIUM, Result.FAIL, "assignment:as-014",
             "Phase monitoring of s-1 has no backup | owner Zoë Ångström",
             Location("assignments.yaml", 40, 3),
             related=(Location("hr exports/people.csv", 7, 1),)),
    _finding("A.3.2-BACKUP-NAMED", Severity.MEDIUM, Result.WAIVED, "assignment:as-020",
             "Phase validation of s-2 has no backup", Location("assignments.yaml", 52, 3),
             justification="Backup being hired (ticket GRC-1234; approved by p-002;"
                           " expires 2026-09-30)"),
    _finding("A.3.2-OWNER-ACTIVE", Severity.HIGH, Result.FAIL, "assignment:as-031",
             "Owner p-9 of deployment is terminated <script>alert('x')</script>",
             Location("assignments.yaml", 64, 3),
             related=(Location("hr exports/people.csv", 11, 1),
                      Location("hr exports/people.csv", 3, 1))),
    _finding("A.9.2-APPROVAL-CURRENT", Severity.CRITICAL, Result.FAIL, "approval:ap-3",
             "Go-live approval ap-3 expired on 2026-01-31 (数据 platform)",
             Location("approvals.json", 12, 5), related=(Location("systems.yaml", 1, 3),)),
    _finding("A.9.2-COST-OWNER", Severity.LOW, Result.FAIL, "system:s-2",
             "System s-2 names no cost owner", Location("systems.yaml", 9, 3)),
    _finding("A.9.2-LOG-INTEGRITY", Severity.HIGH, Result.ERROR, "event:7",
             "rule error: no such key: hash", Location("events.json", 30, 5)),
    _finding("INVENTORY-SCHEMA", Severity.MEDIUM, Result.BASELINED, "person:p-9",
             "person 'p-9' has status 'gone'; expected one of active, leave, terminated",
             Location("hr exports/people.csv", 11, 1)),
)


def make_report(**changes: Any) -> Report:
    """The realistic report, with any field replaced."""
    report = Report(
        tool_name="govcheck",
        tool_version="0.1.0",
        as_of=datetime(2026, 6, 30, tzinfo=UTC),
        inventory="inventory",
        inputs=(
            InputFile("approvals.json", "a" * 64),
            InputFile("assignments.yaml", "b" * 64),
            InputFile("events.json", "c" * 64),
            InputFile("hr exports/people.csv", "d" * 64),
            InputFile("systems.yaml", "e" * 64),
        ),
        policy_digest="f" * 64,
        checks=CHECKS,
        runs=RUNS,
        controls=CONTROLS,
        # Deliberately not in report order: formatters sort.
        findings=tuple(reversed(FINDINGS)),
        fixed_baselined=2,
    )
    return replace(report, **changes)


def clean_report() -> Report:
    """A report with no findings at all and every control satisfied."""
    controls = tuple(replace(c, status=ControlStatus.SATISFIED, failed=0, errored=0,
                             failing_entities=(), waived=0, baselined=0, waived_entities=(),
                             baselined_entities=()) for c in CONTROLS[:2])
    return make_report(findings=(), controls=controls, fixed_baselined=0)


@pytest.fixture
def report() -> Report:
    """The realistic report."""
    return make_report()


@pytest.fixture
def report_factory() -> Callable[..., Report]:
    """`make_report` for tests that change a field."""
    return make_report


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with `golden/<name>` byte for byte (or rewrite it with --update-goldens)."""
    update = bool(request.config.getoption("--update-goldens", default=False)) or \
        os.environ.get("GOVCHECK_UPDATE_GOLDENS") == "1"

    def compare(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        data = text.encode("utf-8")
        if update:
            GOLDEN_DIR.mkdir(exist_ok=True)
            path.write_bytes(data)
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-goldens"
        assert data == path.read_bytes(), f"{name} differs from its golden file"

    return compare


@pytest.fixture
def clean() -> Report:
    """A report with no findings."""
    return clean_report()


@pytest.fixture
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema from ../shared (not copied into the repository)."""
    import json

    path = SHARED_SCHEMAS / "sarif-schema-2.1.0.json"
    if not path.exists():
        pytest.skip(f"SARIF schema not found at {path}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema
