"""`govcheck diff OLD.json NEW.json`: which findings are new, fixed or unchanged."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import click

from govcheck.baseline import ReportedFinding, load_report_findings
from govcheck.cli.common import EXIT_FINDINGS, EXIT_OK, reports_errors

# Results that can fail a build; a new finding with one of these makes `diff` exit 1.
_GATING = frozenset({"fail", "error"})


@dataclass(frozen=True, slots=True)
class ReportDiff:
    """Findings of two reports compared by fingerprint."""

    new: tuple[ReportedFinding, ...]
    fixed: tuple[ReportedFinding, ...]
    unchanged: tuple[ReportedFinding, ...]


def _order(finding: ReportedFinding) -> tuple[str, int, str, str, int]:
    loc = finding.location
    return (loc.path, loc.line, finding.check, finding.entity, loc.column)


def diff_findings(old: Sequence[ReportedFinding], new: Sequence[ReportedFinding]) -> ReportDiff:
    """New (only in `new`), fixed (only in `old`) and unchanged (both; as `new` has it)."""
    old_prints = {f.fingerprint for f in old}
    new_prints = {f.fingerprint for f in new}
    return ReportDiff(
        new=tuple(sorted((f for f in new if f.fingerprint not in old_prints), key=_order)),
        fixed=tuple(sorted((f for f in old if f.fingerprint not in new_prints), key=_order)),
        unchanged=tuple(sorted((f for f in new if f.fingerprint in old_prints), key=_order)),
    )


def _line(finding: ReportedFinding) -> str:
    marker = "" if finding.result in ("fail", "") else f" [{finding.result}]"
    return (f"  {finding.location}  {finding.severity.upper():<8}  {finding.check}  "
            f"{finding.entity}  {finding.message}{marker}")


def format_diff_text(diff: ReportDiff) -> str:
    """The diff for people: new and fixed findings listed, unchanged counted."""
    lines = [f"New ({len(diff.new)}):", *map(_line, diff.new),
             f"Fixed ({len(diff.fixed)}):", *map(_line, diff.fixed),
             f"Unchanged: {len(diff.unchanged)}"]
    return "\n".join(lines) + "\n"


def _as_data(finding: ReportedFinding) -> dict[str, object]:
    loc = finding.location
    return {
        "check": finding.check,
        "entity": finding.entity,
        "fingerprint": finding.fingerprint,
        "location": {"path": loc.path, "line": loc.line, "column": loc.column},
        "message": finding.message,
        "result": finding.result,
        "severity": finding.severity,
    }


def format_diff_json(diff: ReportDiff) -> str:
    """The diff as JSON: `summary` counts and the `new`, `fixed`, `unchanged` findings."""
    data = {
        "summary": {"new": len(diff.new), "fixed": len(diff.fixed),
                    "unchanged": len(diff.unchanged)},
        "new": [_as_data(f) for f in diff.new],
        "fixed": [_as_data(f) for f in diff.fixed],
        "unchanged": [_as_data(f) for f in diff.unchanged],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@reports_errors
def diff(old: str, new: str, fmt: str) -> None:
    """Compare two JSON reports by fingerprint: new, fixed and unchanged findings.

    Exits 1 when NEW has a failing or errored finding that OLD does not have.
    """
    result = diff_findings(load_report_findings(old), load_report_findings(new))
    text = format_diff_json(result) if fmt == "json" else format_diff_text(result)
    click.echo(text, nl=False)
    sys.exit(EXIT_FINDINGS if any(f.result in _GATING for f in result.new) else EXIT_OK)
