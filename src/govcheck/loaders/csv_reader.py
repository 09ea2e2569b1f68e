"""CSV with a header row, physical line numbers, and an encoding fallback that is reported.

The delimiter is told from the header line alone (`,`, `;` or tab, whichever
occurs most outside quotes); rows are located at the physical line they start
on, so a quoted cell spanning lines moves the next row's line on correctly.
Cells are returned exactly as written; what they mean (empty = absent, list
cells) is the loader's to decide, with the manifest's options.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from govcheck.errors import InputError
from govcheck.loaders.decoding import decode_text
from govcheck.loaders.located import LocatedDict
from govcheck.loaders.validation import show
from govcheck.model import Location

DELIMITERS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True, slots=True)
class CsvTable:
    """The rows of a CSV file (header -> cell, located) and how it was decoded."""

    rows: tuple[LocatedDict, ...]
    encoding: str
    fell_back: bool


def sniff_delimiter(header: str) -> str:
    """The delimiter occurring most often outside quotes in the header line (`,` on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def _decode(data: bytes, path: str, encoding: str | None) -> tuple[str, str, bool]:
    if encoding is not None:
        return decode_text(data, path, encoding), encoding, False
    try:
        return decode_text(data, path), "utf-8", False
    except InputError as not_utf8:
        try:
            return decode_text(data, path, FALLBACK_ENCODING), FALLBACK_ENCODING, True
        except InputError:
            raise InputError(
                "not text: neither UTF-8 nor cp1252 can decode it (binary data?)",
                not_utf8.location,
            ) from None


def parse_csv(
    data: bytes, path: str, *, delimiter: str | None = None, encoding: str | None = None
) -> CsvTable:
    """Rows of a CSV file keyed by header cell, each a LocatedDict at `path:line:1`.

    Raises InputError at the row's line when the quoting is broken or a cell
    is larger than the csv module allows.
    """
    text, used, fell_back = _decode(data, path, encoding)
    header_line = text.splitlines()[0] if text else ""
    chosen = delimiter or sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=True)
    rows: list[LocatedDict] = []
    header: list[str] | None = None
    # Whether every header cell names a column, each once: rows then need no cell-by-cell look.
    clean_header = False
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = [cell.strip() for cell in cells]
                clean_header = all(header) and len(set(header)) == len(header)
                continue
            # No cell holds more than whitespace (one C-speed join instead of a strip per cell).
            if not "".join(cells).strip():
                continue
            at = Location(path, line, 1)
            if clean_header and len(cells) <= len(header):
                rows.append(_plain_row(cells, header, at))
            else:
                rows.append(_row(cells, header, at))
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc} (in the row starting here)",
                         Location(path, start, 1)) from None
    return CsvTable(tuple(rows), used, fell_back)


def _plain_row(cells: list[str], header: list[str], at: Location) -> LocatedDict:
    """What `_row` gives for a row no wider than a header of distinct, non-empty names."""
    row = LocatedDict(zip(header, cells, strict=False), location=at)
    row.key_locations = dict.fromkeys(row, at)
    return row


def _row(cells: list[str], header: list[str], at: Location) -> LocatedDict:
    row = LocatedDict(location=at)
    beyond: list[str] = []
    for index, cell in enumerate(cells):
        name = header[index] if index < len(header) else ""
        if not name:
            if cell.strip() and index >= len(header):
                beyond.append(cell.strip())
            elif cell.strip():
                row.problems.append((f"cell {index + 1} has no column in the header; its"
                                     f" value {show(cell.strip())} is not read", at))
            continue
        if name in row:
            if cell.strip():
                row.problems.append((f"column {show(name)} appears more than once in the"
                                     " header; the first is read", at))
            continue
        row[name] = cell
        row.key_locations[name] = at
    if beyond:
        values = ", ".join(show(value) for value in beyond)
        row.problems.append((f"the row has {len(cells)} cells but the header has"
                             f" {len(header)}; the {'value' if len(beyond) == 1 else 'values'}"
                             f" {values} beyond the header {'is' if len(beyond) == 1 else 'are'}"
                             " not read", at))
    return row
