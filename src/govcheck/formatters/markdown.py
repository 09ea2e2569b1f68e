"""The markdown report for `$GITHUB_STEP_SUMMARY` and pull-request comments.

A controls table, then one findings table per control. Inventory text is
escaped for GitHub-flavoured markdown tables and HTML (`|`, `<`, `&`, emphasis
and link characters), so a record cannot break the table or inject markup.
Characters that would not show as themselves (control, bidirectional and
zero-width format characters, line separators) are written as `\u202e`-style
escapes, as in the text report, so a record cannot reorder or hide text.
The text stays under GitHub's 1 MiB job-summary limit: rows that would pass
`MAX_BYTES` are left out and a note says how many. Baselined findings are only
counted, as in the text report (they still leave their controls
not-satisfied); a related control that a check covers refers to the control
its findings are listed under, so a not-satisfied control is never empty.
"""

from __future__ import annotations

from collections.abc import Sequence

from govcheck.formatters.json_format import findings_in_report_order, report_summary, rfc3339
from govcheck.formatters.text import (
    OUTSIDE,
    OUTSIDE_TITLE,
    CheckEntry,
    check_entries,
    describe_results,
    visible,
)
from govcheck.model import ControlResult, ControlStatus, Finding, Report, Result

__all__ = ["MAX_BYTES", "escape", "format_report"]

# GitHub refuses a step summary over 1 MiB; keep a margin for what other steps append.
MAX_BYTES = 1_000_000
_STATUS_ICON = {
    "not-satisfied": "❌",
    "satisfied": "✅",
    "not-applicable": "➖",
    "manual": "📝",
}
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "#": "&#35;",
    "~": "&#126;",
}
_FINDING_HEADER = (
    "| Severity | Result | Check | Entity | Location | Message |\n"
    "|---|---|---|---|---|---|\n"
)


def escape(text: str) -> str:
    """Inventory text safe inside a GFM table cell: HTML and markdown syntax as entities,
    hidden characters (controls, bidi and zero-width) as `\u202e` escapes."""
    # `visible` escapes start with a backslash followed by `u`, which GFM shows literally,
    # so they are appended as they are rather than through the entity table.
    return "".join(_ESCAPES.get(ch) or visible(ch) for ch in text)


def _finding_row(finding: Finding) -> str:
    cells = (
        finding.severity.value,
        finding.result.value,
        escape(finding.check),
        escape(finding.entity),
        escape(str(finding.location)),
        escape(finding.message),
    )
    return "| " + " | ".join(cells) + " |\n"


def _controls_table(controls: Sequence[ControlResult]) -> str:
    rows = [
        "| Control | Title | Status | Passed | Failed | Errored | Waived | Baselined |\n",
        "|---|---|---|---:|---:|---:|---:|---:|\n",
    ]
    for c in controls:
        status = f"{_STATUS_ICON.get(c.status.value, '')} {c.status.value}".strip()
        rows.append(
            f"| {escape(c.id)} | {escape(c.title)} | {status} | {c.passed} | {c.failed}"
            f" | {c.errored} | {c.waived} | {c.baselined} |\n"
        )
    return "".join(rows) + (
        "\nPassed, failed and errored count checks; waived and baselined count findings."
        " A baselined finding still leaves its control not-satisfied.\n"
    )


def _summary_line(report: Report) -> str:
    summary = report_summary(report)
    severities = ", ".join(
        f"{summary.gating_by_severity[s]} {s}"
        for s in ("critical", "high", "medium", "low")
        if summary.gating_by_severity[s]
    )
    results = summary.by_result
    line = f"**{summary.gating} gating**" + (f" ({severities})" if severities else "")
    line += (
        f" · {results['fail']} failing · {results['error']} errored"
        f" · {results['waived']} waived · {results['baselined']} baselined"
    )
    if summary.fixed_baselined:
        line += f" · {summary.fixed_baselined} baselined fixed"
    return line + "\n"


class _Budget:
    """Appends parts while the total stays under a byte limit, counting what it drops."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def add(self, part: str, *, row: bool = False) -> bool:
        size = len(part.encode("utf-8"))
        if self.dropped or self.size + size > self.limit:
            if row:
                self.dropped += 1
            return False
        self.parts.append(part)
        self.size += size
        return True


def _note(entry: CheckEntry) -> str:
    """A list item for a check's baselined findings, or for findings listed elsewhere."""
    check = escape(entry.check)
    if entry.see is None:
        return (f"- {check}: {entry.baselined} baselined, not listed (accepted by the"
                " baseline; see the JSON report)\n")
    where = escape(entry.see) if entry.see != OUTSIDE else OUTSIDE_TITLE
    return f"- covered by {check}: {describe_results(entry.counts)} (see {where})\n"


def _unexplained(control: ControlResult | None) -> str:
    """For a not-satisfied control whose findings the report does not hold: what it records."""
    if control is None or control.status is not ControlStatus.NOT_SATISFIED:
        return ""
    entities = ", ".join(escape(e) for e in (*control.failing_entities,
                                             *control.baselined_entities))
    return (f"{control.failed} failing, {control.errored} errored check(s),"
            f" {control.baselined} baselined finding(s); entities:"
            f" {entities or 'not in this report'}\n")


def format_report(report: Report) -> str:
    """The report as GitHub-flavoured markdown, at most `MAX_BYTES` bytes."""
    shown = [f for f in findings_in_report_order(report.findings)
             if f.result is not Result.BASELINED]
    head = (
        f"## {escape(report.tool_name)} report\n\n"
        f"Inventory **{escape(report.inventory)}** · as of {rfc3339(report.as_of)}"
        f" · {escape(report.tool_name)} {escape(report.tool_version)}\n\n"
        + _summary_line(report)
        + "".join(f"\n> {escape(n)}\n" for n in report.notices)
        + "\n### Controls\n\n"
        + _controls_table(report.controls)
    )
    # Room for the truncation note, so it always fits.
    budget = _Budget(MAX_BYTES - 400)
    budget.add(head)
    entries = check_entries(report)
    sections: list[tuple[str, str, tuple[CheckEntry, ...], ControlResult | None]] = [
        (c.id, c.title, entries[c.id], c) for c in report.controls
    ]
    sections.append((OUTSIDE, OUTSIDE_TITLE, entries[OUTSIDE], None))
    for control_id, title, control_entries, control in sections:
        findings = sorted((f for e in control_entries for f in e.listed), key=Finding.sort_key)
        notes = [_note(e) for e in control_entries if e.see is not None or e.baselined]
        if not findings and not notes and not _unexplained(control):
            continue
        label = f"{escape(control_id)} — {escape(title)}" if control_id else escape(title)
        budget.add(f"\n### {label}\n\n")
        if findings:
            budget.add(_FINDING_HEADER)
            for finding in findings:
                budget.add(_finding_row(finding), row=True)
        if findings and notes:
            budget.add("\n")
        # Rows count findings left out; a note that does not fit goes with them.
        for note in notes:
            budget.add(note)
        if not findings and not notes and control is not None:
            budget.add(_unexplained(control))
    if not shown:
        budget.add("\nNo findings to show.\n")
    text = "".join(budget.parts)
    if budget.dropped:
        text += (
            f"\n> **{budget.dropped} more rows not shown** (GitHub limits a job summary to"
            " 1 MiB). The JSON and SARIF reports list every finding.\n"
        )
    return text
