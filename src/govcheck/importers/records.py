"""The values that cross the importer seam: input files in, canonical records out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govcheck.model import Finding, Location


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One inventory file handed to an importer: path relative to the inventory root (POSIX)."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ImportedRecord:
    """One canonical record, with values as a YAML inventory file would hold them.

    `values` holds strings, lists and dicts (dates as ISO 8601 strings); the
    loader parses dates, validates the schema and resolves references.
    `location` points at the export's own file:line:col, `field_locations`
    at the key each canonical field was read from.
    """

    kind: str
    values: Mapping[str, Any]
    location: Location
    field_locations: Mapping[str, Location] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an importer made of its files.

    `consumed` lists the paths the importer read as part of the export, so
    the loader does not read them again as canonical files or report them as
    unknown.
    """

    records: tuple[ImportedRecord, ...]
    findings: tuple[Finding, ...]
    consumed: tuple[str, ...]
