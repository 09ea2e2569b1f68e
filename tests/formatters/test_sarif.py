"""SARIF 2.1.0 for GitHub code scanning: schema-valid, complete, relative and stable."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sarif_om as om

from govcheck.formatters import get_formatter, sarif
from govcheck.formatters.sarif import (
    automation_category,
    format_report,
    inventory_uri_prefix,
    sarif_to_data,
)
from govcheck.model import Finding, Location, Report, Result, Severity


def _validate(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def _run(report: Report, **kwargs: Any) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(format_report(report, **kwargs))["runs"][0]
    return run


def _by_entity(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["entity"]: r for r in run["results"]}


def test_golden(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.sarif", format_report(report))


def test_golden_clean(clean: Report, golden: Callable[[str, str], None]) -> None:
    golden("clean.sarif", format_report(clean))


def test_registered_under_sarif(report: Report) -> None:
    assert get_formatter("sarif")(report) == format_report(report)


def test_validates_against_official_schema(
    report: Report, clean: Report, sarif_schema: dict[str, Any]
) -> None:
    data = _validate(format_report(report), sarif_schema)
    assert data["version"] == "2.1.0"
    assert data["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(data["runs"]) == 1
    clean_data = _validate(format_report(clean), sarif_schema)
    assert clean_data["runs"][0]["results"] == []


def test_schema_catches_a_broken_log(report: Report, sarif_schema: dict[str, Any]) -> None:
    data = json.loads(format_report(report))
    data["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(data)


def test_driver(report: Report) -> None:
    driver = _run(report)["tool"]["driver"]
    assert driver["name"] == "govcheck"
    assert driver["version"] == driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == sorted(c.id for c in report.checks)


def test_every_rule_has_help_tags_and_severity(report: Report) -> None:
    for rule in _run(report)["tool"]["driver"]["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        props = rule["properties"]
        assert "security" in props["tags"] and len(props["tags"]) <= 20
        assert all(control in props["tags"] for control in props["controls"])
        assert float(props["security-severity"]) > 0
        assert props["precision"] == "very-high"
        assert props["problem.severity"] in ("error", "warning", "recommendation")


def test_rule_severity_mapping(report: Report) -> None:
    rules = {r["id"]: r for r in _run(report)["tool"]["driver"]["rules"]}
    backup = rules["A.3.2-BACKUP-NAMED"]
    assert backup["name"] == "BackupNamed"
    assert backup["properties"]["security-severity"] == "5.5"
    assert backup["properties"]["tags"] == ["security", "ISO42001:A.3.2", "ISO42001:B.3.2",
                                            "NIST-AI-RMF:GOVERN-2.1"]
    assert "Name a backup" in backup["help"]["text"]
    assert "**Remediation:**" in backup["help"]["markdown"]
    assert rules["A.9.2-APPROVAL-CURRENT"]["properties"]["security-severity"] == "9.5"
    assert rules["A.9.2-COST-OWNER"]["properties"]["security-severity"] == "3.0"
    assert rules["A.9.2-COST-OWNER"]["defaultConfiguration"]["level"] == "note"
    assert rules["A.3.2-OWNER-ACTIVE"]["properties"]["security-severity"] == "7.5"


def test_tags_capped_at_twenty(report: Report) -> None:
    many = replace(report.checks[0], related=tuple(f"X:{n}" for n in range(40)))
    run = _run(replace(report, checks=(many,)))
    assert len(run["tool"]["driver"]["rules"][0]["properties"]["tags"]) == 20


def test_results_levels_and_rule_index(report: Report) -> None:
    run = _run(report)
    rules = run["tool"]["driver"]["rules"]
    levels = {r["properties"]["entity"]: r["level"] for r in run["results"]}
    assert levels["approval:ap-3"] == "error"  # critical
    assert levels["assignment:as-031"] == "error"  # high
    assert levels["assignment:as-014"] == "warning"  # medium
    assert levels["system:s-2"] == "note"  # low
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["properties"]["severity"] in ("low", "medium", "high", "critical")


def test_result_severity_overrides_rule_level(report: Report) -> None:
    raised = replace(next(f for f in report.findings if f.entity == "assignment:as-014"),
                     severity=Severity.HIGH)
    run = _run(replace(report, findings=(raised,)))
    assert run["results"][0]["level"] == "error"
    assert run["results"][0]["properties"]["severity"] == "high"


def test_locations_are_relative_to_repository_root(report: Report) -> None:
    results = _by_entity(_run(report))
    location = results["assignment:as-014"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "inventory/assignments.yaml",
                                            "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 40, "startColumn": 3}
    related = results["assignment:as-031"]["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == \
        ["inventory/hr%20exports/people.csv", "inventory/hr%20exports/people.csv"]
    assert [r["physicalLocation"]["region"]["startLine"] for r in related] == [11, 3]
    assert [r["id"] for r in related] == [1, 2]


@pytest.mark.parametrize(
    ("inventory", "prefix", "category"),
    [
        ("inventory", "inventory/", "govcheck/inventory/"),
        ("./orgs/acme/", "orgs/acme/", "govcheck/orgs/acme/"),
        ("orgs\\acme", "orgs/acme/", "govcheck/orgs/acme/"),
        (".", "", "govcheck/root/"),
        ("", "", "govcheck/root/"),
        ("/srv/exports/acme", "", "govcheck/acme/"),
        ("../elsewhere", "", "govcheck/elsewhere/"),
        ("snapshots/2026-q2.tar.gz", "", "govcheck/snapshots/2026-q2.tar.gz/"),
        ("C:/exports", "", "govcheck/exports/"),
    ],
)
def test_prefix_and_category_from_inventory(inventory: str, prefix: str, category: str) -> None:
    assert inventory_uri_prefix(inventory) == prefix
    assert automation_category(inventory) == category


def test_uri_prefix_and_category_overrides(report: Report) -> None:
    run = _run(report, uri_prefix="data/inv", category="acme")
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("data/inv/")
    assert run["automationDetails"]["id"] == "acme/"
    root = _run(report, uri_prefix="")
    uri = root["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "approvals.json"
    assert _run(report)["automationDetails"]["id"] == "govcheck/inventory/"


def test_uris_are_percent_encoded(report: Report) -> None:
    odd = replace(report.findings[0], location=Location("données/a b:c#1.yaml", 2, 1))
    run = _run(replace(report, findings=(odd,)))
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "inventory/donn%C3%A9es/a%20b%3Ac%231.yaml"


def test_partial_fingerprints_are_stable_when_lines_move(report: Report) -> None:
    before = _by_entity(_run(report))
    moved = replace(report, findings=tuple(
        replace(f, location=replace(f.location, line=f.location.line + 5))
        for f in report.findings))
    after = _by_entity(_run(moved))
    for entity, result in before.items():
        assert result["partialFingerprints"] == after[entity]["partialFingerprints"]
        assert (after[entity]["locations"][0]["physicalLocation"]["region"]["startLine"]
                == result["locations"][0]["physicalLocation"]["region"]["startLine"] + 5)
    source = next(f for f in report.findings if f.entity == "approval:ap-3")
    assert before["approval:ap-3"]["partialFingerprints"] == {"govcheck/v1": source.fingerprint}


def test_waived_results_are_suppressed(report: Report) -> None:
    results = _by_entity(_run(report))
    waived = results["assignment:as-020"]
    assert waived["suppressions"] == [{
        "kind": "external",
        "justification": "Backup being hired (ticket GRC-1234; approved by p-002;"
                         " expires 2026-09-30)",
    }]
    assert "suppressions" not in results["assignment:as-014"]


def test_baseline_state_when_a_baseline_was_used(report: Report) -> None:
    results = _by_entity(_run(report))
    assert results["person:p-9"]["baselineState"] == "unchanged"
    assert results["assignment:as-014"]["baselineState"] == "new"
    plain = replace(report, fixed_baselined=0,
                    findings=tuple(f for f in report.findings
                                   if f.result is not Result.BASELINED))
    assert all("baselineState" not in r for r in _run(plain)["results"])


def test_errors_become_tool_notifications(report: Report) -> None:
    invocation = _run(report)["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 1
    assert notes[0]["level"] == "error"
    assert notes[0]["associatedRule"]["id"] == "A.9.2-LOG-INTEGRITY"
    assert "event:7" in notes[0]["message"]["text"]


def test_clean_run_has_no_notifications(clean: Report) -> None:
    run = _run(clean)
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_result_limit_truncates_deterministically(
    report: Report, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    assert sarif.MAX_RESULTS == 25_000
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    text = format_report(report)
    assert format_report(report) == text
    run = _validate(text, sarif_schema)["runs"][0]
    # Gating first, highest severity first: critical, then the two highs.
    assert sorted(r["properties"]["entity"] for r in run["results"]) == \
        ["approval:ap-3", "assignment:as-031", "event:7"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert "4 of 7 results were left out" in notes[0]["message"]["text"]
    assert notes[0]["level"] == "warning"


def test_finding_of_an_unknown_check_gets_a_rule(report: Report) -> None:
    stray = Finding("CUSTOM-X", ("ACME:1",), Severity.LOW, Result.FAIL, "system:s-9", "m",
                    Location("systems.yaml", 3, 1))
    run = _run(replace(report, findings=(stray,)))
    rules = run["tool"]["driver"]["rules"]
    assert rules[run["results"][0]["ruleIndex"]]["id"] == "CUSTOM-X"


def test_serializer_drops_unset_and_default_values() -> None:
    result = om.Result(message=om.Message(text="m"), rule_id="R", rule_index=0, level="warning")
    assert sarif_to_data(result) == {"message": {"text": "m"}, "level": "warning",
                                     "ruleId": "R", "ruleIndex": 0}
    component = om.ToolComponent(name="t", properties={"tags": ["a"], "x-y": 1})
    assert sarif_to_data(component) == {"name": "t", "properties": {"tags": ["a"], "x-y": 1}}


def test_deterministic(report: Report) -> None:
    shuffled = replace(report, findings=tuple(sorted(report.findings, key=lambda f: f.check)))
    assert format_report(shuffled) == format_report(report)


@pytest.mark.skipif(not os.environ.get("GOVCHECK_SARIF_MULTITOOL"),
                    reason="set GOVCHECK_SARIF_MULTITOOL to the Sarif.Multitool binary")
def test_multitool_github_rules(report: Report, clean: Report, tmp_path: Path) -> None:
    tool = os.environ["GOVCHECK_SARIF_MULTITOOL"]
    for name, item in (("report", report), ("clean", clean)):
        path = tmp_path / f"{name}.sarif"
        path.write_text(format_report(item), encoding="utf-8")
        out = tmp_path / f"{name}.validation.sarif"
        proc = subprocess.run(
            [tool, "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning",
             "-o", str(out), str(path)],
            capture_output=True, text=True, check=False, timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert " error " not in proc.stdout and " warning " not in proc.stdout, proc.stdout


def test_hidden_characters_in_messages_are_escaped() -> None:
    from datetime import UTC, datetime

    from govcheck.formatters.sarif import format_report
    from govcheck.model import Finding, Location, Report, Result, Severity

    finding = Finding("INVENTORY-SCHEMA", ("ISO42001:A.9.2",), Severity.MEDIUM, Result.FAIL,
                      "system:s-1", "system s-1\u202egnp is odd", Location("systems.yaml", 1, 1))
    report = Report("govcheck", "0", datetime(2026, 6, 30, tzinfo=UTC), "inv", (), "d", (), (),
                    (), (finding,))
    text = format_report(report)
    assert "\u202e" not in text
    assert "\\\\u202e" in text
