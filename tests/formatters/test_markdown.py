"""The markdown report: tables per control, escaping, the 1 MiB summary limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from govcheck.formatters import get_formatter, markdown
from govcheck.formatters.markdown import escape, format_report
from govcheck.model import Finding, Location, Report, Result, Severity


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
    assert rows[0] == "| Control | Title | Status | Passed | Failed | Errored |"
    assert rows[2] == ("| ISO42001:A.3.2 | Roles and responsibilities for AI | ❌ not-satisfied"
                       " | 21 | 3 | 0 |")
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
        ("two\nlines\r\n", "two lines  "),
        ("a\\|b", "a&#92;&#124;b"),
        ("bell\x07", "bell"),
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
