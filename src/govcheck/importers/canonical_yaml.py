"""Imported records as canonical inventory YAML files (`people.yaml`, `systems.yaml`, ...).

Each record is preceded by a comment naming the export line it came from, so a
reviewer of the converted files can find the source. Output is deterministic:
records keep the importer's order (export path, then line), fields the
canonical order with the fields the model does not know after them, sorted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from govcheck.importers.records import ImportedRecord
from govcheck.kinds import KINDS

# Kind -> file name the loader reads as that kind.
FILE_NAMES = {
    "person": "people.yaml",
    "team": "teams.yaml",
    "vendor": "vendors.yaml",
    "system": "systems.yaml",
    "assignment": "assignments.yaml",
    "approval": "approvals.yaml",
    "exception": "exceptions.yaml",
    "review": "reviews.yaml",
    "training": "training.yaml",
    "contract": "contracts.yaml",
    "deployment": "deployments.yaml",
}


class _Dumper(yaml.SafeDumper):
    """Quotes number-like strings (`000199`, `1.0`), which YAML 1.2 readers take as numbers."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if _NUMBER_LIKE.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9_.:eE+-]*")
_Dumper.add_representer(str, _represent_str)


def _plain(value: Any) -> Any:
    """Located dicts and lists as plain ones, so the YAML dumper writes them as such."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def ordered_values(record: ImportedRecord) -> dict[str, Any]:
    """The record's values, canonical fields first in the model's order, then the rest."""
    spec = KINDS.get(record.kind)
    known = spec.fields if spec else ("id",)
    values = _plain(record.values)
    out = {field: values[field] for field in known if field in values}
    out.update({k: values[k] for k in sorted(values) if k not in out})
    return out


def render_record(record: ImportedRecord) -> str:
    """One record as a YAML list item with its source comment."""
    body = yaml.dump([ordered_values(record)], Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=100, default_flow_style=False)
    return f"# {record.location}\n{body}"


def render_inventory(records: Iterable[ImportedRecord], header: str) -> dict[str, str]:
    """File name -> YAML text for every kind that has records."""
    by_kind: dict[str, list[ImportedRecord]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    files: dict[str, str] = {}
    for kind in sorted(by_kind):
        name = FILE_NAMES.get(kind, f"{kind}.yaml")
        lines = [f"# {header}\n"] + [render_record(r) for r in by_kind[kind]]
        files[name] = "".join(lines)
    return files
