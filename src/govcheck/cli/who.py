"""`govcheck who`: the assignment registry — who owns each lifecycle phase of each system.

Text and markdown show hidden characters of inventory text (controls, bidi
overrides, zero-width characters) as `\u202e`-style escapes, like the check
report. CSV cells that a spreadsheet would read as a formula (starting with
`=`, `+`, `-`, `@`, a tab or a carriage return, or their full-width forms) get
a leading `'`, the OWASP CSV-injection defence: spreadsheets show the value as
text and never evaluate it. JSON is written as is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import click

from govcheck.cli.common import parse_as_of, reports_errors, write_output
from govcheck.errors import UsageError
from govcheck.formatters.text import visible
from govcheck.model import RegistryEntry

FORMATS = ("text", "csv", "json", "markdown")
COLUMNS = ("system", "system_name", "phase", "state", "owners", "owner_names",
           "other_assignees", "backups", "backup_names", "authorities", "assignments",
           "assigned_at", "accepted_at", "reviewed_at", "location")
_TEXT_HEADER = ("SYSTEM", "PHASE", "STATE", "OWNER", "BACKUP", "AUTHORITIES", "ASSIGNED",
                "ACCEPTED", "REVIEWED")


def _people(ids: Sequence[str], names: Sequence[str]) -> str:
    return ", ".join(
        ident if name == ident else f"{name} ({ident})"
        for ident, name in zip(ids, names, strict=False)
    )


def _owner_cell(entry: RegistryEntry) -> str:
    owner = _people(entry.owners, entry.owner_names) or "-"
    if entry.other_assignees:
        # A team or vendor holding the phase is shown, but it is not an owner.
        owner += f" (held by {', '.join(entry.other_assignees)})"
    return owner


def _row(entry: RegistryEntry) -> tuple[str, ...]:
    return (
        entry.system,
        entry.phase,
        entry.state,
        _owner_cell(entry),
        _people(entry.backups, entry.backup_names) or "-",
        ", ".join(entry.authorities) or "-",
        entry.assigned_at or "-",
        entry.accepted_at or "-",
        entry.reviewed_at or "-",
    )


def format_text(entries: Sequence[RegistryEntry]) -> str:
    """An aligned table, one line per system x phase."""
    rows = [_TEXT_HEADER, *(tuple(visible(cell) for cell in _row(e)) for e in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_TEXT_HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    gaps = sum(1 for e in entries if e.state == "gap")
    systems = len({e.system for e in entries})
    lines.append("")
    lines.append(f"{len(entries)} phase(s) of {systems} system(s); {gaps} gap(s)")
    return "\n".join(lines) + "\n"


def _record(entry: RegistryEntry) -> dict[str, object]:
    return {
        "system": entry.system,
        "system_name": entry.system_name,
        "phase": entry.phase,
        "state": entry.state,
        "owners": list(entry.owners),
        "owner_names": list(entry.owner_names),
        "other_assignees": list(entry.other_assignees),
        "backups": list(entry.backups),
        "backup_names": list(entry.backup_names),
        "authorities": list(entry.authorities),
        "assignments": list(entry.assignments),
        "assigned_at": entry.assigned_at or None,
        "accepted_at": entry.accepted_at or None,
        "reviewed_at": entry.reviewed_at or None,
        "location": str(entry.location) if entry.location else None,
    }


def format_json(entries: Sequence[RegistryEntry]) -> str:
    """A JSON list of entries (lists as arrays, absent dates as null)."""
    return json.dumps([_record(e) for e in entries], indent=2, ensure_ascii=False) + "\n"


# What makes a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a formula
# (OWASP "CSV Injection"); full-width forms too, which some locales treat alike.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: str) -> str:
    """A cell that a spreadsheet shows as text: a leading `'` before a formula trigger."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def format_csv(entries: Sequence[RegistryEntry]) -> str:
    """CSV with a header; list cells are `;`-separated like the inventory's own CSVs.

    Cells that would start a spreadsheet formula are neutralised (`csv_cell`).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        record = _record(entry)
        writer.writerow(
            csv_cell(";".join(str(v) for v in value) if isinstance(value, list)
                     else "" if value is None else str(value))
            for value in (record[c] for c in COLUMNS)
        )
    return buffer.getvalue()


def _md(text: str) -> str:
    # Pipes would split the cell; angle brackets would become markup in a rendered comment;
    # hidden characters (a newline would end the row) become visible escapes.
    return visible(text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
                   .replace(">", "&gt;"))


def format_markdown(entries: Sequence[RegistryEntry]) -> str:
    """A Markdown table, one row per system x phase."""
    header = ("System", "Phase", "State", "Owner", "Backup", "Authorities", "Assigned",
              "Accepted", "Reviewed")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for entry in entries:
        cells = list(_row(entry))
        if entry.system_name != entry.system:
            cells[0] = f"{entry.system_name} ({entry.system})"
        if entry.state == "gap":
            cells[2] = "**gap**"
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


_FORMATTERS = {"text": format_text, "csv": format_csv, "json": format_json,
               "markdown": format_markdown}


def select_system(entries: Sequence[RegistryEntry], system: str) -> tuple[RegistryEntry, ...]:
    """The entries of one system (`s-1` or `system:s-1`); an unknown id is a usage error."""
    wanted = system.removeprefix("system:")
    chosen = tuple(e for e in entries if e.system == wanted)
    if not chosen:
        known = sorted({e.system for e in entries})
        listing = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise UsageError(f"no system '{wanted}' in the inventory; systems: {listing or 'none'}")
    return chosen


@click.command()
@click.argument("inventory", type=click.Path())
@click.argument("system", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--as-of", "as_of", metavar="T",
              help="Evaluation time for the states, RFC 3339 (default: now, UTC).")
@reports_errors
def who(inventory: str, system: str | None, fmt: str, output: str | None,
        as_of: str | None) -> None:
    """Who owns each lifecycle phase of each system in INVENTORY (or of SYSTEM only).

    A phase is a gap when it has no person owner or a check fails on it or on
    one of its assignments (the built-in checks run as of --as-of).
    """
    from govcheck.engine import CheckOptions, run_check

    # The report's registry is built with the inventory's settings (each phase's
    # `phase_authority` included) and its findings give the gap states.
    report = run_check(CheckOptions(inventory=inventory, as_of=parse_as_of(as_of)))
    entries = report.registry
    if system is not None:
        entries = select_system(entries, system)
    write_output(_FORMATTERS[fmt](entries), output)
