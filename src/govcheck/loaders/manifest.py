"""The inventory's manifest, `govcheck.yaml`: per-file reading options, sources, settings, params.

It is validated against `govcheck/schemas/manifest.schema.json`; every error
is located at the key or value that causes it.
"""

from __future__ import annotations

import codecs
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govcheck.errors import InputError
from govcheck.loaders.decoding import decode_text
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.records import nested_problems, plain
from govcheck.loaders.validation import describe, field_path, validator_for
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Location, Manifest

MANIFEST = "govcheck.yaml"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class FileOptions:
    """How to read one file (or files matching a glob): kind, renames, value maps, CSV options."""

    pattern: str = ""
    kind: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    list_separator: str = ";"
    delimiter: str | None = None
    encoding: str | None = None
    empty_cell_absent: bool = True
    location: Location | None = None

    @property
    def is_glob(self) -> bool:
        """Whether the key is a pattern rather than one file's path."""
        return any(char in _GLOB_CHARS for char in self.pattern)


DEFAULT_OPTIONS = FileOptions()


@dataclass(frozen=True, slots=True)
class ManifestSpec:
    """Everything the manifest says, as the loaders use it."""

    manifest: Manifest = field(default_factory=Manifest)
    files: tuple[FileOptions, ...] = ()
    ignore: tuple[str, ...] = ()
    source_locations: tuple[Location, ...] = ()

    def options_for(self, path: str) -> FileOptions:
        """The options of the entry naming `path` exactly, else of the first matching glob."""
        for options in self.files:
            if not options.is_glob and options.pattern == path:
                return options
        for options in self.files:
            if options.is_glob and fnmatch.fnmatchcase(path, options.pattern):
                return options
        return DEFAULT_OPTIONS

    def ignores(self, path: str) -> bool:
        """Whether `path` matches one of the `ignore` globs."""
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.ignore)


def locate(value: Any, path: list[Any], fallback: Location) -> Location:
    """The location of the key or item a schema error's path names in a parsed value."""
    where = getattr(value, "location", fallback)
    for part in path:
        if isinstance(value, LocatedDict) and isinstance(part, str) and part in value:
            where = value.key_locations.get(part, where)
            value = value[part]
        elif isinstance(value, LocatedList) and isinstance(part, int) and part < len(value):
            where = value.location_of(part)
            value = value[part]
        else:
            break
    return where


def read_manifest(data: bytes, limits: Limits) -> ManifestSpec:
    """The manifest from `govcheck.yaml`'s bytes; InputError at the offending key when invalid."""
    start = Location(MANIFEST, 1, 1)
    documents = parse_yaml(decode_text(data, MANIFEST), MANIFEST, limits)
    if not documents:
        return ManifestSpec(Manifest(location=start))
    if len(documents) > 1:
        raise InputError("the manifest must be one YAML document", documents[1][1])
    document, where = documents[0]
    if not isinstance(document, LocatedDict):
        raise InputError("the manifest must be a mapping (files, ignore, sources, settings,"
                         " params)", where)
    errors = sorted(validator_for("manifest").iter_errors(document),
                    key=lambda e: (locate(document, list(e.absolute_path), where),
                                   field_path(e.absolute_path)))
    if errors:
        error = errors[0]
        raise InputError(f"invalid manifest: {describe(error)}",
                         locate(document, list(error.absolute_path), where))
    problems = [*document.problems, *nested_problems(document)]
    if problems:
        message, at = problems[0]
        raise InputError(f"invalid manifest: {message}", at)
    files = document.get("files") or LocatedDict(location=where)
    options = tuple(_file_options(key, files[key], files.key_locations.get(key, where))
                    for key in sorted(files))
    sources_value = document.get("sources") or LocatedList(location=where)
    # Sources stay LocatedDicts so that importers can locate their option errors.
    sources = tuple(sources_value)
    source_locations = tuple(sources_value.location_of(index) for index in range(len(sources)))
    manifest = Manifest(
        settings=plain(document.get("settings") or {}),
        params=plain(document.get("params") or {}),
        sources=sources,
        location=where,
    )
    return ManifestSpec(manifest, options, tuple(document.get("ignore") or ()), source_locations)


def _file_options(pattern: str, entry: LocatedDict, where: Location) -> FileOptions:
    encoding = entry.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"invalid manifest: unknown encoding {encoding!r}",
                             entry.key_locations.get("encoding", where)) from None
    if pattern.startswith("/") or ".." in pattern.split("/"):
        raise InputError("invalid manifest: file paths are relative to the inventory root",
                         where)
    return FileOptions(
        pattern=pattern,
        kind=entry.get("kind"),
        columns=plain(entry.get("columns") or {}),
        values=plain(entry.get("values") or {}),
        defaults=plain(entry.get("defaults") or {}),
        list_separator=entry.get("list_separator", ";"),
        delimiter=entry.get("delimiter"),
        encoding=encoding,
        empty_cell_absent=entry.get("empty_cell", "absent") == "absent",
        location=where,
    )
