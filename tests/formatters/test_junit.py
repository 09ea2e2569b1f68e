"""JUnit XML: one suite per control, one case per check, failures listing entities."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from govcheck.formatters import get_formatter
from govcheck.formatters.junit import format_report
from govcheck.model import Report


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.attrib["name"].split(":")[0]: case for case in root.iter("testcase")}


def test_golden(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.junit.xml", format_report(report))


def test_registered(report: Report) -> None:
    assert get_formatter("junit")(report) == format_report(report)


def test_parses_and_has_one_suite_per_control(report: Report) -> None:
    text = format_report(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    root = ET.fromstring(text.encode("utf-8"))
    suites = root.findall("testsuite")
    assert [s.attrib["name"] for s in suites] == [f"{c.id} {c.title}" for c in report.controls]
    a32 = suites[0]
    assert [c.attrib["name"] for c in a32.findall("testcase")] == [
        "A.3.2-BACKUP-NAMED: Every phase owner has a named backup",
        "A.3.2-OWNER-ACTIVE: Owners and backups are employed",
        "A.3.2-TRAINING-CURRENT: Owners hold current training",
    ]
    assert (a32.attrib["tests"], a32.attrib["failures"], a32.attrib["errors"],
            a32.attrib["skipped"]) == ("3", "2", "0", "1")
    assert suites[2].attrib["tests"] == "0"  # a manual control has no checks
    assert root.attrib["tests"] == str(sum(int(s.attrib["tests"]) for s in suites))


def test_failures_list_entities(report: Report) -> None:
    root = ET.fromstring(format_report(report))
    cases = _cases(root)
    failure = cases["A.3.2-BACKUP-NAMED"].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "1 failing: assignment:as-014"
    assert failure.attrib["type"] == "medium"
    assert failure.text is not None and "assignments.yaml:40:3" in failure.text
    out = cases["A.3.2-BACKUP-NAMED"].find("system-out")
    assert out is not None and out.text is not None and "waived: assignment:as-020" in out.text
    owner = cases["A.3.2-OWNER-ACTIVE"].find("failure")
    assert owner is not None and owner.text is not None
    assert "<script>alert('x')</script>" in owner.text  # escaped in XML, intact when parsed


def test_errors_skips_and_passes(report: Report) -> None:
    cases = _cases(ET.fromstring(format_report(report)))
    assert cases["A.9.2-LOG-INTEGRITY"].find("error") is not None
    assert cases["A.3.2-TRAINING-CURRENT"].find("skipped") is not None
    schema = cases["INVENTORY-SCHEMA"]  # only a baselined finding: passes
    assert schema.find("failure") is None and schema.find("error") is None
    assert list(schema.iter("system-out"))


def test_xml_escaping_and_invalid_characters(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    nasty = replace(first, message='a & b < c "q" ]]> \x00\x1b \u202eend\ufffe',
                    entity='assignment:"x"&<y>\u2066')
    text = format_report(replace(report, findings=(nasty,)))
    root = ET.fromstring(text)
    failure = root.find(".//failure")
    assert failure is not None and failure.text is not None
    assert 'a & b < c "q" ]]> \\u0000\\u001b \\u202eend\ufffd' in failure.text
    assert 'assignment:"x"&<y>\\u2066' in failure.attrib["message"]
    assert "\u202e" not in text and "\u2066" not in text


def test_unmapped_checks_get_their_own_suite(report: Report) -> None:
    stray = replace(report.findings[0], check="CUSTOM-X", controls=("ACME:1",))
    root = ET.fromstring(format_report(replace(report, findings=(stray,))))
    assert root.findall("testsuite")[-1].attrib["name"] == "unmapped"
    assert "CUSTOM-X" in _cases(root)


def test_standard_junit_parser_reads_it(report: Report, tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "report.xml"
    path.write_text(format_report(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert len(suites) == len(report.controls)
    a32 = suites[0]
    assert a32.tests == 3 and a32.failures == 2 and a32.skipped == 1
    cases = {case.name: case for case in a32}
    backup = cases["A.3.2-BACKUP-NAMED: Every phase owner has a named backup"]
    assert not backup.is_passed
    assert "assignment:as-014" in backup.result[0].message


def test_deterministic(report: Report) -> None:
    shuffled = replace(report, findings=tuple(sorted(report.findings, key=lambda f: f.check)))
    assert format_report(shuffled) == format_report(report)


def test_long_failure_messages_are_capped(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    many = tuple(replace(first, entity=f"assignment:as-{n:03d}") for n in range(25))
    failure = ET.fromstring(format_report(replace(report, findings=many))).find(".//failure")
    assert failure is not None and failure.text is not None
    assert failure.attrib["message"].startswith("25 failing: assignment:as-000, ")
    assert failure.attrib["message"].endswith("and 5 more (all in the text)")
    assert failure.text.count("assignment:as-") == 25
