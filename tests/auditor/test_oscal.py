"""OSCAL assessment results and catalog: validated with compliance-trestle, deterministic."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from govcheck.formatters.oscal import catalog_document, control_token, format_report
from govcheck.model import ControlInfo

from .conftest import sample_report

trestle_ar = pytest.importorskip("trestle.oscal.assessment_results")
trestle_catalog = pytest.importorskip("trestle.oscal.catalog")


def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(format_report(sample_report()))
    return data


def test_validates_with_trestle() -> None:
    parsed = trestle_ar.AssessmentResults.parse_obj(document()["assessment-results"])
    result = parsed.results[0]
    assert len(result.observations) == 3
    assert [f.target.target_id for f in result.findings] == [
        "a.3.2_smt", "a.6.2.5_smt", "a.9.2_smt", "a.9.3_smt", "a.10.2_smt"]


def test_trestle_rejects_a_broken_document() -> None:
    data = document()["assessment-results"]
    data["results"][0]["findings"][0]["target"]["status"]["state"] = "fine"
    with pytest.raises(ValueError):
        trestle_ar.AssessmentResults.parse_obj(data)


def test_content() -> None:
    data = document()["assessment-results"]
    assert data["metadata"]["oscal-version"] == "1.1.2"
    assert data["metadata"]["last-modified"] == "2026-06-30T00:00:00Z"
    result = data["results"][0]
    assert result["start"] == result["end"] == "2026-06-30T00:00:00Z"
    selected = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert [c["control-id"] for c in selected] == ["a.3.2", "a.6.2.5", "a.9.2", "a.9.3",
                                                   "a.10.2"]
    observation = result["observations"][0]
    assert observation["relevant-evidence"][0]["href"] == "assignments.yaml#L4"
    assert observation["relevant-evidence"][1]["href"] == "people.yaml#L2"
    assert observation["collected"] == "2026-06-30T00:00:00Z"
    assert observation["subjects"][0]["title"] == "assignment:a-1"
    items = {i["uuid"] for i in result["local-definitions"]["inventory-items"]}
    assert {o["subjects"][0]["subject-uuid"] for o in result["observations"]} <= items
    states = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in result["findings"]}
    assert states == {"a.3.2_smt": "not-satisfied", "a.6.2.5_smt": "satisfied",
                      "a.9.2_smt": "not-satisfied", "a.9.3_smt": "not-satisfied",
                      "a.10.2_smt": "satisfied"}
    a32 = result["findings"][0]
    backup_obs = {o["uuid"] for o in result["observations"]
                  if o["title"].startswith("A.3.2-BACKUP-NAMED")}
    assert {r["observation-uuid"] for r in a32["related-observations"]} == backup_obs
    assert "Signed role descriptions" in a32["remarks"]
    waived = result["observations"][1]
    assert waived["remarks"] == ("Name a backup.\n\nAccepted (waived): Hiring a backup; GRC-1234,"
                                 " approved by p-2, expires 2026-09-30")


def test_deterministic_uuids_that_follow_the_inputs() -> None:
    first, second = format_report(sample_report()), format_report(sample_report())
    assert first == second
    changed = replace(sample_report(), policy_digest="e" * 64)
    other = json.loads(format_report(changed))["assessment-results"]
    assert other["results"][0]["uuid"] != document()["assessment-results"]["results"][0]["uuid"]
    uuids = [o["uuid"] for o in document()["assessment-results"]["results"][0]["observations"]]
    assert len(set(uuids)) == len(uuids)


def test_clean_report_has_no_empty_arrays() -> None:
    clean = replace(sample_report(), findings=(), controls=())
    data = json.loads(format_report(clean))
    trestle_ar.AssessmentResults.parse_obj(data["assessment-results"])
    assert "observations" not in data["assessment-results"]["results"][0]


@pytest.mark.parametrize(("control_id", "token"), [
    ("ISO42001:A.3.2", "a.3.2"), ("NIST-AI-RMF:GOVERN-2.1", "govern-2.1"), ("X:9 Z", "c-9-z")])
def test_control_token(control_id: str, token: str) -> None:
    assert control_token(control_id) == token


def test_catalog_validates_and_is_stable() -> None:
    catalogue = [ControlInfo("ISO42001:A.3.2", "Roles", "Define roles.", ("g1",), ("charters",),
                             ("A.3.2-X",)),
                 ControlInfo("ISO42001:A.9.3", "Objectives", "Set objectives.")]
    text = catalog_document(catalogue, {"ISO42001:A.3.2": ("A.3.2-X",)}, "0.1.0")
    assert text == catalog_document(catalogue, {"ISO42001:A.3.2": ("A.3.2-X",)}, "0.1.0")
    parsed = trestle_catalog.Catalog.parse_obj(json.loads(text)["catalog"])
    assert [c.id for c in parsed.controls] == ["a.3.2", "a.9.3"]
    assert parsed.controls[0].parts[0].id == "a.3.2_smt"
