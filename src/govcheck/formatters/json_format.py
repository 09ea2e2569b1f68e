"""The JSON report: the machine-readable record of a run (`--format json`).

Its shape is documented by `govcheck/schemas/report.schema.json` and is what
`--baseline`, `govcheck diff` and `govcheck baseline create` read back. Keys
are sorted and the text ends with a newline so that the same inputs and
`--as-of` give byte-identical files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from govcheck.formatters import jsontext
from govcheck.model import ControlStatus, Finding, Location, Report, Result, Severity

__all__ = [
    "ReportSummary",
    "findings_in_report_order",
    "format_report",
    "report_summary",
    "rfc3339",
]


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """Counts for a report's summary: findings by result and severity, controls by status.

    `by_severity` counts every finding; `gating_by_severity` only the ones that
    can fail a build (result fail or error).
    """

    total: int
    gating: int
    by_result: Mapping[str, int]
    by_severity: Mapping[str, int]
    gating_by_severity: Mapping[str, int]
    controls_by_status: Mapping[str, int]
    fixed_baselined: int


def _counts(values: Iterable[str], keys: Iterable[str]) -> dict[str, int]:
    """Counts of `values` with every key in `keys` present, zeros included."""
    counter = Counter(values)
    return {key: counter[key] for key in keys}


def report_summary(report: Report) -> ReportSummary:
    """The summary counts of a report."""
    severities = [s.value for s in Severity]
    gating = [f for f in report.findings if f.result.gates]
    return ReportSummary(
        total=len(report.findings),
        gating=len(gating),
        by_result=_counts((f.result.value for f in report.findings), (r.value for r in Result)),
        by_severity=_counts((f.severity.value for f in report.findings), severities),
        gating_by_severity=_counts((f.severity.value for f in gating), severities),
        controls_by_status=_counts(
            (c.status.value for c in report.controls), (s.value for s in ControlStatus)
        ),
        fixed_baselined=report.fixed_baselined,
    )


def rfc3339(moment: datetime) -> str:
    """An instant as RFC 3339 UTC with a `Z` (`2026-06-30T00:00:00Z`); naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    # Seconds precision unless the as-of itself carries a fraction.
    spec = "seconds" if utc.microsecond == 0 else "microseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _json_order(finding: Finding) -> tuple[str, int, str, str, int]:
    loc = finding.location
    return (loc.path, loc.line, finding.check, finding.entity, loc.column)


def findings_in_report_order(findings: Iterable[Finding]) -> list[Finding]:
    """Findings sorted as every report lists them: path, line, check, entity (then column)."""
    return sorted(findings, key=_json_order)


def _location(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line, "column": location.column}


def _finding(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "check": finding.check,
        "controls": list(finding.controls),
        "severity": finding.severity.value,
        "result": finding.result.value,
        "entity": finding.entity,
        "message": finding.message,
        "location": _location(finding.location),
        "related": [_location(loc) for loc in finding.related],
        "fingerprint": finding.fingerprint,
        "remediation": finding.remediation,
    }
    if finding.justification:
        data["justification"] = finding.justification
    return data


def _summary(report: Report) -> dict[str, Any]:
    summary = report_summary(report)
    return {
        "findings": {
            "total": summary.total,
            "gating": summary.gating,
            "by_result": dict(summary.by_result),
            "by_severity": dict(summary.by_severity),
            "gating_by_severity": dict(summary.gating_by_severity),
        },
        "controls": {
            "total": len(report.controls),
            "by_status": dict(summary.controls_by_status),
        },
        "fixed_baselined": summary.fixed_baselined,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The JSON report as plain data (what `format_report` serialises)."""
    data: dict[str, Any] = {
        "tool": {"name": report.tool_name, "version": report.tool_version},
        "as_of": rfc3339(report.as_of),
        "inventory": report.inventory,
        "inputs": [{"path": i.path, "sha256": i.sha256} for i in report.inputs],
        "policy_digest": report.policy_digest,
        "summary": _summary(report),
        "controls": [
            {
                "id": c.id,
                "title": c.title,
                "status": c.status.value,
                "checks": list(c.checks),
                "passed": c.passed,
                "failed": c.failed,
                "errored": c.errored,
                "failing_entities": list(c.failing_entities),
                "waived": c.waived,
                "waived_entities": list(c.waived_entities),
                "baselined": c.baselined,
                "baselined_entities": list(c.baselined_entities),
                "manual_evidence": list(c.manual_evidence),
            }
            for c in report.controls
        ],
        "findings": [_finding(f) for f in findings_in_report_order(report.findings)],
    }
    if report.snapshot is not None:
        data["snapshot"] = dict(report.snapshot)
    if report.notices:
        data["notices"] = list(report.notices)
    return data


def format_report(report: Report) -> str:
    """The report as indented JSON with sorted keys, UTF-8 text kept, and a final newline."""
    # jsontext.dumps writes what json.dumps(indent=2) does, several times faster.
    return jsontext.dumps(report_to_dict(report), sort_keys=True, default=str) + "\n"
