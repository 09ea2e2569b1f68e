"""Inventories given as data (policy tests' `inventory:` blocks) rather than files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcheck.errors import InputError
from govcheck.kinds import kind_for_stem
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.records import RawItem, literal_identifiers, located_item, normalise
from govcheck.model import Inventory, Location


def inventory_from_mapping(data: Mapping[str, Any], name: str = "<inline>") -> Inventory:
    """An Inventory from canonical records by kind stem, e.g. `{"people": [...]}`.

    Records go through the same normalisation as files (dates parsed, schema
    checked, duplicate ids reported). Each record is located at `name`, line
    = its 1-based position in its kind's list, unless the data carries its own
    locations (LocatedDicts from the policy file), which are then kept.
    """
    if not isinstance(data, Mapping):
        raise InputError("an inline inventory must be a mapping of kind to records",
                         Location(name, 1, 1))
    items: list[RawItem] = []
    for stem in sorted(data, key=str):
        kind = kind_for_stem(str(stem))
        where = data.location if isinstance(data, LocatedDict) else Location(name, 1, 1)
        if isinstance(data, LocatedDict):
            where = data.key_locations.get(str(stem), where)
        if kind is None:
            raise InputError(f"'{stem}' is not a kind of record (e.g. people, systems,"
                             " assignments)", where)
        entries = data[stem]
        if entries is None:
            continue
        if isinstance(entries, Mapping):
            entries = [entries]
        if not isinstance(entries, list | tuple):
            raise InputError(f"'{stem}' must be a list of records", where)
        for index, entry in enumerate(entries):
            where = Location(name, index + 1, 1)
            if isinstance(entries, LocatedList):
                where = entries.location_of(index)
            elif isinstance(entry, LocatedDict):
                where = entry.location
            values = literal_identifiers(kind, entry) if isinstance(entry, LocatedDict) else entry
            items.append(located_item(kind, values, where, raw=entry))
    result = normalise(items)
    return Inventory(root=name, records=result.records, findings=result.findings, inputs=())
