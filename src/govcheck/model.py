"""Values that cross module seams: locations, records, findings, checks and reports.

Every value here is a frozen dataclass or a StrEnum so that the pipeline's
stages (load -> graph -> evaluate -> report -> format) exchange plain,
immutable data rather than dicts-of-dicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding matters; ordered low < medium < high < critical."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical, for ordering and gating."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Result(StrEnum):
    """What became of a finding: it fails, errored, or was accepted."""

    FAIL = "fail"
    ERROR = "error"
    WAIVED = "waived"
    BASELINED = "baselined"

    @property
    def gates(self) -> bool:
        """Whether this result can fail a build (waived and baselined cannot)."""
        return self in (Result.FAIL, Result.ERROR)


class ControlStatus(StrEnum):
    """A control's status in the per-control report."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not-satisfied"
    NOT_APPLICABLE = "not-applicable"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in an input file: path relative to the inventory root, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Record:
    """One inventory record in canonical form, with where it came from.

    `fields` holds the canonical field values: dates and date-times that parse
    are timezone-aware `datetime`s in UTC, fields whose date did not parse are
    left out (and reported), everything else is as read. `raw` holds the values
    exactly as the file had them (event hashes are computed over these).
    `field_locations` locates individual keys where the format allows it.
    """

    kind: str
    id: str
    fields: Mapping[str, Any]
    location: Location
    raw: Mapping[str, Any] = field(default_factory=dict)
    field_locations: Mapping[str, Location] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The graph node id, `kind:id`."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input file and the SHA-256 of its bytes, for the report's provenance."""

    path: str
    sha256: str


def fingerprint(check: str, entity: str) -> str:
    """The stable identity of a finding: SHA-256 of `check NUL entity`."""
    return hashlib.sha256(f"{check}\x00{entity}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's verdict on one entity."""

    check: str
    controls: tuple[str, ...]
    severity: Severity
    result: Result
    entity: str
    message: str
    location: Location
    related: tuple[Location, ...] = ()
    remediation: str = ""
    # Why a waived finding is accepted (the waiver's justification, ticket, approver,
    # expiry); SARIF suppressions and the reports carry it. Empty unless waived.
    justification: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable across line moves; changes only with the check or the entity."""
        return fingerprint(self.check, self.entity)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Report order: path, line, column, check, entity."""
        loc = self.location
        return (loc.path, loc.line, loc.column, self.check, self.entity)


class Basis(StrEnum):
    """What a check's requirement rests on."""

    STANDARD = "standard"
    GUIDANCE = "guidance"
    POLICY = "policy"


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What a report needs to know about a check, rule-based or built in."""

    id: str
    title: str
    controls: tuple[str, ...]
    severity: Severity
    related: tuple[str, ...] = ()
    basis: Basis = Basis.STANDARD
    description: str = ""
    remediation: str = ""
    source: Location | None = None


def failing_finding(
    info: CheckInfo,
    entity: str,
    message: str,
    location: Location,
    related: tuple[Location, ...] = (),
) -> Finding:
    """A `fail` finding of a built-in check, with its controls, severity and remediation."""
    return Finding(
        check=info.id,
        controls=info.controls,
        severity=info.severity,
        result=Result.FAIL,
        entity=entity,
        message=message,
        location=location,
        related=related,
        remediation=info.remediation,
    )


@dataclass(frozen=True, slots=True)
class CheckRun:
    """How one check went: on how many nodes it ran and how many failed or errored."""

    check: str
    evaluated: int
    failed: int
    errored: int


@dataclass(frozen=True, slots=True)
class ControlInfo:
    """A catalogue entry from `controls/`."""

    id: str
    title: str
    requirement: str
    guidance: tuple[str, ...] = ()
    manual_evidence: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ControlResult:
    """A control's status in one run, with the checks behind it."""

    id: str
    title: str
    status: ControlStatus
    checks: tuple[str, ...]
    passed: int
    failed: int
    errored: int
    failing_entities: tuple[str, ...] = ()
    manual_evidence: tuple[str, ...] = ()
    # Accepted findings of the covering checks (numbers of findings, entities sorted):
    # baselined ones still make the control not-satisfied, waived ones do not.
    waived: int = 0
    baselined: int = 0
    waived_entities: tuple[str, ...] = ()
    baselined_entities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a formatter needs; formatters are pure functions of this."""

    tool_name: str
    tool_version: str
    as_of: datetime
    inventory: str
    inputs: tuple[InputFile, ...]
    policy_digest: str
    checks: tuple[CheckInfo, ...]
    runs: tuple[CheckRun, ...]
    controls: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]
    fixed_baselined: int = 0
    snapshot: Mapping[str, Any] | None = None
    registry: tuple[RegistryEntry, ...] = ()
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Manifest:
    """The inventory's own `govcheck.yaml`: settings, per-check params and importer sources."""

    settings: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sources: tuple[Mapping[str, Any], ...] = ()
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """A loaded inventory: every kept record, the data-quality findings from reading it.

    `records` holds each record once (a duplicate id's second occurrence is
    reported, not kept), schema-failing records included, in path then line
    order. `own_files` holds govcheck's own files found at the root
    (`govcheck-waivers.yaml`, `govcheck-baseline.json`) as path -> bytes.
    """

    root: str
    records: tuple[Record, ...]
    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...]
    manifest: Manifest = field(default_factory=Manifest)
    own_files: Mapping[str, bytes] = field(default_factory=dict)
    archive_sha256: str | None = None
    snapshot: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One system x phase cell of the assignment registry (`govcheck who`, the HTML map).

    `state` is `ok` (an owner and nothing failing on the phase or its owner
    assignments), `gap` (no owner, or a gating finding there) or `not-required`
    (the system's status does not require the phase but an assignment names it).
    """

    system: str
    system_name: str
    phase: str
    state: str
    owners: tuple[str, ...] = ()
    owner_names: tuple[str, ...] = ()
    backups: tuple[str, ...] = ()
    backup_names: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    assignments: tuple[str, ...] = ()
    assigned_at: str = ""
    accepted_at: str = ""
    reviewed_at: str = ""
    location: Location | None = None
    # Team and vendor assignees (`team:t-1`), which hold a phase without being its owner.
    other_assignees: tuple[str, ...] = ()
