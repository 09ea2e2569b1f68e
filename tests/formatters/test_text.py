"""The text report: grouping, finding lines, colour only on request, summary line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from govcheck.formatters import get_formatter
from govcheck.formatters.text import format_report
from govcheck.model import Report


def test_golden(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.txt", format_report(report))


def test_golden_clean(clean: Report, golden: Callable[[str, str], None]) -> None:
    golden("clean.txt", format_report(clean))


def test_registered_and_plain_by_default(report: Report) -> None:
    text = get_formatter("text")(report)
    assert text == format_report(report)
    assert "\x1b[" not in text


def test_colour_when_asked(report: Report) -> None:
    text = format_report(report, colour=True)
    assert "\x1b[1;31mCRITICAL\x1b[0m" in text
    assert "\x1b[31mHIGH\x1b[0m" in text
    stripped = text
    for code in ("\x1b[0m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[1m",
                 "\x1b[2m", "\x1b[32m", "\x1b[35m"):
        stripped = stripped.replace(code, "")
    assert stripped == format_report(report)


def test_finding_line_shape(report: Report) -> None:
    lines = format_report(report).splitlines()
    assert ("    approvals.json:12:5  CRITICAL  approval:ap-3  Go-live approval ap-3 expired"
            " on 2026-01-31 (数据 platform)") in lines
    assert "    events.json:30:5  HIGH      event:7  rule error: no such key: hash [error]" \
        in lines
    waived = [line for line in lines if "assignment:as-020" in line]
    assert waived == ["    assignments.yaml:52:3  MEDIUM    assignment:as-020  Phase validation"
                      " of s-2 has no backup [waived]"]


def test_grouped_by_control_then_check(report: Report) -> None:
    lines = format_report(report).splitlines()
    a32 = lines.index("ISO42001:A.3.2  Roles and responsibilities for AI  [not-satisfied]")
    a92 = lines.index("ISO42001:A.9.2  Processes for responsible use of AI  [not-satisfied]")
    backup = lines.index("  A.3.2-BACKUP-NAMED  Every phase owner has a named backup")
    approval = lines.index("  A.9.2-APPROVAL-CURRENT  The go-live approval is current")
    assert a32 < backup < a92 < approval
    assert lines[a92 - 1] == ""


def test_baselined_findings_are_counted_not_listed(report: Report) -> None:
    text = format_report(report)
    assert "person:p-9  person 'p-9'" not in text
    assert "1 baselined" in text


def test_summary_line(report: Report) -> None:
    lines = format_report(report).splitlines()
    assert lines[-2] == ("7 findings: 4 failing, 1 errored (gating: 1 critical, 2 high, 1 medium,"
                         " 1 low), 1 waived, 1 baselined; 2 baselined fixed.")
    assert lines[-1] == "Controls: 2 not-satisfied, 1 not-applicable, 1 manual."


def test_clean_report(clean: Report) -> None:
    text = format_report(clean)
    assert "no findings" in text
    assert text.splitlines()[-2] == "0 findings: 0 failing, 0 errored, 0 waived, 0 baselined."


def test_control_characters_cannot_forge_output(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    hostile = replace(first, message="line one\n\x1b[31mFAKE\x1b[0m")
    text = format_report(replace(report, findings=(hostile,)))
    assert "\x1b" not in text
    assert "line one  [31mFAKE [0m" in text


def test_findings_outside_catalogue(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    stray = replace(first, controls=("OTHER:1",), entity="system:zz")
    text = format_report(replace(report, findings=(stray,)))
    assert "Findings outside the controls catalogue" in text
    assert "system:zz" in text
