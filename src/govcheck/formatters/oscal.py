"""OSCAL 1.1.2 assessment results, for GRC tools.

One result per run: the controls reviewed, one observation per finding (with
the file:line evidence), and one OSCAL finding per control whose target is the
control's statement objective. Every UUID is a UUID5 derived from the inputs,
the as-of and the policy digest, so the same run gives byte-identical output.
`controls --format oscal-catalog` writes the catalog these control ids point to.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from govcheck.model import ControlInfo, ControlResult, ControlStatus, Finding, Report

__all__ = [
    "GOVCHECK_NS",
    "OSCAL_VERSION",
    "catalog_document",
    "control_token",
    "format_report",
]

OSCAL_VERSION = "1.1.2"
# Namespace of govcheck's own OSCAL props (OSCAL wants non-core props namespaced).
GOVCHECK_NS = "https://github.com/govcheck/govcheck/ns/oscal"
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/govcheck/govcheck")
# The assessment plan this result answers is govcheck's policy pack at one
# digest; no such OSCAL document is written, so the reference is a URN naming it.
_AP_HREF = "urn:govcheck:assessment-plan:{digest}"

# OSCAL's `state` says only satisfied or not; govcheck's finer status goes in a prop.
_STATE = {
    ControlStatus.SATISFIED: ("satisfied", "pass"),
    ControlStatus.NOT_SATISFIED: ("not-satisfied", "fail"),
    ControlStatus.NOT_APPLICABLE: ("satisfied", "other"),
    ControlStatus.MANUAL: ("not-satisfied", "other"),
}


def control_token(control_id: str) -> str:
    """An OSCAL control id token: `ISO42001:A.3.2` -> `a.3.2`, `NIST-AI-RMF:GOVERN-2.1` ->
    `govern-2.1`."""
    local = control_id.rpartition(":")[2].lower()
    token = re.sub(r"[^a-z0-9._-]", "-", local)
    return token if re.match(r"[a-z_]", token) else f"c-{token}"


def _stamp(report: Report) -> str:
    return report.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "\x00".join(parts)))


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": GOVCHECK_NS, "value": value}


def _observation(result_uuid: str, finding: Finding, stamp: str) -> dict[str, Any]:
    loc = finding.location
    evidence = [
        {"href": f"{loc.path}#L{loc.line}", "description": f"{loc}: {finding.entity}"}
    ]
    evidence += [
        {"href": f"{rel.path}#L{rel.line}", "description": f"{rel}: related record"}
        for rel in finding.related
    ]
    observation: dict[str, Any] = {
        "uuid": _uuid(result_uuid, "observation", finding.fingerprint),
        "title": f"{finding.check} on {finding.entity}",
        "description": finding.message or finding.check,
        "props": [
            _prop("check", finding.check),
            _prop("severity", finding.severity.value),
            _prop("result", finding.result.value),
            _prop("fingerprint", finding.fingerprint),
        ],
        "methods": ["TEST"],
        "types": ["finding"],
        "subjects": [
            {
                "subject-uuid": _uuid(result_uuid, "subject", finding.entity),
                "type": "inventory-item",
                "title": finding.entity,
            }
        ],
        "relevant-evidence": evidence,
        "collected": stamp,
    }
    remarks = [finding.remediation] if finding.remediation else []
    if finding.justification:
        remarks.append(f"Accepted ({finding.result.value}): {finding.justification}")
    if remarks:
        observation["remarks"] = "\n\n".join(remarks)
    return observation


def _finding(
    result_uuid: str, control: ControlResult, observations: Sequence[str]
) -> dict[str, Any]:
    token = control_token(control.id)
    state, reason = _STATE[control.status]
    description = (
        f"{control.id} is {control.status.value}: {control.passed} covering check(s) passed,"
        f" {control.failed} failed, {control.errored} errored."
    )
    if control.status is ControlStatus.MANUAL:
        description += " No automated check covers it; it must be assessed by hand."
    entry: dict[str, Any] = {
        "uuid": _uuid(result_uuid, "finding", control.id),
        "title": f"{control.id} {control.title}",
        "description": description,
        "props": [_prop("control-status", control.status.value)]
        + [_prop("covering-check", check) for check in control.checks],
        "target": {
            "type": "objective-id",
            "target-id": f"{token}_smt",
            "status": {"state": state, "reason": reason},
        },
    }
    if observations:
        entry["related-observations"] = [{"observation-uuid": o} for o in observations]
    if control.manual_evidence:
        entry["remarks"] = "Evidence to inspect by hand: " + "; ".join(control.manual_evidence)
    return entry


def _result_uuid(report: Report) -> str:
    inputs = "\x00".join(f"{i.path}={i.sha256}" for i in report.inputs)
    return _uuid("result", _stamp(report), report.policy_digest, inputs)


def _inventory_items(result_uuid: str, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    entities = sorted({f.entity for f in findings})
    return [
        {"uuid": _uuid(result_uuid, "subject", entity), "description": entity}
        for entity in entities
    ]


def format_report(report: Report) -> str:
    """The report as an OSCAL 1.1.2 assessment-results JSON document."""
    stamp = _stamp(report)
    result_uuid = _result_uuid(report)
    observations = [_observation(result_uuid, f, stamp) for f in report.findings]
    by_check: dict[str, list[str]] = {}
    for finding, observation in zip(report.findings, observations, strict=True):
        by_check.setdefault(finding.check, []).append(observation["uuid"])
    findings = [
        _finding(
            result_uuid,
            control,
            [o for check in control.checks for o in by_check.get(check, [])],
        )
        for control in report.controls
    ]
    result: dict[str, Any] = {
        "uuid": result_uuid,
        "title": f"govcheck assessment of {report.inventory}",
        "description": (
            f"Automated assessment of ISO/IEC 42001 controls by {report.tool_name}"
            f" {report.tool_version} over {len(report.inputs)} input file(s), evaluated as of"
            f" {stamp}; policy digest {report.policy_digest}."
        ),
        "start": stamp,
        "end": stamp,
        "props": [_prop("policy-digest", report.policy_digest)]
        + [_prop("input-sha256", f"{i.path}={i.sha256}") for i in report.inputs],
        "reviewed-controls": {
            "control-selections": [
                {
                    "include-controls": [
                        {"control-id": control_token(c.id)} for c in report.controls
                    ]
                }
                if report.controls
                else {"include-all": {}}
            ]
        },
    }
    snapshot: Mapping[str, Any] = report.snapshot or {}
    if snapshot.get("archive_sha256"):
        result["props"].append(_prop("snapshot-sha256", str(snapshot["archive_sha256"])))
    if report.findings:
        result["local-definitions"] = {
            "inventory-items": _inventory_items(result_uuid, report.findings)
        }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    document = {
        "assessment-results": {
            "uuid": _uuid("document", result_uuid),
            "metadata": {
                "title": f"govcheck assessment results: {report.inventory}",
                "last-modified": stamp,
                "version": report.tool_version,
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {"href": _AP_HREF.format(digest=report.policy_digest)},
            "results": [result],
        }
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def catalog_document(
    catalogue: Sequence[ControlInfo], covering: Mapping[str, Sequence[str]], version: str
) -> str:
    """The controls catalogue as an OSCAL 1.1.2 catalog, control ids as tokens.

    `covering` maps a control id to the checks covering it (listed as props).
    The catalog's UUID and its last-modified stamp derive from its content, so
    exports of one catalogue are byte-identical.
    """
    controls = []
    for control in catalogue:
        token = control_token(control.id)
        parts: list[dict[str, Any]] = [
            {"id": f"{token}_smt", "name": "statement", "prose": control.requirement or
             control.title}
        ]
        if control.guidance:
            parts.append({"id": f"{token}_gdn", "name": "guidance",
                          "prose": "\n".join(f"- {g}" for g in control.guidance)})
        if control.manual_evidence:
            parts.append({"id": f"{token}_obj", "name": "assessment-objective",
                          "prose": "Inspect by hand: " + "; ".join(control.manual_evidence)})
        entry: dict[str, Any] = {
            "id": token,
            "title": control.title,
            "props": [{"name": "label", "value": control.id}]
            + [_prop("covering-check", check) for check in covering.get(control.id, ())],
            "parts": parts,
        }
        controls.append(entry)
    content = json.dumps(controls, sort_keys=True)
    document: dict[str, Any] = {
        "catalog": {
            "uuid": _uuid("catalog", content),
            "metadata": {
                "title": "govcheck controls catalogue (ISO/IEC 42001 and related)",
                # A catalog has no as-of; a fixed stamp keeps the export reproducible.
                "last-modified": "1970-01-01T00:00:00Z",
                "version": version,
                "oscal-version": OSCAL_VERSION,
            },
        }
    }
    if controls:
        document["catalog"]["controls"] = controls
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
