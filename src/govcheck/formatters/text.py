"""The text report for people (`--format text`, the default).

Findings are grouped by control, then by check; each finding is one line
`path:line:col  SEVERITY  entity  message`, so editors and terminals can jump
to it. A finding is listed in full under the controls its check names (its
primary controls); under a related control that the catalogue says the check
covers, one line refers to them: `covered by CHECK: 1 failing (see
ISO42001:A.9.2)`. So a not-satisfied control never reads "no findings".
Baselined findings are only counted (the baseline accepted them, but they
still leave their controls not-satisfied); waived ones are listed with their
marker. Colour is used only when asked for (the CLI asks when stdout is a
terminal).

Inventory text can hold characters that a terminal does not show as
themselves: C0/C1 control characters (ANSI escapes, newlines), Unicode format
characters (bidirectional overrides and isolates U+202A-U+202E,
U+2066-U+2069, marks U+200E/U+200F, zero-width characters) and line or
paragraph separators. `visible` writes each as a `\\u202e`-style escape, so a
record cannot reorder or hide text in a CI log (Trojan Source).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from govcheck.formatters.json_format import findings_in_report_order, report_summary, rfc3339
from govcheck.model import ControlResult, ControlStatus, Finding, Report, Result

__all__ = [
    "OUTSIDE",
    "OUTSIDE_TITLE",
    "CheckEntry",
    "check_entries",
    "describe_results",
    "format_report",
    "visible",
]

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
# Control (Cc: C0, DEL, C1), format (Cf: bidi, zero-width), line and paragraph separators,
# and lone surrogates (which cannot even be encoded): none shows as itself on a terminal.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# The key of findings whose controls are all outside the report's controls.
OUTSIDE = ""
OUTSIDE_TITLE = "Findings outside the controls catalogue"
_RESULT_WORDS = (
    (Result.FAIL, "failing"),
    (Result.ERROR, "errored"),
    (Result.WAIVED, "waived"),
    (Result.BASELINED, "baselined"),
)


def visible(text: str) -> str:
    """`text` with every character a terminal would not show as itself written as `\\u202e`.

    Control, format (bidirectional and zero-width), line/paragraph separator
    and surrogate characters become `\\uXXXX` (`\\UXXXXXXXX` above U+FFFF);
    everything else, other scripts and emoji included, is kept.
    """
    if text.isprintable():
        return text
    return "".join(
        (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES else ch
        for ch in text
    )


@dataclass(frozen=True, slots=True)
class CheckEntry:
    """One check's findings as one control shows them.

    `listed` are shown in full (the control is one of the findings' own
    controls) and `baselined` of them are only counted. When `see` is not
    None, the findings are listed under the control `see` names (OUTSIDE: the
    section of findings outside the catalogue) and this control only refers
    to them, with `counts` by result.
    """

    check: str
    listed: tuple[Finding, ...] = ()
    baselined: int = 0
    see: str | None = None
    counts: tuple[tuple[Result, int], ...] = ()


def describe_results(counts: Iterable[tuple[Result, int]]) -> str:
    """`1 failing, 2 baselined`: the non-zero counts in fail, error, waived, baselined order."""
    by_result = dict(counts)
    return ", ".join(f"{by_result[r]} {word}" for r, word in _RESULT_WORDS if by_result.get(r))


def _home(finding: Finding, known: Sequence[str]) -> str:
    """Where a finding is listed in full: its first own control the report has, else OUTSIDE."""
    return next((c for c in finding.controls if c in known), OUTSIDE)


def check_entries(report: Report) -> dict[str, tuple[CheckEntry, ...]]:
    """For each control of the report (and OUTSIDE), its checks' entries in check-id order.

    A control's checks are its covering checks (`ControlResult.checks`) and
    the checks of findings that name it. Checks without findings are left out.
    """
    known = [c.id for c in report.controls]
    by_check: dict[str, list[Finding]] = {}
    for finding in findings_in_report_order(report.findings):
        by_check.setdefault(finding.check, []).append(finding)
    entries: dict[str, tuple[CheckEntry, ...]] = {}
    for control in report.controls:
        named = {check for check, found in by_check.items()
                 if any(control.id in f.controls for f in found)}
        made: list[CheckEntry] = []
        for check in sorted(named.union(control.checks)):
            made.extend(_entries_of(control.id, by_check.get(check, []), known))
        entries[control.id] = tuple(made)
    outside = sorted(check for check, found in by_check.items()
                     if any(_home(f, known) == OUTSIDE for f in found))
    entries[OUTSIDE] = tuple(
        entry for check in outside
        for entry in _entries_of(OUTSIDE, by_check[check], known) if entry.see is None
    )
    return entries


def _entries_of(control_id: str, findings: Sequence[Finding],
                known: Sequence[str]) -> list[CheckEntry]:
    """The entries of one check's findings under one control: its own, then references."""
    if not findings:
        return []
    check = findings[0].check
    here: list[Finding] = []
    elsewhere: dict[str, list[Finding]] = {}
    for finding in findings:
        home = _home(finding, known)
        if control_id in finding.controls or (control_id == OUTSIDE and home == OUTSIDE):
            here.append(finding)
        else:
            elsewhere.setdefault(home, []).append(finding)
    made: list[CheckEntry] = []
    if here:
        listed = tuple(f for f in here if f.result is not Result.BASELINED)
        made.append(CheckEntry(check, listed, len(here) - len(listed)))
    for see in sorted(elsewhere, key=lambda c: (c == OUTSIDE, known.index(c) if c else 0)):
        counted = [f.result for f in elsewhere[see]]
        counts = tuple((r, counted.count(r)) for r, _ in _RESULT_WORDS if r in counted)
        made.append(CheckEntry(check, see=see, counts=counts))
    return made


class _Painter:
    """Applies ANSI styles when colour is on, and is the identity otherwise."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.colour and style else text


def _finding_line(finding: Finding, paint: _Painter) -> str:
    severity = finding.severity.value.upper()
    padded = severity.ljust(_SEVERITY_WIDTH)
    styled = paint(severity, _SEVERITY_STYLE[finding.severity.value]) + padded[len(severity):]
    marker = "" if finding.result is Result.FAIL else f" [{finding.result.value}]"
    line = (
        f"    {visible(str(finding.location))}  {styled}  {visible(finding.entity)}  "
        f"{visible(finding.message)}{paint(marker, _DIM)}"
    )
    return line.rstrip()


def _entry_lines(entry: CheckEntry, titles: Mapping[str, str], paint: _Painter) -> list[str]:
    check = visible(entry.check)
    if entry.see is not None:
        where = visible(entry.see) if entry.see != OUTSIDE else OUTSIDE_TITLE
        return [f"  covered by {paint(check, _BOLD)}: {describe_results(entry.counts)}"
                f" (see {where})"]
    title = titles.get(entry.check, "")
    lines = [f"  {paint(check, _BOLD)}" + (f"  {visible(title)}" if title else "")]
    lines.extend(_finding_line(f, paint) for f in entry.listed)
    if entry.baselined:
        lines.append(f"    {paint(f'{entry.baselined} baselined, not listed', _DIM)}"
                     " (accepted by the baseline; see the JSON report)")
    return lines


def _control_head(control: ControlResult, paint: _Painter) -> str:
    status = paint(f"[{control.status.value}]", _STATUS_STYLE[control.status])
    return f"{paint(visible(control.id), _BOLD)}  {visible(control.title)}  {status}"


def _unexplained(control: ControlResult, paint: _Painter) -> str:
    """The line of a control with no findings in the report to show."""
    if control.status is not ControlStatus.NOT_SATISFIED:
        return f"  {paint('no findings', _DIM)}"
    # The report's findings do not explain the status (a hand-made or filtered report):
    # say what the control result itself records rather than contradict it.
    entities = [*control.failing_entities, *control.baselined_entities]
    listing = ", ".join(visible(e) for e in entities) or "not in this report"
    return (f"  {control.failed} failing, {control.errored} errored check(s),"
            f" {control.baselined} baselined finding(s); entities: {listing}")


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
    entries = check_entries(report)
    lines = [
        f"{visible(report.tool_name)} {visible(report.tool_version)}"
        f"  inventory {visible(report.inventory)}  as of {rfc3339(report.as_of)}",
        "",
    ]
    for notice in report.notices:
        lines.append(f"note: {visible(notice)}")
    if report.notices:
        lines.append("")
    for control in report.controls:
        lines.append(_control_head(control, paint))
        body = [line for entry in entries[control.id]
                for line in _entry_lines(entry, titles, paint)]
        lines.extend(body or [_unexplained(control, paint)])
        lines.append("")
    if entries[OUTSIDE]:
        lines.append(paint(OUTSIDE_TITLE, _BOLD))
        for entry in entries[OUTSIDE]:
            lines.extend(_entry_lines(entry, titles, paint))
        lines.append("")
    lines.extend(_summary_lines(report))
    return "\n".join(lines) + "\n"
