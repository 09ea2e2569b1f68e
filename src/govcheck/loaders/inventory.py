"""`load_inventory`: an inventory directory or archive to located, normalised records.

Which file holds which kind: the manifest's `files:` entry, else the nearest
folder named after a kind (`systems/s-1.yaml`), else the file's stem
(`people.csv`). Files under an importer source's path are the importer's.
A JSON file of no kind that is govcheck's own report or a SARIF log (written
into the inventory by `govcheck check -o`) is not inventory data at all.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from govcheck import quality
from govcheck.errors import InputError
from govcheck.kinds import KINDS, kind_for_stem
from govcheck.loaders.csv_reader import parse_csv
from govcheck.loaders.decoding import decode_text
from govcheck.loaders.json_reader import parse_json
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.manifest import MANIFEST, FileOptions, ManifestSpec, read_manifest
from govcheck.loaders.records import (
    RawItem,
    literal_identifiers,
    located_item,
    normalise,
    plain,
)
from govcheck.loaders.tree import FileTree, open_tree
from govcheck.loaders.yaml_reader import parse_yaml
from govcheck.model import Finding, InputFile, Inventory, Location

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
CSV_SUFFIXES = (".csv", ".tsv")
DATA_SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES + CSV_SUFFIXES
WAIVERS = "govcheck-waivers.yaml"
BASELINE = "govcheck-baseline.json"
SNAPSHOT = "govcheck-snapshot.json"
# govcheck's own files at the root: never inventory data. The snapshot is left out
# of `inputs` because it records the inputs' own digests.
OWN_FILES = (MANIFEST, WAIVERS, BASELINE, SNAPSHOT)


def kind_from_path(path: str) -> str | None:
    """The kind a path names by convention: nearest folder named after a kind, else the stem."""
    pure = PurePosixPath(path)
    for folder in reversed(pure.parts[:-1]):
        kind = kind_for_stem(folder)
        if kind is not None:
            return kind
    return kind_for_stem(pure.stem)


def _suffix(path: str) -> str:
    return PurePosixPath(path).suffix.lower()


def is_tool_output(data: bytes) -> bool:
    """Whether JSON bytes are a govcheck report or a SARIF log rather than inventory data.

    A govcheck report is a top-level object with `tool.name` "govcheck" and
    `findings`; a SARIF log one with `version` "2.1.0" and `runs`.
    """
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return False
    if not isinstance(document, dict):
        return False
    tool = document.get("tool")
    if isinstance(tool, dict) and tool.get("name") == "govcheck" and "findings" in document:
        return True
    return document.get("version") == "2.1.0" and "runs" in document


class _Loader:
    def __init__(self, tree: FileTree, limits: Limits) -> None:
        self.tree = tree
        self.limits = limits
        self.digests: dict[str, str] = {}
        self.items: list[RawItem] = []
        self.findings: list[Finding] = []
        self.spec = ManifestSpec()
        self.data_files = 0

    def read(self, path: str, *, provenance: bool = True) -> bytes:
        data = self.tree.read(path)
        if provenance:
            self.digests[path] = hashlib.sha256(data).hexdigest()
        return data

    def load(self, root: str) -> Inventory:
        paths = set(self.tree.paths)
        if MANIFEST in paths:
            self.spec = read_manifest(self.read(MANIFEST), self.limits)
        own = {name: self.read(name, provenance=name != SNAPSHOT)
               for name in OWN_FILES[1:] if name in paths}
        self._check_manifest_paths(paths)
        claimed = self._run_sources()
        for path in self.tree.paths:
            if path in OWN_FILES or path in claimed or self.spec.ignores(path):
                continue
            self._load_file(path)
        if not self.data_files:
            raise InputError(
                "no inventory data file found (expected files such as systems.yaml,"
                " people.csv or assignments.json, or sources in govcheck.yaml)",
                Location(root, 1, 1))
        result = normalise(self.items, self.limits)
        findings = sorted([*self.findings, *result.findings], key=Finding.sort_key)
        return Inventory(
            root=root,
            records=result.records,
            findings=tuple(findings),
            inputs=tuple(InputFile(p, d) for p, d in sorted(self.digests.items())),
            manifest=self.spec.manifest,
            own_files=own,
            archive_sha256=self.tree.archive_sha256,
        )

    def _check_manifest_paths(self, paths: set[str]) -> None:
        for options in self.spec.files:
            where = options.location or Location(MANIFEST, 1, 1)
            if not options.is_glob and options.pattern not in paths:
                raise InputError(f"the manifest maps '{options.pattern}', but the inventory has"
                                 " no such file", where)
            if not options.pattern.lower().endswith(DATA_SUFFIXES) and not options.is_glob:
                raise InputError(f"'{options.pattern}' is not a YAML, JSON or CSV file", where)

    def _run_sources(self) -> set[str]:
        claimed: set[str] = set()
        for source, where in zip(self.spec.manifest.sources, self.spec.source_locations,
                                 strict=True):
            prefix = str(source["path"]).strip("/")
            under = [p for p in self.tree.paths
                     if p == prefix or p.startswith(prefix + "/") or prefix in ("", ".")]
            if not under:
                raise InputError(f"source path '{source['path']}' holds no files", where)
            claimed.update(under)
            claimed.update(self._import(source, under, where))
            self.data_files += 1
        return claimed

    def _import(self, source: Mapping[str, Any], paths: Sequence[str],
                where: Location) -> tuple[str, ...]:
        try:
            module: Any = importlib.import_module("govcheck.importers")
            run_importer, source_file = module.run_importer, module.SourceFile
        except (ImportError, AttributeError):
            raise InputError("importer sources are not available in this installation",
                             where) from None
        files = [source_file(path=p, data=self.read(p)) for p in paths]
        result = run_importer(source, files)
        for record in result.records:
            if record.kind not in KINDS:
                raise InputError(f"importer '{source.get('format')}' gave a record of unknown"
                                 f" kind '{record.kind}'", record.location)
            self.items.append(RawItem(record.kind, record.values, record.location,
                                      record.values, dict(record.field_locations)))
        self.findings.extend(result.findings)
        self._check_count(where)
        return tuple(str(path) for path in result.consumed)

    def _check_count(self, where: Location) -> None:
        if len(self.items) > self.limits.max_records:
            raise InputError(f"the inventory holds more than {self.limits.max_records} records",
                             where)

    def _load_file(self, path: str) -> None:
        suffix = _suffix(path)
        if suffix not in DATA_SUFFIXES:
            return
        options = self.spec.options_for(path)
        kind = options.kind or kind_from_path(path)
        where = Location(path, 1, 1)
        data = self.read(path, provenance=False)
        if kind is None and suffix in JSON_SUFFIXES and is_tool_output(data):
            return
        self.digests[path] = hashlib.sha256(data).hexdigest()
        if kind is None:
            self.findings.append(quality.quality_finding(
                quality.UNKNOWN_FILE, f"file:{path}",
                f"{path}: cannot tell what kind of record this file holds; it is not checked",
                where))
            return
        self.data_files += 1
        if suffix in CSV_SUFFIXES:
            self._load_csv(path, data, kind, options)
        else:
            text = decode_text(data, path, options.encoding or "utf-8")
            if suffix in JSON_SUFFIXES:
                parsed = parse_json(text, path, self.limits)
                if parsed is None:
                    raise InputError("not valid JSON: the file is empty (a file with no"
                                     " records holds [])", where)
                roots = [parsed]
            else:
                roots = parse_yaml(text, path, self.limits)
            for value, location in roots:
                self._add_root(kind, value, location, options)
        self._check_count(where)

    def _add_root(self, kind: str, value: Any, location: Location, options: FileOptions) -> None:
        if isinstance(value, LocatedList):
            for index, item in enumerate(value):
                self._add_item(kind, item, value.location_of(index), options)
        elif isinstance(value, LocatedDict):
            self._add_item(kind, value, location, options)
        else:
            raise InputError(f"expected a list of {kind} records, or one record (a mapping);"
                             " found a single value", location)

    def _add_item(self, kind: str, value: Any, location: Location, options: FileOptions) -> None:
        if not isinstance(value, LocatedDict):
            self.items.append(RawItem(kind, value, location))
            return
        mapped = map_record(value, kind, options, cells=False)
        self.items.append(located_item(kind, mapped, location, raw=value))

    def _load_csv(self, path: str, data: bytes, kind: str, options: FileOptions) -> None:
        delimiter = options.delimiter or ("\t" if _suffix(path) == ".tsv" else None)
        table = parse_csv(data, path, delimiter=delimiter, encoding=options.encoding)
        if table.fell_back:
            self.findings.append(quality.quality_finding(
                quality.ENCODING, f"file:{path}",
                f"{path} is not valid UTF-8 and was read as cp1252; check names and symbols",
                Location(path, 1, 1)))
        for row in table.rows:
            mapped = map_record(row, kind, options, cells=True)
            self.items.append(located_item(kind, mapped, row.location, raw=row))


def _split_cell(cell: str, separator: str) -> list[str]:
    return [part.strip() for part in cell.split(separator) if part.strip()]


def map_record(values: LocatedDict, kind: str, options: FileOptions, *, cells: bool) -> LocatedDict:
    """A record's values after the manifest's renames, the CSV cell rules, value maps, defaults.

    CSV cells (`cells=True`) are trimmed; an empty one is absent (unless the
    manifest says `empty_cell: empty-string`); list fields are split on the
    list separator; `areas.<area>` columns, or an `areas` cell of
    `area=person` pairs, build the `areas` map. A number in an identifier
    field keeps its text as written (`records.literal_identifiers`).
    """
    if cells:
        out = _mapped_cells(values, kind, options)
    else:
        copied = _unrenamed_copy(values) if not options.columns else None
        out = copied if copied is not None else _mapped_values(values, options)
    out = literal_identifiers(kind, out)
    for name, table in options.values.items():
        if name in out:
            out[name] = _map_value(out[name], table)
    for name, default in options.defaults.items():
        out.setdefault(name, plain(default))
    return out


@cache
def _cell_fields(kind: str) -> tuple[frozenset[str], frozenset[str]]:
    """A kind's list fields and {key: id} mapping fields, the CSV cells that are split."""
    spec = KINDS[kind]
    return (frozenset(spec.list_fields),
            frozenset(ref.field for ref in spec.references if ref.mapping))


def _unrenamed_copy(values: LocatedDict) -> LocatedDict | None:
    """What `_mapped_values` gives when nothing is renamed, built with C-speed copies.

    Parsers locate every key, in order; when that does not hold (None), the
    key-by-key loop decides each key's location.
    """
    locations = values.key_locations
    if len(locations) != len(values) or list(locations) != list(values):
        return None
    texts = values.number_texts
    return LocatedDict(values, location=values.location, key_locations=dict(locations),
                       problems=list(values.problems),
                       number_texts={key: texts[key] for key in values if key in texts})


def _mapped_values(values: LocatedDict, options: FileOptions) -> LocatedDict:
    """The values of a YAML or JSON record under the manifest's column renames."""
    out = LocatedDict(location=values.location, problems=list(values.problems))
    for key, value in values.items():
        name = options.columns.get(key, key)
        _put(out, values, key, name, value, values.key_locations.get(key, values.location))
    return out


def _put(out: LocatedDict, values: LocatedDict, key: str, name: str, value: Any,
         at: Location) -> None:
    """Set `out[name]` (read from `values[key]`), unless a rename already gave that name."""
    if name in out:
        out.problems.append((f"{name!r} is given twice (after the manifest's column"
                             " renames); the first value is kept", at))
        return
    out[name] = value
    out.key_locations[name] = at
    if key in values.number_texts:
        out.number_texts[name] = values.number_texts[key]


def _mapped_cells(values: LocatedDict, kind: str, options: FileOptions) -> LocatedDict:
    """The values of a CSV row: cells trimmed, empty ones absent, list and map cells split."""
    if (options.columns or not options.empty_cell_absent or values.number_texts
            or "." in "".join(values)):
        return _mapped_cells_one_by_one(values, kind, options)
    # The usual row (no renames, no `areas.<area>` columns): whole-row comprehensions
    # give what the cell-by-cell loop would, in the same key order.
    list_fields, mapping_fields = _cell_fields(kind)
    locations, row_at = values.key_locations, values.location
    trimmed: dict[str, Any] = {key: text for key, cell in values.items() if (text := cell.strip())}
    for name in list_fields:
        if name in trimmed:
            trimmed[name] = _split_cell(trimmed[name], options.list_separator)
    for name in mapping_fields - list_fields:
        if name in trimmed:
            trimmed[name] = _cell_map(trimmed[name], options.list_separator,
                                      locations.get(name, row_at))
    return LocatedDict(trimmed, location=row_at, problems=list(values.problems),
                       key_locations={key: locations.get(key, row_at) for key in trimmed})


def _mapped_cells_one_by_one(values: LocatedDict, kind: str,
                             options: FileOptions) -> LocatedDict:
    list_fields, mapping_fields = _cell_fields(kind)
    out = LocatedDict(location=values.location, problems=list(values.problems))
    # Locals for what the loop reads for every cell.
    columns, absent, row_at = options.columns, options.empty_cell_absent, values.location
    locations, number_texts = values.key_locations, values.number_texts
    out_locations = out.key_locations
    for key, cell in values.items():
        name = columns.get(key, key) if columns else key
        at = locations.get(key, row_at)
        value: Any = cell.strip()
        if not value and absent:
            continue
        if "." in name:
            head, _, area = name.partition(".")
            if head in mapping_fields and area:
                areas = out.setdefault(head, LocatedDict(location=at))
                if isinstance(areas, LocatedDict) and value:
                    areas[area] = value
                    areas.key_locations[area] = at
                continue
        if name in list_fields:
            value = _split_cell(value, options.list_separator)
        elif name in mapping_fields and value:
            value = _cell_map(value, options.list_separator, at)
        if name in out:
            _put(out, values, key, name, value, at)  # reports the name given twice
            continue
        # `_put`, inlined: this runs for every cell of every CSV row.
        out[name] = value
        out_locations[name] = at
        if key in number_texts:
            out.number_texts[name] = number_texts[key]
    return out


def _cell_map(cell: str, separator: str, at: Location) -> Any:
    pairs = _split_cell(cell, separator)
    if not all("=" in pair for pair in pairs):
        return cell  # not `area=person` pairs: left as read, the schema reports it
    result = LocatedDict(location=at)
    for pair in pairs:
        key, _, value = pair.partition("=")
        result.setdefault(key.strip(), value.strip())
        result.key_locations.setdefault(key.strip(), at)
    return result


def _map_value(value: Any, table: Mapping[str, Any]) -> Any:
    if isinstance(value, list):
        return [_map_value(item, table) for item in value]
    if isinstance(value, str) and value in table:
        return table[value]
    return value


def load_inventory(path: str | Path, limits: Limits | None = None) -> Inventory:
    """Read an inventory directory or `.tar.gz`/`.tgz`/`.zip` archive into records and findings.

    Raises InputError (exit 2, `path:line:col: message`) when the inventory
    cannot be read at all: not found, no data file, a file that does not
    parse, an unsafe archive, or a limit exceeded.
    """
    limits = limits or Limits()
    tree = open_tree(Path(path), limits)
    return _Loader(tree, limits).load(str(path))
