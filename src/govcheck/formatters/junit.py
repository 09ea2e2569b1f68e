"""JUnit XML for CI dashboards (`--format junit`).

One `<testsuite>` per control, one `<testcase>` per check covering it. A
check with failing findings gets a `<failure>` listing every failing entity;
one that errored gets an `<error>`; one that ran on no node is `<skipped>`.
Waived and baselined findings do not fail a test case (they are listed in
`<system-out>`). Checks that no control lists go in a last suite, `unmapped`.
Hidden characters of inventory text (controls, bidi overrides, zero-width)
are written as `\u202e`-style escapes, as in the text report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from govcheck.formatters.json_format import findings_in_report_order, rfc3339
from govcheck.formatters.text import visible
from govcheck.model import CheckRun, Finding, Report, Result

__all__ = ["format_report"]

# Characters XML 1.0 cannot hold at all, even escaped.
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Entities named in a failure's one-line message; the element's text lists them all.
_MESSAGE_ENTITIES = 20


def _xml_text(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _finding_line(finding: Finding) -> str:
    # Inventory text is shown by CI dashboards: hidden and bidi characters become escapes.
    return visible(f"{finding.entity} at {finding.location}: {finding.message}")


def _testcase(
    suite_name: str,
    check: str,
    title: str,
    findings: Sequence[Finding],
    run: CheckRun | None,
) -> tuple[ET.Element, str]:
    """The test case of one check and its outcome: passed, failure, error or skipped."""
    case = ET.Element("testcase", {
        "classname": _xml_text(suite_name),
        "name": _xml_text(f"{check}: {title}" if title and title != check else check),
        "time": "0",
    })
    failed = [f for f in findings if f.result is Result.FAIL]
    errored = [f for f in findings if f.result is Result.ERROR]
    accepted = [f for f in findings if not f.result.gates]
    outcome = "passed"
    if errored:
        element = ET.SubElement(case, "error", {
            "type": "error",
            "message": _xml_text(f"{check} errored on {len(errored)} entit"
                                 f"{'y' if len(errored) == 1 else 'ies'}"),
        })
        element.text = _xml_text("\n".join(_finding_line(f) for f in errored))
        outcome = "error"
    if failed:
        entities = ", ".join(visible(f.entity) for f in failed[:_MESSAGE_ENTITIES])
        if len(failed) > _MESSAGE_ENTITIES:
            entities += f", and {len(failed) - _MESSAGE_ENTITIES} more (all in the text)"
        element = ET.SubElement(case, "failure", {
            "type": max(failed, key=lambda f: f.severity.rank).severity.value,
            "message": _xml_text(f"{len(failed)} failing: {entities}"),
        })
        element.text = _xml_text("\n".join(_finding_line(f) for f in failed))
        # A case that both failed and errored counts once, as an error.
        outcome = "error" if errored else "failure"
    if outcome == "passed" and run is not None and run.evaluated == 0 and not findings:
        ET.SubElement(case, "skipped", {"message": "no node to check"})
        outcome = "skipped"
    if accepted:
        out = ET.SubElement(case, "system-out")
        out.text = _xml_text(
            "\n".join(f"{f.result.value}: {_finding_line(f)}" for f in accepted)
        )
    return case, outcome


def _suite(
    name: str,
    checks: Sequence[str],
    titles: Mapping[str, str],
    by_check: Mapping[str, list[Finding]],
    runs: Mapping[str, CheckRun],
    as_of: str,
) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _xml_text(name)})
    counts = {"passed": 0, "failure": 0, "error": 0, "skipped": 0}
    for check in checks:
        case, outcome = _testcase(name, check, titles.get(check, ""), by_check.get(check, []),
                                  runs.get(check))
        suite.append(case)
        counts[outcome] += 1
    suite.attrib.update({
        "tests": str(len(checks)),
        "failures": str(counts["failure"]),
        "errors": str(counts["error"]),
        "skipped": str(counts["skipped"]),
        "time": "0",
        "timestamp": as_of,
    })
    return suite


def format_report(report: Report) -> str:
    """The report as JUnit XML (UTF-8, with an XML declaration)."""
    titles = {info.id: info.title for info in report.checks}
    runs = {run.check: run for run in report.runs}
    by_check: dict[str, list[Finding]] = {}
    for finding in findings_in_report_order(report.findings):
        by_check.setdefault(finding.check, []).append(finding)
    # The as-of without its Z: JUnit's timestamp is an xs:dateTime without a zone in
    # most consumers' schemas.
    as_of = rfc3339(report.as_of).removesuffix("Z")
    root = ET.Element("testsuites", {"name": _xml_text(f"{report.tool_name} {report.inventory}")})
    mapped: set[str] = set()
    for control in report.controls:
        name = f"{control.id} {control.title}".strip()
        root.append(_suite(name, control.checks, titles, by_check, runs, as_of))
        mapped.update(control.checks)
    unmapped = sorted(({info.id for info in report.checks} | set(by_check)) - mapped)
    if unmapped:
        root.append(_suite("unmapped", unmapped, titles, by_check, runs, as_of))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        for key in totals:
            totals[key] += int(suite.attrib[key])
    root.attrib.update({key: str(value) for key, value in totals.items()})
    root.attrib["time"] = "0"
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
