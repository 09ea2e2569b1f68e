"""Parsed values that remember where they were in the file.

Every parser (YAML, JSON, CSV) returns plain Python values in which each
mapping is a `LocatedDict`: a dict that also knows the location of the mapping
(its first key; a CSV row's first cell) and of each key. Sequences are
`LocatedList`s that know where each item starts. Loaders and importers turn
these into `Record`s without a second parse.

Both also remember the literal source text of each numeric scalar they hold
(`number_texts`: `2.30` for the float 2.3, `0042` for the integer 42), so that
fields which are identifiers or versions can keep what was written.
"""

from __future__ import annotations

from typing import Any

from govcheck.model import Location


class LocatedDict(dict[str, Any]):
    """A dict with the location of the mapping and of each of its keys.

    `problems` holds defects the parser saw in this mapping but could not
    leave in the values (a repeated key, whose first value is kept; a CSV row
    with more cells than the header), each with where it is. They become
    part of the record's INVENTORY-SCHEMA finding. `number_texts` maps a key
    whose value is a number to the number's text in the file.
    """

    __slots__ = ("key_locations", "location", "number_texts", "problems")

    def __init__(
        self,
        items: Any = (),
        *,
        location: Location,
        key_locations: dict[str, Location] | None = None,
        problems: list[tuple[str, Location]] | None = None,
        number_texts: dict[str, str] | None = None,
    ) -> None:
        super().__init__(items)
        self.location = location
        self.key_locations: dict[str, Location] = key_locations or {}
        self.problems: list[tuple[str, Location]] = problems or []
        self.number_texts: dict[str, str] = number_texts or {}


class LocatedList(list[Any]):
    """A list with the location of the sequence and of each item.

    `number_texts` maps the index of an item that is a number to the number's
    text in the file.
    """

    __slots__ = ("item_locations", "location", "number_texts")

    def __init__(
        self,
        items: Any = (),
        *,
        location: Location,
        item_locations: list[Location] | None = None,
        number_texts: dict[int, str] | None = None,
    ) -> None:
        super().__init__(items)
        self.location = location
        self.item_locations: list[Location] = item_locations or []
        self.number_texts: dict[int, str] = number_texts or {}

    def location_of(self, index: int) -> Location:
        """Where item `index` starts (the sequence's own location when unknown)."""
        if 0 <= index < len(self.item_locations):
            return self.item_locations[index]
        return self.location
