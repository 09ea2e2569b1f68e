"""Reading a `sources:` entry's options: known keys only, typed, errors located at the key."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from govcheck.errors import InputError
from govcheck.model import Location

# Every source has these; each format adds its own option keys.
COMMON_KEYS = frozenset({"format", "path"})

MANIFEST = "govcheck.yaml"


def source_location(source: Mapping[str, Any], key: str | None = None) -> Location:
    """Where a manifest entry (or one of its keys) is, when the loader kept positions."""
    key_locations = getattr(source, "key_locations", None)
    if key is not None and isinstance(key_locations, dict) and key in key_locations:
        found: Location = key_locations[key]
        return found
    location = getattr(source, "location", None)
    return location if isinstance(location, Location) else Location(MANIFEST)


def not_an_export(source: Mapping[str, Any], paths: Sequence[str], export: str,
                  reason: str) -> InputError:
    """The error for a source whose files are not an export of its format at all.

    Importing them would write no records and exit 0, and a pipeline reading
    them would report every gap they should have filled; so it stops, exit 2.
    Located at the file when the source is one file, else at the source entry.
    """
    subject = paths[0] if len(paths) == 1 else str(source.get("path", ""))
    where = Location(paths[0]) if len(paths) == 1 else source_location(source, "path")
    return InputError(
        f"{subject} is not {export} (format {source.get('format')}): {reason}", where
    )


class SourceOptions:
    """Typed access to one source's options; unknown keys are an InputError (a typo
    that silently did nothing would import the wrong records)."""

    def __init__(self, source: Mapping[str, Any], known: Collection[str]) -> None:
        self.source = source
        allowed = COMMON_KEYS | frozenset(known)
        for key in source:
            if key not in allowed:
                raise InputError(
                    f"source option {key!r} is not known to format {source.get('format')!r};"
                    f" expected one of {', '.join(sorted(allowed))}",
                    source_location(source, str(key)),
                )

    def fail(self, key: str, expected: str) -> InputError:
        """The error for an option that is not what `expected` says."""
        return InputError(
            f"source option {key!r} must be {expected}", source_location(self.source, key)
        )

    def text(self, key: str, default: str | None) -> str | None:
        """A string option (None when absent and no default)."""
        value = self.source.get(key, default)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(key, "a string")

    def choice(self, key: str, default: str, choices: Collection[str]) -> str:
        """A string option that must be one of `choices`."""
        value = self.source.get(key, default)
        if isinstance(value, str) and value in choices:
            return value
        raise self.fail(key, "one of " + ", ".join(sorted(choices)))

    def flag(self, key: str, default: bool) -> bool:
        """A boolean option."""
        value = self.source.get(key, default)
        if isinstance(value, bool):
            return value
        raise self.fail(key, "true or false")

    def strings(self, key: str, default: Collection[str]) -> tuple[str, ...]:
        """A list-of-strings option (a single string is a list of one)."""
        value = self.source.get(key, list(default))
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.fail(key, "a list of strings")

    def mapping(self, key: str) -> dict[str, Any]:
        """A mapping option (empty when absent)."""
        value = self.source.get(key)
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return {str(k): v for k, v in value.items()}
        raise self.fail(key, "a mapping")

    def string_map(self, key: str) -> dict[str, str]:
        """A mapping of strings to strings (header renames, value maps)."""
        out: dict[str, str] = {}
        for k, v in self.mapping(key).items():
            if not isinstance(v, str):
                raise self.fail(key, "a mapping of strings to strings")
            out[k] = v
        return out

    def value_maps(self, key: str) -> dict[str, dict[str, str]]:
        """`{field: {export value: canonical value}}`, as the manifest's `values:` key."""
        out: dict[str, dict[str, str]] = {}
        for field_name, table in self.mapping(key).items():
            if not isinstance(table, Mapping) or not all(
                isinstance(v, str) for v in table.values()
            ):
                raise self.fail(key, "a mapping of field names to {export value: value} maps")
            out[field_name] = {str(k): v for k, v in table.items()}
        return out
