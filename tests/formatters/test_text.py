"""The text report: grouping, finding lines, colour only on request, summary line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from govcheck.formatters import get_formatter
from govcheck.formatters.text import format_report, visible
from govcheck.model import ControlResult, ControlStatus, Location, Report, Result


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
    assert "\x1b" not in text and "\n\x1b" not in text
    assert "line one\\u000a\\u001b[31mFAKE\\u001b[0m" in text


def test_findings_outside_catalogue(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    stray = replace(first, controls=("OTHER:1",), entity="system:zz")
    text = format_report(replace(report, findings=(stray,)))
    assert "Findings outside the controls catalogue" in text
    assert "system:zz" in text


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("s-1\u202e1-s", "s-1\\u202e1-s"),
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),
        ("\u200e\u200f", "\\u200e\\u200f"),
        ("bell\x07 esc\x1b del\x7f csi\x9b", "bell\\u0007 esc\\u001b del\\u007f csi\\u009b"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("line\u2028sep", "line\\u2028sep"),
        ("Zoë 数据 🚀 a b", "Zoë 数据 🚀 a b"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_bidi_and_control_characters_are_escaped_everywhere(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    hostile = replace(first, entity=f"assignment:as-{BIDI}", message="msg\u202eevil\x07",
                      location=Location("hr\u202eexports/\x1bpeople.csv", 7, 1),
                      check="A.3.2-BACKUP-NAMED")
    control = replace(report.controls[0], title="Roles\u2067 for AI\x0b")
    text = format_report(replace(report, findings=(hostile,),
                                 controls=(control, *report.controls[1:]),
                                 notices=("note\u202d",)))
    assert not any(ch in text for ch in BIDI + "\x07\x1b\x0b")
    assert ("    hr\\u202eexports/\\u001bpeople.csv:7:1  MEDIUM    assignment:as-"
            "\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f"
            "  msg\\u202eevil\\u0007") in text.splitlines()
    assert "ISO42001:A.3.2  Roles\\u2067 for AI\\u000b  [not-satisfied]" in text
    assert "note: note\\u202d" in text


A628 = "ISO42001:A.6.2.8"


def _with_related(report: Report) -> Report:
    """The report plus A.6.2.8, which the catalogue covers with A.9.2-LOG-INTEGRITY and
    A.9.2-COST-OWNER although their findings name only A.9.2."""
    related = ControlResult(A628, "Recording of event logs", ControlStatus.NOT_SATISFIED,
                            ("A.9.2-COST-OWNER", "A.9.2-LOG-INTEGRITY"), passed=0, failed=1,
                            errored=1, failing_entities=("event:7", "system:s-2"))
    return replace(report, controls=(*report.controls, related))


def test_related_control_refers_to_the_checks_that_fail_it(report: Report) -> None:
    lines = format_report(_with_related(report)).splitlines()
    head = lines.index(f"{A628}  Recording of event logs  [not-satisfied]")
    assert lines[head + 1:head + 4] == [
        "  covered by A.9.2-COST-OWNER: 1 failing (see ISO42001:A.9.2)",
        "  covered by A.9.2-LOG-INTEGRITY: 1 errored (see ISO42001:A.9.2)",
        "",
    ]


def test_not_satisfied_control_never_reads_no_findings(report: Report) -> None:
    related = _with_related(report)
    text = format_report(related)
    for control in related.controls:
        block = text.split(f"{control.id}  ", 1)[1].split("\n\n", 1)[0]
        if control.status is ControlStatus.NOT_SATISFIED:
            assert "no findings" not in block, control.id
    # Even when the report holds none of the control's findings, it says what failed.
    bare = format_report(replace(related, findings=()))
    block = bare.split(f"{A628}  ", 1)[1].split("\n\n", 1)[0]
    assert "no findings" not in block
    assert "1 failing, 1 errored check(s), 0 baselined finding(s); entities: event:7," \
        " system:s-2" in block


def test_waived_findings_of_a_related_control_are_referred_to(report: Report) -> None:
    related = ControlResult(A628, "Recording", ControlStatus.SATISFIED,
                            ("A.3.2-BACKUP-NAMED",), passed=1, failed=0, errored=0)
    waived = tuple(f for f in report.findings if f.result is Result.WAIVED)
    text = format_report(replace(report, controls=(related,), findings=waived))
    assert ("  covered by A.3.2-BACKUP-NAMED: 1 waived (see Findings outside the controls"
            " catalogue)") in text.splitlines()
    assert "Findings outside the controls catalogue" in text
    assert "no findings" not in text


def test_baselined_findings_are_counted_under_their_control(report: Report) -> None:
    lines = format_report(report).splitlines()
    schema = lines.index("  INVENTORY-SCHEMA  Every record matches the schema of its kind")
    assert lines[schema + 1] == ("    1 baselined, not listed (accepted by the baseline;"
                                 " see the JSON report)")
    only_baselined = tuple(f for f in report.findings if f.result is Result.BASELINED)
    text = format_report(replace(report, findings=only_baselined))
    a92 = text.split("ISO42001:A.9.2  ", 1)[1].split("\n\n", 1)[0]
    assert "INVENTORY-SCHEMA" in a92 and "1 baselined, not listed" in a92
