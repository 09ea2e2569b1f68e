"""The JSON report: shape per its schema, order, counts and determinism."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import jsonschema

from govcheck.formatters import get_formatter
from govcheck.formatters.json_format import format_report, report_summary, rfc3339
from govcheck.model import Report, Result


def _schema() -> dict[str, Any]:
    text = resources.files("govcheck.schemas").joinpath("report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validate(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(_schema())
    jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker()
                                    ).validate(data)
    return data


def test_golden(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.json", format_report(report))


def test_registered_under_json(report: Report) -> None:
    assert get_formatter("json")(report) == format_report(report)


def test_validates_against_the_shipped_schema(report: Report, clean: Report) -> None:
    _validate(format_report(report))
    data = _validate(format_report(clean))
    assert data["findings"] == []


def test_schema_rejects_a_finding_without_fingerprint(report: Report) -> None:
    data = json.loads(format_report(report))
    del data["findings"][0]["fingerprint"]
    validator = jsonschema.Draft202012Validator(_schema())
    assert not validator.is_valid(data)


def test_top_level_keys_and_tool(report: Report) -> None:
    data = json.loads(format_report(report))
    assert set(data) == {"tool", "as_of", "inventory", "inputs", "policy_digest", "summary",
                         "controls", "findings"}
    assert data["tool"] == {"name": "govcheck", "version": "0.1.0"}
    assert data["as_of"] == "2026-06-30T00:00:00Z"
    assert data["inputs"][3] == {"path": "hr exports/people.csv", "sha256": "d" * 64}


def test_findings_sorted_by_path_line_check_entity(report: Report) -> None:
    data = json.loads(format_report(report))
    keys = [(f["location"]["path"], f["location"]["line"], f["check"], f["entity"])
            for f in data["findings"]]
    assert keys == sorted(keys)
    assert keys[0][0] == "approvals.json"
    assert len(keys) == len(report.findings)


def test_finding_fields(report: Report) -> None:
    data = json.loads(format_report(report))
    by_entity = {f["entity"]: f for f in data["findings"]}
    owner = by_entity["assignment:as-031"]
    source = next(f for f in report.findings if f.entity == "assignment:as-031")
    assert owner["fingerprint"] == source.fingerprint
    assert owner["related"] == [{"path": "hr exports/people.csv", "line": 11, "column": 1},
                                {"path": "hr exports/people.csv", "line": 3, "column": 1}]
    assert owner["controls"] == ["ISO42001:A.3.2"]
    assert owner["severity"] == "high" and owner["result"] == "fail"
    assert owner["remediation"] == "Reassign the phase to an employed person."
    assert "justification" not in owner
    assert by_entity["assignment:as-020"]["justification"].startswith("Backup being hired")


def test_summary_counts(report: Report) -> None:
    summary = json.loads(format_report(report))["summary"]
    assert summary["findings"] == {
        "total": 7,
        "gating": 5,
        "by_result": {"fail": 4, "error": 1, "waived": 1, "baselined": 1},
        "by_severity": {"low": 1, "medium": 3, "high": 2, "critical": 1},
        "gating_by_severity": {"low": 1, "medium": 1, "high": 2, "critical": 1},
    }
    assert summary["controls"] == {
        "total": 4,
        "by_status": {"satisfied": 0, "not-satisfied": 2, "not-applicable": 1, "manual": 1},
    }
    assert summary["fixed_baselined"] == 2


def test_controls_carry_counts_and_evidence(report: Report) -> None:
    controls = json.loads(format_report(report))["controls"]
    a32 = controls[0]
    assert a32["id"] == "ISO42001:A.3.2" and a32["status"] == "not-satisfied"
    assert (a32["passed"], a32["failed"], a32["errored"]) == (21, 3, 0)
    assert a32["failing_entities"][0] == "assignment:as-014"
    assert a32["manual_evidence"] == ["Role descriptions are communicated"]


def test_bytes_are_deterministic_and_readable(report: Report) -> None:
    text = format_report(report)
    shuffled = replace(report, findings=tuple(sorted(report.findings, key=lambda f: f.entity)))
    assert format_report(shuffled) == text
    assert text.endswith("}\n")
    assert "Zoë Ångström" in text and "数据" in text  # not \u-escaped
    assert '\n  "as_of"' in text  # two-space indent
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_snapshot_and_notices_only_when_present(report: Report) -> None:
    assert "snapshot" not in json.loads(format_report(report))
    data = json.loads(format_report(replace(report, snapshot={"archive_sha256": "1" * 64},
                                            notices=("2 rules skipped",))))
    assert data["snapshot"] == {"archive_sha256": "1" * 64}
    assert data["notices"] == ["2 rules skipped"]
    _validate(format_report(replace(report, snapshot={"archive_sha256": "1" * 64})))


def test_rfc3339_is_utc_with_z() -> None:
    assert rfc3339(datetime(2026, 6, 30, 12, 0, tzinfo=timezone(timedelta(hours=2)))) == \
        "2026-06-30T10:00:00Z"
    assert rfc3339(datetime(2026, 6, 30)) == "2026-06-30T00:00:00Z"
    assert rfc3339(datetime(2026, 6, 30, 0, 0, 0, 5000, tzinfo=UTC)) == \
        "2026-06-30T00:00:00.005000Z"


def test_summary_counts_only_gating_for_gating(report: Report) -> None:
    waived_all = replace(report, findings=tuple(replace(f, result=Result.WAIVED)
                                                for f in report.findings))
    summary = report_summary(waived_all)
    assert summary.gating == 0 and summary.by_result["waived"] == 7
    assert sum(summary.gating_by_severity.values()) == 0
