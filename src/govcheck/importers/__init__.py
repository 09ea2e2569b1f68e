"""Importers: turn real exports (Backstage, OSCAL SSP, federal AI inventory CSV, HR CSV)
into canonical records that keep the export's own file:line.

The loaders call `run_importer` for each entry of the manifest's `sources:`
list with the inventory files under that entry's `path`. Each format is one
module here with a `import_files(options, files) -> ImportResult` function;
`FORMAT_MODULES` finds them, so a new format is one module and one line.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from govcheck.errors import InputError
from govcheck.importers.checks import (
    IMPORT_CHECKS,
    IMPORT_INCONSISTENT,
    IMPORT_SKIPPED,
    IMPORT_UNRESOLVED_REF,
)
from govcheck.importers.options import source_location
from govcheck.importers.records import ImportedRecord, ImportResult, SourceFile

__all__ = [
    "FORMAT_MODULES",
    "IMPORT_CHECKS",
    "IMPORT_INCONSISTENT",
    "IMPORT_SKIPPED",
    "IMPORT_UNRESOLVED_REF",
    "ImportResult",
    "ImportedRecord",
    "SourceFile",
    "run_importer",
]

# Source `format:` value -> module under govcheck.importers (imported on first use).
FORMAT_MODULES: dict[str, str] = {
    "backstage": "backstage",
    "oscal-ssp": "oscal",
    "federal-csv": "federal_csv",
    "hr-csv": "hr_csv",
}


def run_importer(source: Mapping[str, Any], files: Sequence[SourceFile]) -> ImportResult:
    """Import `files` (the inventory files under the source's `path`) as `source` says.

    `source` is one entry of the manifest's `sources:` list: `format` picks the
    importer, the other keys are that format's options. A source that names no
    known format, or has an option the format does not know, is an InputError
    located at the manifest entry.
    """
    fmt = source.get("format")
    if not isinstance(fmt, str) or fmt not in FORMAT_MODULES:
        known = ", ".join(sorted(FORMAT_MODULES))
        raise InputError(
            f"source format {fmt!r} is not one govcheck can import; expected one of {known}",
            source_location(source, "format"),
        )
    module = importlib.import_module(f"govcheck.importers.{FORMAT_MODULES[fmt]}")
    ordered = sorted(files, key=lambda f: f.path)
    result: ImportResult = module.import_files(source, ordered)
    return result
