"""US Federal Agency AI Use Case Inventory CSV (OMB 2024 M-24-10 and 2025 M-25-21 formats)
-> systems (one per use case row) and vendors.

Headers are matched after folding case, whitespace, newlines and punctuation,
so `Use Case Identifier`, `use case identifier ` and `Use Case\\nIdentifier`
are one column; the source's `columns` option renames any other header to a
field. Status comes from the development stage, risk tier from the
high-impact (2025) or rights-/safety-impacting (2024) answer, sourcing from
the contractor answer, through the tables below (the `values` option is
merged over them). Every other non-blank column is kept on the system under
its snake_case header, so a blank answer stays absent rather than becoming
"No". The inventory names no owner, approver or backup: those gaps are the
normal checks' findings, located at the row.

A CSV is read as an inventory when its header names a use case id or name
beside another inventory column (or a header the `columns` option maps);
another CSV beside it is skipped with a note, and a source with no such CSV
is not a federal export at all: an InputError (exit 2). A recognised
inventory with no rows imports nothing, legitimately.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from govcheck import quality
from govcheck.errors import InputError
from govcheck.importers.checks import IMPORT_SKIPPED, FindingCollector
from govcheck.importers.options import SourceOptions, not_an_export
from govcheck.importers.parsing import (
    normalize_header,
    note_table,
    read_csv,
    resolve_columns,
)
from govcheck.importers.records import ImportedRecord, ImportResult, SourceFile
from govcheck.importers.values import canonical_date, map_value, slug
from govcheck.loaders.located import LocatedDict
from govcheck.model import Location

OPTION_KEYS = ("columns", "values", "encoding", "delimiter", "keep_columns")

# Column role -> header spellings seen in the 2023-2025 public inventories.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("Use Case Identifier", "Use Case ID", "Use Case Id", "Use Case Number", "ID"),
    "name": ("Use Case Name", "Use Case Title", "Title", "Name"),
    "agency": ("Agency", "Agency Name", "Department"),
    "bureaus": ("Bureau", "Bureau / Component", "Bureau/Component",
                "Bureau/Component/Division/Branch", "Bureau / Department"),
    "contact": ("Email Address", "Contact Email Address", "Contact Email"),
    "status": ("Development Stage", "Stage of Development",
               "Stage of System Development Life Cycle", "Development_Stage"),
    "risk_tier": ("High Impact Indicator", "Is the AI use case high-impact?",
                  "Is the AI use case rights-impacting, safety-impacting, both, or neither?",
                  "Rights-Impacting or Safety-Impacting"),
    "go_live": ("Operation Date", "Operational Date", "Date Implemented"),
    "retired_at": ("Date Retired",),
    "sourcing": ("Contractor Indicator", "Development Type",
                 "Was the AI system involved in this use case developed (or is it to be"
                 " developed) under contract(s) or in-house?"),
    "vendor": ("Vendor Name", "Vendor"),
    "intended_use": ("Problem Description",
                     "What is the intended purpose and expected benefits of the AI?",
                     "Summary of Use Case", "Description"),
}

# Value tables, keyed by the value with case, whitespace and a leading `a) ` folded.
STATUS_VALUES = {
    # 2025 (M-25-21)
    "pre-deployment": "development",
    "pilot": "validation",
    "deployed": "deployed",
    "retired": "retired",
    # 2024 (M-24-10)
    "initiated": "proposed",
    "acquisition and/or development": "development",
    "implementation and assessment": "validation",
    "operation and maintenance": "deployed",
    # 2023
    "planned (not in production)": "proposed",
    "in production": "deployed",
}
RISK_VALUES = {
    "high-impact": "high",
    "presumed high-impact, but determined not high-impact": "medium",
    "presumed high-impact but determined not high-impact": "medium",
    "not high-impact": "low",
    "rights-impacting": "high",
    "safety-impacting": "high",
    "both": "critical",
    "neither": "low",
}
SOURCING_VALUES = {
    "no contract/external resources used in development.": "internal",
    "developed in-house": "internal",
    "developed in-house.": "internal",
    "developed with a combination of in-house and contract/external resources.": "internal",
    "developed with both contracting and in-house resources.": "internal",
    "developed with both contracting and in-house resources": "internal",
    "exclusively developed with contract/external resources.": "vendor",
    "developed with contracting resources.": "vendor",
    "developed with contracting resources": "vendor",
    "purchased from a vendor": "vendor",
    "purchased from a vendor.": "vendor",
}
VALUE_TABLES = {"status": STATUS_VALUES, "risk_tier": RISK_VALUES, "sourcing": SOURCING_VALUES}
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")


def _sourcing_by_words(text: str) -> str | None:
    """Phrasings vary by agency; read the words when the table has no exact match."""
    words = text.casefold()
    if "no contract" in words or "in-house" in words or "in house" in words:
        return "internal"
    if "vendor" in words or "contract" in words or "external" in words:
        return "vendor"
    return None


def snake(header: str) -> str:
    """A header as an extra field name (`ATO Indicator` -> `ato_indicator`)."""
    return re.sub(r"[^0-9a-z]+", "_", header.casefold()).strip("_") or "column"


class _Importer:
    def __init__(self, source: Mapping[str, Any]) -> None:
        options = SourceOptions(source, OPTION_KEYS)
        self.renames = options.string_map("columns")
        self.values = options.value_maps("values")
        self.encoding = options.text("encoding", None)
        self.delimiter = options.text("delimiter", None)
        self.keep = options.flag("keep_columns", True)
        self.out = FindingCollector()
        self.vendors: dict[str, ImportedRecord] = {}
        self.inventories = 0
        self.unrecognised: list[tuple[str, tuple[str, ...]]] = []

    def recognises(self, header: Sequence[str], columns: Mapping[str, str]) -> bool:
        """Whether a CSV header is a use case inventory's: a header mapped by the `columns`
        option, or a use case id or name beside another inventory column (so an HR or
        canonical `people.csv`, with only id and name in common, is not one)."""
        renamed = {normalize_header(h) for h in self.renames}
        if any(normalize_header(h) in renamed for h in header):
            return True
        fields = set(columns.values())
        return bool(fields & {"id", "name"}) and bool(fields - {"id", "name"})

    def table(self, file: SourceFile) -> list[ImportedRecord]:
        table = read_csv(
            file.data, file.path, encoding=self.encoding, delimiter=self.delimiter,
            is_header=lambda cells: self.recognises(
                cells, resolve_columns(cells, self.renames, COLUMN_ALIASES)))
        if table.fallback:
            self.out.add_finding(quality.quality_finding(
                quality.ENCODING, f"file:{file.path}",
                f"{file.path} is not UTF-8; read as {table.encoding}", Location(file.path)))
        columns = resolve_columns(table.header, self.renames, COLUMN_ALIASES)
        if not self.recognises(table.header, columns):
            self.unrecognised.append((file.path, table.header))
            return []
        self.inventories += 1
        note_table(self.out, table)
        records = []
        for row in table.rows:
            record = self.row(row, columns, file.path)
            if record is not None:
                records.append(record)
        return records

    def row(self, row: LocatedDict, columns: Mapping[str, str],
            path: str) -> ImportedRecord | None:
        fields: dict[str, str] = {}
        extras: dict[str, str] = {}
        for header, cell in row.items():
            text = cell.strip()
            if not text:
                continue  # blank is "not answered", never "No"
            field = columns.get(header)
            if field is not None:
                fields.setdefault(field, text)
            elif self.keep:
                extras[snake(header)] = text
        uid = fields.get("id")
        if uid is None and fields.get("name"):
            uid = slug(fields["name"])
        if uid is None:
            self.out.add(IMPORT_SKIPPED, f"file:{path}",
                         f"row at line {row.location.line} has no use case id or name",
                         row.location)
            return None
        values: dict[str, Any] = {"id": uid}
        for field, text in fields.items():
            if field == "id":
                continue
            values[field] = self.convert(field, text)
        for key in [k for k, v in values.items() if v is None]:
            del values[key]
        if "vendor" in values:
            values["vendor"] = self.vendor(values["vendor"], row.location)
        for key, text in extras.items():
            values.setdefault(key, text)
        return ImportedRecord("system", values, row.location,
                              {k: row.location for k in values})

    def convert(self, field: str, text: str) -> Any:
        if field == "bureaus":
            return [part.strip() for part in text.split(",") if part.strip()]
        if field in ("go_live", "retired_at"):
            return canonical_date(text)
        if field in VALUE_TABLES:
            value = map_value(text, VALUE_TABLES[field], self.values.get(field, {}))
            if field == "sourcing" and value not in ("internal", "vendor", "open-source"):
                return _sourcing_by_words(text) or value
            return value
        if field in self.values:
            return map_value(text, {}, self.values[field])
        return text

    def vendor(self, name: str, where: Location) -> str:
        vendor_id = slug(name)
        if vendor_id not in self.vendors:
            self.vendors[vendor_id] = ImportedRecord(
                "vendor", {"id": vendor_id, "name": name}, where, {"name": where})
        return vendor_id


def _not_an_inventory(source: Mapping[str, Any], files: Sequence[SourceFile],
                      unrecognised: Sequence[tuple[str, tuple[str, ...]]]) -> InputError:
    """No CSV under the source is a use case inventory. One whose header is but that has no
    rows is a genuine (empty) inventory and imports nothing, exit 0."""
    if not unrecognised:
        reason = "it has no CSV file (.csv, .tsv or .txt)"
    else:
        path, header = unrecognised[0]
        reason = (f"no CSV header names a use case id or name beside another inventory column"
                  f" ({path} has {', '.join(header[:12])}); map the columns under `columns`")
    return not_an_export(source, [f.path for f in files],
                         "a federal AI use case inventory export", reason)


def import_files(source: Mapping[str, Any], files: Sequence[SourceFile]) -> ImportResult:
    """Import every CSV under the source path as federal AI use case inventory rows."""
    importer = _Importer(source)
    read = [f for f in files if f.path.casefold().endswith(CSV_EXTENSIONS)]
    systems: list[ImportedRecord] = []
    for file in read:
        systems.extend(importer.table(file))
    if not importer.inventories:
        raise _not_an_inventory(source, files, importer.unrecognised)
    # A CSV beside the inventory that is not one is noted, not imported.
    for path, header in importer.unrecognised:
        importer.out.add(IMPORT_SKIPPED, f"file:{path}",
                         f"{path} is not a use case inventory (headers:"
                         f" {', '.join(header[:12])}); map its columns under `columns`",
                         Location(path))
    records = (*systems, *importer.vendors.values())
    return ImportResult(records, importer.out.findings(), tuple(f.path for f in read))
