"""Parsed values that remember where they were in the file.

Every parser (YAML, JSON, CSV) returns plain Python values in which each
mapping is a `LocatedDict`: a dict that also knows the location of the mapping
(its first key; a CSV row's first cell) and of each key. Loaders and
importers turn these into `Record`s without a second parse.
"""

from __future__ import annotations

from typing import Any

from govcheck.model import Location


class LocatedDict(dict[str, Any]):
    """A dict with the location of the mapping and of each of its keys."""

    __slots__ = ("key_locations", "location")

    def __init__(
        self,
        items: Any = (),
        *,
        location: Location,
        key_locations: dict[str, Location] | None = None,
    ) -> None:
        super().__init__(items)
        self.location = location
        self.key_locations: dict[str, Location] = key_locations or {}
