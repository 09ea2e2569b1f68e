"""The text report for people (`--format text`, the default).

Findings are grouped by control, then by check; each finding is one line
`path:line:col  SEVERITY  entity  message`, so editors and terminals can jump
to it. Baselined findings are only counted (the baseline accepted them); waived
ones are listed with their marker. Colour is used only when asked for (the CLI
asks when stdout is a terminal).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from govcheck.formatters.json_format import findings_in_report_order, report_summary, rfc3339
from govcheck.model import ControlResult, ControlStatus, Finding, Report, Result

__all__ = ["format_report"]

_RESET = "\x1b[0m"
_SEVERITY_STYLE = {
    "critical": "\x1b[1;31m",
    "high": "\x1b[31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
}
_STATUS_STYLE = {
    ControlStatus.NOT_SATISFIED: "\x1b[1;31m",
    ControlStatus.SATISFIED: "\x1b[32m",
    ControlStatus.NOT_APPLICABLE: "\x1b[2m",
    ControlStatus.MANUAL: "\x1b[35m",
}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
# Wide enough for CRITICAL so severities line up.
_SEVERITY_WIDTH = 8


class _Painter:
    """Applies ANSI styles when colour is on, and is the identity otherwise."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.colour and style else text


def _clean(text: str) -> str:
    """One line of untrusted text: control characters (ANSI escapes too) become spaces."""
    return "".join(" " if (ord(ch) < 32 or ord(ch) == 127) else ch for ch in text)


def _finding_line(finding: Finding, paint: _Painter) -> str:
    severity = finding.severity.value.upper()
    padded = severity.ljust(_SEVERITY_WIDTH)
    styled = paint(severity, _SEVERITY_STYLE[finding.severity.value]) + padded[len(severity):]
    marker = "" if finding.result is Result.FAIL else f" [{finding.result.value}]"
    line = (
        f"    {finding.location}  {styled}  {_clean(finding.entity)}  "
        f"{_clean(finding.message)}{paint(marker, _DIM)}"
    )
    return line.rstrip()


def _check_block(
    check_id: str, titles: dict[str, str], findings: Sequence[Finding], paint: _Painter
) -> list[str]:
    title = titles.get(check_id, "")
    head = f"  {paint(check_id, _BOLD)}" + (f"  {_clean(title)}" if title else "")
    return [head, *(_finding_line(f, paint) for f in findings)]


def _grouped(
    findings: Iterable[Finding], control_ids: Sequence[str]
) -> dict[str, dict[str, list[Finding]]]:
    """control id (or '' for none listed) -> check id -> findings, in report order."""
    known = set(control_ids)
    groups: dict[str, dict[str, list[Finding]]] = {}
    for finding in findings:
        targets = [c for c in finding.controls if c in known] or [""]
        for control in targets:
            groups.setdefault(control, {}).setdefault(finding.check, []).append(finding)
    return groups


def _control_head(control: ControlResult, paint: _Painter) -> str:
    status = paint(f"[{control.status.value}]", _STATUS_STYLE[control.status])
    return f"{paint(control.id, _BOLD)}  {_clean(control.title)}  {status}"


def _summary_lines(report: Report) -> list[str]:
    summary = report_summary(report)
    by_severity = ", ".join(
        f"{summary.gating_by_severity[s]} {s}"
        for s in ("critical", "high", "medium", "low")
        if summary.gating_by_severity[s]
    )
    results = summary.by_result
    parts = [f"{results['fail']} failing", f"{results['error']} errored"]
    if by_severity:
        parts[-1] += f" (gating: {by_severity})"
    parts += [f"{results['waived']} waived", f"{results['baselined']} baselined"]
    noun = "finding" if summary.total == 1 else "findings"
    line = f"{summary.total} {noun}: " + ", ".join(parts)
    if summary.fixed_baselined:
        line += f"; {summary.fixed_baselined} baselined fixed"
    statuses = ", ".join(
        f"{count} {status}" for status, count in summary.controls_by_status.items() if count
    )
    controls = f"Controls: {statuses}." if statuses else "Controls: none."
    return [line + ".", controls]


def format_report(report: Report, *, colour: bool = False) -> str:
    """The report as text grouped by control then check, ending with a summary line."""
    paint = _Painter(colour)
    titles = {info.id: info.title for info in report.checks}
    shown = [f for f in findings_in_report_order(report.findings)
             if f.result is not Result.BASELINED]
    control_ids = [c.id for c in report.controls]
    groups = _grouped(shown, control_ids)
    lines = [
        f"{report.tool_name} {report.tool_version}  inventory {_clean(report.inventory)}"
        f"  as of {rfc3339(report.as_of)}",
        "",
    ]
    for notice in report.notices:
        lines.append(f"note: {_clean(notice)}")
    if report.notices:
        lines.append("")
    for control in report.controls:
        lines.append(_control_head(control, paint))
        by_check = groups.get(control.id, {})
        if not by_check:
            lines.append(f"  {paint('no findings', _DIM)}")
        for check_id in sorted(by_check):
            lines.extend(_check_block(check_id, titles, by_check[check_id], paint))
        lines.append("")
    if "" in groups:
        lines.append(paint("Findings outside the controls catalogue", _BOLD))
        for check_id in sorted(groups[""]):
            lines.extend(_check_block(check_id, titles, groups[""][check_id], paint))
        lines.append("")
    lines.extend(_summary_lines(report))
    return "\n".join(lines) + "\n"
