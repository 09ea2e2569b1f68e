"""The A.3.2 pack on a small, realistic organisation, run as `govcheck check` runs it.

`a32_org/` (see its README) has one planted violation per check, a few gaps
that deliberately fail two checks, and compliant near-misses beside them.
Every planted finding must come out on the right entity and line, and nothing
else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from govcheck.engine import CheckOptions, run_check
from govcheck.model import Finding, Result

ORG = Path(__file__).parent / "a32_org"
AS_OF = datetime(2026, 6, 30, tzinfo=UTC)

# (check, entity) -> (file, line) where the finding must sit. people.csv line 1 is the header;
# phase findings sit at their system's record.
EXPECTED = {
    ("A.3.2-SYSTEM-OWNER-NAMED", "system:s-chat"): ("systems.yaml", 3),
    ("A.3.2-PHASE-OWNER-NAMED", "phase:s-chat/validation"): ("systems.yaml", 3),
    ("A.3.2-SINGLE-ACCOUNTABLE", "phase:s-fraud/validation"): ("systems.yaml", 2),
    ("A.3.2-OWNER-ACTIVE", "assignment:as-11"): ("assignments.yaml", 11),
    ("A.3.2-BACKUP-NAMED", "assignment:as-11"): ("assignments.yaml", 11),
    ("A.3.2-BACKUP-NAMED", "assignment:as-13"): ("assignments.yaml", 13),
    ("A.3.2-BACKUP-EMPOWERED", "assignment:as-8"): ("assignments.yaml", 8),
    ("A.3.2-ASSIGNMENT-ACCEPTED", "assignment:as-5"): ("assignments.yaml", 5),
    ("A.3.2-AUTHORITY-MATCHES", "assignment:as-1"): ("assignments.yaml", 1),
    ("A.3.2-VALIDATOR-INDEPENDENT", "assignment:as-2"): ("assignments.yaml", 2),
    ("A.3.2-ESCALATION-PATH", "assignment:as-7"): ("assignments.yaml", 7),
    ("A.3.2-ESCALATION-PATH", "assignment:as-9"): ("assignments.yaml", 9),
    ("A.3.2-ASSIGNMENT-REVIEWED", "assignment:as-13"): ("assignments.yaml", 13),
    ("A.3.2-TRAINING-CURRENT", "person:p-ops"): ("people.csv", 9),
    ("A.3.2-VENDOR-PHASE-CONTRACT", "assignment:as-12"): ("assignments.yaml", 12),
    ("A.3.2-AREAS-COVERED", "system:s-fraud"): ("systems.yaml", 2),
}


@pytest.fixture(scope="module")
def findings() -> dict[tuple[str, str], Finding]:
    """Findings of one `check --only 'A.3.2-*'` run over the organisation, by (check, entity)."""
    report = run_check(CheckOptions(inventory=str(ORG), as_of=AS_OF, only=("A.3.2-*",)))
    return {(f.check, f.entity): f for f in report.findings}


def test_every_planted_violation_and_nothing_else(
    findings: dict[tuple[str, str], Finding],
) -> None:
    assert sorted(findings) == sorted(EXPECTED)


def test_findings_sit_on_the_record_that_causes_them(
    findings: dict[tuple[str, str], Finding],
) -> None:
    located = {key: (f.location.path, f.location.line) for key, f in findings.items()}
    assert located == EXPECTED


def test_findings_fail_and_name_the_system_phase_and_person(
    findings: dict[tuple[str, str], Finding],
) -> None:
    owner_active = findings[("A.3.2-OWNER-ACTIVE", "assignment:as-11")]
    assert owner_active.result is Result.FAIL
    assert all(word in owner_active.message for word in ("p-ops2", "monitoring", "s-chat"))
    validator = findings[("A.3.2-VALIDATOR-INDEPENDENT", "assignment:as-2")]
    assert "p-jr" in validator.message and "p-dev1" in validator.message


def test_severity_rises_with_the_risk_tier(findings: dict[tuple[str, str], Finding]) -> None:
    # One check on a low-tier and on a critical-tier system: only the critical one is raised.
    assert str(findings[("A.3.2-ESCALATION-PATH", "assignment:as-9")].severity) == "medium"
    assert str(findings[("A.3.2-ESCALATION-PATH", "assignment:as-7")].severity) == "high"
