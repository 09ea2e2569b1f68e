"""HR export CSV (Workday, BambooHR and similar) -> people.

Known headers (Employee ID, Worker, Work Email, Manager ID, Employment Status,
Termination Date and their usual variants) map to person fields without
configuration; the source's `columns` option maps any other header (or
overrides a known one), `values` maps field values (status `On Leave` ->
`leave`). Only mapped columns are imported: HR exports carry salaries and
national ids that have no place in a governance inventory. All-zero dates
(`0000-00-00`, BambooHR's "none") are absent. A source in which no CSV has an
employee id column (or that has no CSV) is not an HR export: an InputError
(exit 2); a CSV without one beside a real export is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from govcheck import quality
from govcheck.errors import InputError
from govcheck.importers.checks import IMPORT_SKIPPED, FindingCollector
from govcheck.importers.options import SourceOptions, not_an_export
from govcheck.importers.parsing import note_table, read_csv, resolve_columns
from govcheck.importers.records import ImportedRecord, ImportResult, SourceFile
from govcheck.importers.values import canonical_date, map_value
from govcheck.kinds import KINDS
from govcheck.loaders.located import LocatedDict
from govcheck.model import Location

OPTION_KEYS = ("columns", "values", "encoding", "delimiter", "list_separator")

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("Employee ID", "Employee Id", "Employee #", "Employee Number", "Worker ID",
           "EID", "Employee_ID", "ID"),
    "name": ("Worker", "Name", "Full Name", "Employee Name", "Legal Name", "Preferred Name",
             "Display Name"),
    "first_name": ("First Name", "Legal First Name", "Preferred First Name"),
    "last_name": ("Last Name", "Legal Last Name"),
    "email": ("Work Email", "Email - Work", "Primary Work Email", "Email", "Email Address",
              "Work Email Address"),
    "manager": ("Manager ID", "Manager Employee ID", "Supervisor ID", "Supervisor EID",
                "Reports To ID", "Manager #", "Manager Employee #"),
    # BambooHR's "Supervisor Email" and similar name the manager by email, not by id.
    "manager_email": ("Supervisor Email", "Supervisor Work Email", "Manager Email",
                      "Manager Work Email", "Reports To Email"),
    "status": ("Employment Status", "Worker Status", "Employee Status", "Status"),
    "end_date": ("Termination Date", "Term Date", "End Date", "Last Day of Work"),
}
STATUS_VALUES = {
    "active": "active",
    "employed": "active",
    "on leave": "leave",
    "leave": "leave",
    "leave of absence": "leave",
    "loa": "leave",
    "paid leave": "leave",
    "unpaid leave": "leave",
    "terminated": "terminated",
    "inactive": "terminated",
    "former": "terminated",
    "separated": "terminated",
}
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")


class _Importer:
    def __init__(self, source: Mapping[str, Any]) -> None:
        options = SourceOptions(source, OPTION_KEYS)
        self.renames = options.string_map("columns")
        self.values = options.value_maps("values")
        self.encoding = options.text("encoding", None)
        self.delimiter = options.text("delimiter", None)
        self.separator = options.text("list_separator", ";") or ";"
        self.out = FindingCollector()
        self.exports = 0
        self.without_id: list[tuple[str, tuple[str, ...]]] = []

    def table(self, file: SourceFile) -> list[ImportedRecord]:
        table = read_csv(
            file.data, file.path, encoding=self.encoding, delimiter=self.delimiter,
            is_header=lambda cells: "id" in resolve_columns(
                cells, self.renames, COLUMN_ALIASES).values())
        if table.fallback:
            self.out.add_finding(quality.quality_finding(
                quality.ENCODING, f"file:{file.path}",
                f"{file.path} is not UTF-8; read as {table.encoding}", Location(file.path)))
        columns = resolve_columns(table.header, self.renames, COLUMN_ALIASES)
        if "id" not in columns.values():
            self.without_id.append((file.path, table.header))
            self.out.add(IMPORT_SKIPPED, f"file:{file.path}",
                         f"{file.path} has no employee id column (headers:"
                         f" {', '.join(table.header)}); map one under the source's `columns`",
                         Location(file.path))
            return []
        self.exports += 1
        note_table(self.out, table)
        return [r for r in (self.row(row, columns, file.path) for row in table.rows) if r]

    def row(self, row: LocatedDict, columns: Mapping[str, str],
            path: str) -> ImportedRecord | None:
        cells: dict[str, str] = {}
        for header, cell in row.items():
            field = columns.get(header)
            if field is not None and cell.strip():
                cells.setdefault(field, " ".join(cell.split()))
        if "id" not in cells:
            self.out.add(IMPORT_SKIPPED, f"file:{path}",
                         f"row at line {row.location.line} has no employee id", row.location)
            return None
        first, last = cells.pop("first_name", ""), cells.pop("last_name", "")
        if "name" not in cells and (first or last):
            cells["name"] = f"{first} {last}".strip()
        values: dict[str, Any] = {}
        for field, text in cells.items():
            value = self.convert(field, text)
            if value is not None:
                values[field] = value
        email = values.pop("manager_email", None)
        if "manager" not in values and isinstance(email, str):
            values["manager"] = email
        values = {"id": values.pop("id"), **values}
        return ImportedRecord("person", values, row.location, {k: row.location for k in values})

    def convert(self, field: str, text: str) -> Any:
        if field == "end_date":
            return canonical_date(text)
        if field == "status":
            return map_value(text, STATUS_VALUES, self.values.get("status", {}))
        if field in self.values:
            text = map_value(text, {}, self.values[field])
        if field in KINDS["person"].list_fields:
            return [part.strip() for part in text.split(self.separator) if part.strip()]
        return text


def _not_an_hr_export(source: Mapping[str, Any], files: Sequence[SourceFile],
                      without_id: Sequence[tuple[str, tuple[str, ...]]]) -> InputError:
    """No CSV under the source has an employee id column. One that has, but no rows, is a
    genuine (empty) report and imports nothing, exit 0."""
    if not without_id:
        reason = "it has no CSV file (.csv, .tsv or .txt)"
    else:
        path, header = without_id[0]
        reason = (f"no CSV file has an employee id column ({path} has"
                  f" {', '.join(header[:12])}); map one under the source's `columns`")
    return not_an_export(source, [f.path for f in files], "an HR export", reason)


def import_files(source: Mapping[str, Any], files: Sequence[SourceFile]) -> ImportResult:
    """Import every CSV under the source path as HR worker rows (one person each)."""
    importer = _Importer(source)
    read = [f for f in files if f.path.casefold().endswith(CSV_EXTENSIONS)]
    records: list[ImportedRecord] = []
    for file in read:
        records.extend(importer.table(file))
    if not importer.exports:
        raise _not_an_hr_export(source, files, importer.without_id)
    records = _managers_by_email(records)
    return ImportResult(tuple(records), importer.out.findings(), tuple(f.path for f in read))


def _managers_by_email(records: list[ImportedRecord]) -> list[ImportedRecord]:
    """A manager named by email becomes that worker's id when the export holds exactly one
    worker with that email; otherwise the email stays, and the loader reports it as a
    dangling reference at the row."""
    ids: dict[str, list[str]] = {}
    for record in records:
        email = record.values.get("email")
        if isinstance(email, str):
            ids.setdefault(email.casefold(), []).append(str(record.values["id"]))
    out: list[ImportedRecord] = []
    for record in records:
        manager = record.values.get("manager")
        found = ids.get(manager.casefold(), []) if isinstance(manager, str) else []
        if isinstance(manager, str) and "@" in manager and len(found) == 1:
            values = dict(record.values)
            values["manager"] = found[0]
            record = replace(record, values=values)
        out.append(record)
    return out
