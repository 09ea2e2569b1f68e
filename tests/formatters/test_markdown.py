"""The markdown report: tables per control, escaping, the 1 MiB summary limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from govcheck.formatters import get_formatter, markdown
from govcheck.formatters.markdown import escape, format_report
from govcheck.model import (
    ControlResult,
    ControlStatus,
    Finding,
    Location,
    Report,
    Result,
    Severity,
)


def _table_rows(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("### "):
            break
        if line.startswith("|"):
            rows.append(line)
    return rows


def test_golden(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.md", format_report(report))


def test_golden_clean(clean: Report, golden: Callable[[str, str], None]) -> None:
    golden("clean.md", format_report(clean))


def test_registered(report: Report) -> None:
    assert get_formatter("markdown")(report) == format_report(report)


def test_controls_table(report: Report) -> None:
    rows = _table_rows(format_report(report), "### Controls")
    assert rows[0] == ("| Control | Title | Status | Passed | Failed | Errored | Waived"
                       " | Baselined |")
    assert rows[2] == ("| ISO42001:A.3.2 | Roles and responsibilities for AI | ❌ not-satisfied"
                       " | 21 | 3 | 0 | 1 | 0 |")
    assert len(rows) == 2 + len(report.controls)


def test_one_findings_table_per_control(report: Report) -> None:
    text = format_report(report)
    a32 = _table_rows(text, "### ISO42001:A.3.2 — Roles and responsibilities for AI")
    a92 = _table_rows(text, "### ISO42001:A.9.2 — Processes for responsible use of AI")
    assert len(a32) == 2 + 3  # header, rule, three A.3.2 findings
    assert len(a92) == 2 + 3  # the baselined one is only counted
    assert "### ISO42001:A.9.3" not in text  # no findings, no table
    for row in a32 + a92:
        # Every row has exactly the header's columns: escaped pipes do not split cells.
        assert row.count("|") == 7


def test_escapes_pipes_and_html(report: Report) -> None:
    text = format_report(report)
    assert "<script>" not in text
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in text
    assert "no backup &#124; owner Zoë Ångström" in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a&#124;b"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
        ("**bold** _it_ `code`", "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#96;code&#96;"),
        ("two\nlines\r\n", "two\\u000alines\\u000d\\u000a"),
        ("s-1\u202e1-s|x", "s-1\\u202e1-s&#124;x"),
        ("\u2066a\u2069 \u200e\u200f\u202a\u202b\u202c\u202d\u2067\u2068",
         "\\u2066a\\u2069 \\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u2067\\u2068"),
        ("a\\|b", "a&#92;&#124;b"),
        ("bell\x07", "bell\\u0007"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_summary_line(report: Report) -> None:
    assert ("**5 gating** (1 critical, 2 high, 1 medium, 1 low) · 4 failing · 1 errored"
            " · 1 waived · 1 baselined · 2 baselined fixed") in format_report(report)


def _many(count: int, message_size: int) -> tuple[Finding, ...]:
    return tuple(
        Finding("A.3.2-BACKUP-NAMED", ("ISO42001:A.3.2",), Severity.MEDIUM, Result.FAIL,
                f"assignment:as-{n:06d}", "x" * message_size, Location("assignments.yaml", n, 1))
        for n in range(1, count + 1)
    )


def test_stays_under_one_mebibyte(report: Report) -> None:
    big = replace(report, findings=_many(6000, 300))
    text = format_report(big)
    size = len(text.encode("utf-8"))
    assert size <= markdown.MAX_BYTES < 1024 * 1024
    assert "more rows not shown" in text
    shown = text.count("| assignment:as-")
    assert 0 < shown < 6000
    assert f"**{6000 - shown} more rows not shown**" in text
    assert format_report(big) == text


def test_truncation_is_exact_at_a_small_limit(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "MAX_BYTES", 3000)
    text = format_report(replace(report, findings=_many(50, 40)))
    assert len(text.encode("utf-8")) <= 3000
    shown = text.count("| assignment:as-")
    assert f"**{50 - shown} more rows not shown**" in text


def test_small_report_is_not_truncated(report: Report) -> None:
    assert "not shown" not in format_report(report)


def test_bidi_characters_are_escaped_in_rows(report: Report) -> None:
    first = next(f for f in report.findings if f.entity == "assignment:as-014")
    hostile = replace(first, entity="assignment:as-\u202e410", message="ok\u2066 | x",
                      location=Location("a\u200fb.yaml", 3, 1))
    text = format_report(replace(report, findings=(hostile,)))
    assert not any(ch in text for ch in "\u202e\u2066\u200f")
    assert ("| medium | fail | A.3.2-BACKUP-NAMED | assignment:as-\\u202e410 | a\\u200fb.yaml:3:1"
            " | ok\\u2066 &#124; x |") in text.splitlines()


def _section(text: str, heading: str) -> str:
    return text.split(heading + "\n", 1)[1].split("\n### ", 1)[0]


def test_related_control_refers_to_its_failing_checks(report: Report) -> None:
    related = ControlResult("ISO42001:A.6.2.8", "Event logs", ControlStatus.NOT_SATISFIED,
                            ("A.9.2-LOG-INTEGRITY", "INVENTORY-SCHEMA"), passed=0, failed=0,
                            errored=1, failing_entities=("event:7",), baselined=1,
                            baselined_entities=("person:p-9",))
    text = format_report(replace(report, controls=(*report.controls, related)))
    section = _section(text, "### ISO42001:A.6.2.8 — Event logs")
    assert section.strip().splitlines() == [
        "- covered by A.9.2-LOG-INTEGRITY: 1 errored (see ISO42001:A.9.2)",
        "- covered by INVENTORY-SCHEMA: 1 baselined (see ISO42001:A.9.2)",
    ]
    # Without the findings in the report, the control still says what it records.
    bare = format_report(replace(report, controls=(related,), findings=()))
    assert ("1 failing" not in bare and "0 failing, 1 errored check(s), 1 baselined finding(s);"
            " entities: event:7, person:p-9") in bare


def test_baselined_findings_are_noted_under_their_control(report: Report) -> None:
    section = _section(format_report(report),
                       "### ISO42001:A.9.2 — Processes for responsible use of AI")
    assert section.rstrip().endswith("- INVENTORY-SCHEMA: 1 baselined, not listed (accepted by"
                                     " the baseline; see the JSON report)")
