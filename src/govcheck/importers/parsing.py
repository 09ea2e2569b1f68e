"""Reading export files with positions: YAML and JSON through the loaders' parsers,
CSV here (with the physical line each record starts on, encoding fallback and
header folding that real exports need). Every mapping is a LocatedDict.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govcheck.errors import InputError
from govcheck.importers.checks import IMPORT_INCONSISTENT, IMPORT_SKIPPED, FindingCollector
from govcheck.importers.records import SourceFile
from govcheck.loaders.decoding import decode_text
from govcheck.loaders.json_reader import parse_json
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Location

MAX_DEPTH = 200
# How many leading records may be titles or notes above a CSV header.
HEADER_SEARCH = 10
LIMITS = Limits()


def parse_documents(file: SourceFile) -> list[tuple[Any, Location]]:
    """Every document of a YAML or JSON export file with where it starts (the loaders'
    bounded, position-keeping parsers; a `.json` file is one document)."""
    text = decode_text(file.data, file.path)
    if file.path.casefold().endswith(".json"):
        parsed = parse_json(text, file.path, LIMITS)
        return [] if parsed is None else [parsed]
    return parse_yaml(text, file.path, LIMITS)


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A CSV file read: its header (duplicates made unique), rows, and how it was decoded.

    Each row is a LocatedDict from header to cell, located at the physical line
    the record starts on (a quoted cell may hold newlines). `fallback` is True
    when the file was not UTF-8 and was read as cp1252 (or latin-1); `preamble`
    locates the rows above the header (a title row), which are not data.
    """

    path: str
    header: tuple[str, ...]
    rows: tuple[LocatedDict, ...]
    encoding: str
    fallback: bool
    preamble: tuple[Location, ...] = ()


def _decode_csv(data: bytes, path: str, encoding: str | None) -> tuple[str, str, bool]:
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding, False
        except (UnicodeDecodeError, LookupError) as error:
            raise InputError(f"cannot decode as {encoding}: {error}", Location(path)) from None
    try:
        return data.decode("utf-8-sig"), "utf-8", False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252", True
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 decodes every byte.
        return data.decode("latin-1"), "latin-1", True


def _header_record_text(text: str) -> str:
    """The header record: text up to the first newline outside quotes."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text


def _delimiter(text: str) -> str:
    rest = text
    # A title row above the header may hold no delimiter at all; then the next lines tell.
    for _ in range(HEADER_SEARCH):
        header = _header_record_text(rest)
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: (counts[d], d == ","))
        if counts[best]:
            return best
        rest = rest[len(header):].lstrip("\r\n")
        if not rest:
            break
    return ","


def read_csv(
    data: bytes, path: str, *, encoding: str | None = None, delimiter: str | None = None,
    is_header: Callable[[Sequence[str]], bool] | None = None,
) -> CsvTable:
    """Read a CSV export: encoding (UTF-8, else cp1252) and delimiter (`,` `;` tab) told
    from the data unless given; blank lines are skipped.

    The header is the first non-blank record, unless `is_header` picks a later one
    among the first few: real exports put a title row ("HHS AI Use Case Inventory
    2023") above it. The records above the header are in `preamble`.
    """
    text, used, fallback = _decode_csv(data, path, encoding)
    delim = delimiter or _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    records: list[tuple[int, list[str]]] = []
    previous_line = 0
    try:
        for cells in reader:
            start = previous_line + 1
            previous_line = reader.line_num
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", Location(path, previous_line + 1, 1)) from None
    if not records:
        raise InputError("CSV file has no header row", Location(path))
    first = 0
    if is_header is not None:
        first = next((i for i, (_, cells) in enumerate(records[:HEADER_SEARCH])
                      if is_header(tuple(cells))), 0)
    header = _unique(records[first][1])
    # Trailing empty header cells ("a,b,,") name no column; their blank cells are not extras.
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    rows: list[LocatedDict] = []
    for start, cells in records[first + 1:]:
        where = Location(path, start, 1)
        row = LocatedDict(location=where)
        for name, cell in zip(header, cells, strict=False):
            row[name] = cell
            row.key_locations[name] = where
        extra = [cell for cell in cells[named:] if cell.strip()]
        if len(cells) > len(header) or extra:
            row.problems.append(
                (f"has {len(cells)} cells but the header names {named} columns; the"
                 f" cells past them ({', '.join(repr(c) for c in extra[:5])}) are not read",
                 where))
        rows.append(row)
    preamble = tuple(Location(path, start, 1) for start, _ in records[:first])
    return CsvTable(path, header, tuple(rows), used, fallback, preamble)


def _unique(cells: list[str]) -> tuple[str, ...]:
    """Header names with repeats numbered (`If Other, please explain. (2)`)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for cell in cells:
        count = seen.get(cell, 0) + 1
        seen[cell] = count
        out.append(cell if count == 1 else f"{cell} ({count})")
    return tuple(out)


def normalize_header(name: str) -> str:
    """A header as compared with known names: case, whitespace, newlines and punctuation
    folded (`'  Use Case\\nName '` and `use_case_name` both read `use case name`)."""
    return " ".join(re.sub(r"[^0-9a-z#]+", " ", name.casefold()).split())


def tree_problems(value: Any, depth: int = 0) -> list[tuple[str, Location]]:
    """Every parser-noted problem (a repeated key) anywhere inside `value`."""
    found: list[tuple[str, Location]] = []
    if depth > MAX_DEPTH:
        return found
    if isinstance(value, LocatedDict):
        found.extend(value.problems)
        for item in value.values():
            found.extend(tree_problems(item, depth + 1))
    elif isinstance(value, list):
        for item in value:
            found.extend(tree_problems(item, depth + 1))
    return found


def resolve_columns(
    header: Sequence[str], renames: Mapping[str, str], aliases: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Header -> field: the source's `columns` renames first, then each field's known
    spellings in order; headers are compared after `normalize_header`."""
    by_norm = {normalize_header(h): h for h in header}
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for name, field in renames.items():
        actual = by_norm.get(normalize_header(name))
        if actual is not None:
            chosen[actual] = field
            taken.add(field)
    for field, spellings in aliases.items():
        if field in taken:
            continue
        for spelling in spellings:
            actual = by_norm.get(normalize_header(spelling))
            if actual is not None and actual not in chosen:
                chosen[actual] = field
                break
    return chosen


def note_table(out: FindingCollector, table: CsvTable) -> None:
    """Note what a CSV export holds beside its records: rows above the header (a title)
    and cells past the header's columns, each at its own line."""
    entity = f"file:{table.path}"
    for where in table.preamble:
        out.add(IMPORT_SKIPPED, entity,
                f"line {where.line} is above the header row (a title or note), not a record",
                where)
    for row in table.rows:
        for message, where in row.problems:
            out.add(IMPORT_INCONSISTENT, entity, f"row at line {where.line} {message}", where)
