"""Backstage software catalog: entity YAML files -> people, teams and AI systems.

`User` -> person (`spec.memberOf` and groups' `spec.members` -> teams),
`Group` -> team, and entities selected as AI systems by the source's rule
(default: kind Component, System or Resource with the tag `ai-system` or the
annotation `govcheck.io/ai-system: "true"`) -> system, owner from `spec.owner`.

Ids keep Backstage's namespaces: an entity in namespace `default` has its
name as id (`guest`), any other is `<namespace>/<name>` (`development/guest`),
so `user:development/guest` and `user:default/guest` stay two people.
References follow Backstage: `[kind:][namespace/]name`, the kind defaulting by
field (an owner is a group) and the namespace to the referring entity's own.
The `apiVersion` group is not checked, since forks rename it.

A source in which no document is a Backstage entity (or template) is not a
catalog: an InputError (exit 2). A catalog whose entities match no AI-system
rule is a real one: its people and teams are imported, with a note.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govcheck import quality
from govcheck.errors import InputError
from govcheck.importers.checks import (
    IMPORT_INCONSISTENT,
    IMPORT_SKIPPED,
    IMPORT_UNRESOLVED_REF,
    FindingCollector,
)
from govcheck.importers.options import SourceOptions, not_an_export, source_location
from govcheck.importers.parsing import parse_documents, tree_problems
from govcheck.importers.records import ImportedRecord, ImportResult, SourceFile
from govcheck.importers.values import map_value
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.model import Location

OPTION_KEYS = ("kinds", "tags", "types", "annotation", "lifecycle")

DEFAULT_KINDS = ("Component", "System", "Resource")
DEFAULT_TAGS = ("ai-system",)
DEFAULT_ANNOTATION = "govcheck.io/ai-system"
# Backstage's lifecycle is free text; these are the values its docs recommend.
DEFAULT_LIFECYCLE = {
    "experimental": "development",
    "production": "deployed",
    # Still running while being phased out: every phase, retirement included, needs an owner.
    "deprecated": "deployed",
}
# `govcheck.io/<field>` annotations carry system fields Backstage has no place for.
ANNOTATION_PREFIX = "govcheck.io/"
ANNOTATION_FIELDS = (
    "status", "risk_tier", "intended_use", "cost_owner", "sourcing", "vendor", "version",
    "go_live", "retired_at", "regulations",
)
EXTENSIONS = (".yaml", ".yml", ".json")
DEFAULT_NAMESPACE = "default"
TEMPLATE_MARKERS = ("${{", "{{", "{%")

# spec field -> (default kind of its references, holds a list). Owner and memberOf of
# imported records become canonical fields, which the loader resolves itself.
RELATIONS: dict[str, tuple[str, bool]] = {
    "owner": ("group", False),
    "system": ("system", False),
    "domain": ("domain", False),
    "subdomainOf": ("domain", False),
    "subcomponentOf": ("component", False),
    "parent": ("group", False),
    "children": ("group", True),
    "members": ("user", True),
    "providesApis": ("api", True),
    "consumesApis": ("api", True),
    "dependsOn": ("component", True),
    "dependencyOf": ("component", True),
    "skills": ("airesource", True),
    "plugins": ("airesource", True),
}
SUBSTITUTIONS = ("$text", "$json", "$yaml")


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A Backstage entity reference, `kind:namespace/name`."""

    kind: str
    namespace: str
    name: str

    @property
    def key(self) -> tuple[str, str, str]:
        """Backstage compares refs case-insensitively."""
        return (self.kind.casefold(), self.namespace.casefold(), self.name.casefold())

    def __str__(self) -> str:
        return f"{self.kind.casefold()}:{self.namespace}/{self.name}"

    @property
    def canonical_id(self) -> str:
        """The govcheck id: the name in the default namespace, else `namespace/name`."""
        return canonical_id(self.namespace, self.name)


def canonical_id(namespace: str, name: str) -> str:
    """`guest` in namespace default, `development/guest` in namespace development."""
    return name if namespace.casefold() == DEFAULT_NAMESPACE else f"{namespace}/{name}"


def parse_ref(text: str, default_kind: str, default_namespace: str) -> EntityRef | None:
    """Parse `[kind:][namespace/]name`; None when it is not a reference at all."""
    value = text.strip()
    kind, sep, rest = value.partition(":")
    if not sep:
        kind, rest = default_kind, value
    namespace, slash, name = rest.partition("/")
    if not slash:
        namespace, name = default_namespace, rest
    if not kind or not namespace or not name or "/" in name or ":" in name:
        return None
    return EntityRef(kind, namespace, name)


@dataclass(frozen=True, slots=True)
class _Entity:
    ref: EntityRef
    doc: LocatedDict
    path: str

    @property
    def spec(self) -> LocatedDict:
        spec = self.doc.get("spec")
        return spec if isinstance(spec, LocatedDict) else LocatedDict(location=self.location)

    @property
    def metadata(self) -> LocatedDict:
        metadata = self.doc["metadata"]
        assert isinstance(metadata, LocatedDict)
        return metadata

    @property
    def location(self) -> Location:
        return self.doc.location

    def key_location(self, section: LocatedDict, key: str) -> Location:
        return section.key_locations.get(key, self.location)


@dataclass(frozen=True, slots=True)
class _Rule:
    kinds: frozenset[str]
    tags: tuple[str, ...]
    types: tuple[str, ...]
    annotation: str | None

    def selects(self, entity: _Entity) -> bool:
        if entity.ref.kind.casefold() not in self.kinds:
            return False
        tags = entity.metadata.get("tags")
        if isinstance(tags, list):
            for tag in tags:
                if any(fnmatch.fnmatchcase(str(tag).casefold(), p.casefold()) for p in self.tags):
                    return True
        kind_type = entity.spec.get("type")
        if isinstance(kind_type, str) and any(
            fnmatch.fnmatchcase(kind_type.casefold(), p.casefold()) for p in self.types
        ):
            return True
        annotations = entity.metadata.get("annotations")
        if self.annotation and isinstance(annotations, Mapping):
            flag = annotations.get(self.annotation)
            return str(flag).strip().casefold() in ("true", "yes", "1")
        return False

    def describe(self) -> str:
        parts = [f"kinds {', '.join(sorted(self.kinds))}"]
        if self.tags:
            parts.append(f"tags {', '.join(self.tags)}")
        if self.types:
            parts.append(f"types {', '.join(self.types)}")
        if self.annotation:
            parts.append(f"annotation {self.annotation}")
        return "; ".join(parts)


class _Importer:
    def __init__(self, source: Mapping[str, Any], files: Sequence[SourceFile]) -> None:
        options = SourceOptions(source, OPTION_KEYS)
        self.source = source
        self.rule = _Rule(
            frozenset(k.casefold() for k in options.strings("kinds", DEFAULT_KINDS)),
            options.strings("tags", DEFAULT_TAGS),
            options.strings("types", ()),
            options.text("annotation", DEFAULT_ANNOTATION) or None,
        )
        self.lifecycle = options.string_map("lifecycle")
        self.files = [f for f in files if f.path.casefold().endswith(EXTENSIONS)]
        self.paths = {f.path for f in files}
        self.out = FindingCollector()
        self.entities: list[_Entity] = []
        self.index: dict[tuple[str, str, str], _Entity] = {}
        # Templates count: a catalog of scaffolder templates is still a Backstage catalog.
        self.templates = 0

    # --- reading -------------------------------------------------------------------

    def read(self) -> None:
        for file in self.files:
            for doc, where in self._documents(file):
                self._take(doc, where, file.path)

    def _documents(self, file: SourceFile) -> list[tuple[Any, Location]]:
        try:
            return parse_documents(file)
        except InputError as error:
            if any(marker.encode() in file.data for marker in TEMPLATE_MARKERS):
                self.out.add(IMPORT_SKIPPED, f"file:{file.path}",
                             f"{file.path} is a template, not catalog data ({error.message})",
                             Location(file.path))
                self.templates += 1
                return []
            raise

    def _take(self, doc: Any, where: Location, path: str) -> None:
        if doc is None:
            return
        entity_file = f"file:{path}"
        metadata = doc.get("metadata") if isinstance(doc, LocatedDict) else None
        kind = doc.get("kind") if isinstance(doc, LocatedDict) else None
        name = metadata.get("name") if isinstance(metadata, LocatedDict) else None
        if not isinstance(kind, str) or not isinstance(metadata, LocatedDict) or not (
            isinstance(name, str) and name
        ):
            self.out.add(IMPORT_SKIPPED, entity_file,
                         f"document at line {where.line} is not a Backstage entity"
                         " (no kind and metadata.name)", where)
            return
        if kind.casefold() == "template" or any(m in name for m in TEMPLATE_MARKERS):
            self.out.add(IMPORT_SKIPPED, entity_file,
                         f"{kind} {name!r} at line {where.line} is a template, not an entity",
                         where)
            self.templates += 1
            return
        namespace = metadata.get("namespace")
        if not isinstance(namespace, str) or not namespace:
            namespace = DEFAULT_NAMESPACE
        entity = _Entity(EntityRef(kind, namespace, name), doc, path)
        self.entities.append(entity)
        # Backstage keys entities on kind + namespace + name; the first one wins.
        self.index.setdefault(entity.ref.key, entity)

    # --- references ----------------------------------------------------------------

    def _ref(self, entity: _Entity, value: Any, default_kind: str) -> EntityRef | None:
        if not isinstance(value, str):
            return None
        return parse_ref(value, default_kind, entity.ref.namespace)

    def _entity_id(self, entity: _Entity) -> str:
        kind = {"user": "person", "group": "team"}.get(entity.ref.kind.casefold())
        if kind is not None:
            return f"{kind}:{entity.ref.canonical_id}"
        system_id = self.system_ids.get(entity.ref.key)
        if system_id is not None:
            return f"system:{system_id}"
        return f"backstage:{entity.ref}"

    def _unresolved(self, entity: _Entity, field: str, text: str, ref: EntityRef | None,
                    where: Location) -> None:
        if ref is None:
            message = f"{field} {text!r} is not an entity reference"
        else:
            named = "" if str(ref) == text else f" names {ref}, which"
            message = f"{field} {text!r}{named or ''} is not in the export"
            if field == "owner" and ref.kind == "group":
                user = EntityRef("user", ref.namespace, ref.name)
                if user.key in self.index:
                    message += (f" (a bare owner is a group in Backstage; {user} exists:"
                                f" write 'user:{ref.name}')")
        self.out.add(IMPORT_UNRESOLVED_REF, self._entity_id(entity), message, where)

    def check_relations(self) -> None:
        for entity in self.entities:
            spec = entity.spec
            selected = entity.ref.key in self.system_ids
            for field, (default_kind, many) in RELATIONS.items():
                if field not in spec or (field == "owner" and selected):
                    continue
                values = spec[field] if many and isinstance(spec[field], list) else [spec[field]]
                where = entity.key_location(spec, field)
                for value in values:
                    ref = self._ref(entity, value, default_kind)
                    if ref is None or ref.key not in self.index:
                        self._unresolved(entity, field, str(value), ref, where)
            if entity.ref.kind.casefold() == "location":
                self._check_targets(entity)
            self._check_substitutions(entity, spec, 0)

    def _relative(self, entity: _Entity, target: str) -> str | None:
        if "://" in target or target.startswith(("url:", "file:/")):
            return None
        target = target.removeprefix("file:")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(entity.path), target))
        return joined

    def _check_targets(self, entity: _Entity) -> None:
        spec = entity.spec
        for key in ("target", "targets"):
            value = spec.get(key)
            targets = value if isinstance(value, list) else [value]
            for index, target in enumerate(targets):
                if not isinstance(target, str):
                    continue
                path = self._relative(entity, target)
                if path is not None and path not in self.paths:
                    where = (value.location_of(index) if isinstance(value, LocatedList)
                             else entity.key_location(spec, key))
                    self.out.add(IMPORT_UNRESOLVED_REF, self._entity_id(entity),
                                 f"target {target!r} is not a file in the export", where)

    def _check_substitutions(self, entity: _Entity, value: Any, depth: int) -> None:
        if depth > 50:
            return
        if isinstance(value, LocatedDict):
            for key in SUBSTITUTIONS:
                target = value.get(key)
                if isinstance(target, str):
                    path = self._relative(entity, target)
                    if path is not None and path not in self.paths:
                        self.out.add(IMPORT_UNRESOLVED_REF, self._entity_id(entity),
                                     f"{key} {target!r} is not a file in the export",
                                     value.key_locations.get(key, value.location))
            for item in value.values():
                self._check_substitutions(entity, item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                self._check_substitutions(entity, item, depth + 1)

    # --- records -------------------------------------------------------------------

    def select_systems(self) -> None:
        kind_order = {k.casefold(): i for i, k in enumerate(
            ("Component", "System", "Resource", "API", "AiResource"))}
        selected = [e for e in self.entities
                    if self.index.get(e.ref.key) is e and self.rule.selects(e)]
        self.system_ids: dict[tuple[str, str, str], str] = {}
        used: set[str] = set()
        for entity in sorted(selected, key=lambda e: (
                kind_order.get(e.ref.kind.casefold(), len(kind_order)), e.ref.kind.casefold(),
                e.path, e.location.line)):
            # One id per name; a second kind with the same name gets `name@kind`.
            base = entity.ref.canonical_id
            system_id = base if base not in used else f"{base}@{entity.ref.kind.casefold()}"
            used.add(system_id)
            self.system_ids[entity.ref.key] = system_id

    def memberships(self) -> dict[tuple[str, str, str], list[tuple[str, Location]]]:
        teams: dict[tuple[str, str, str], list[tuple[str, Location]]] = {}
        for entity in self.entities:
            kind = entity.ref.kind.casefold()
            spec = entity.spec
            if kind == "user" and isinstance(spec.get("memberOf"), list):
                for value in spec["memberOf"]:
                    ref = self._ref(entity, value, "group")
                    if ref is None or ref.kind.casefold() != "group":
                        self._unresolved(entity, "memberOf", str(value), ref,
                                         entity.key_location(spec, "memberOf"))
                        continue
                    teams.setdefault(entity.ref.key, []).append(
                        (ref.canonical_id, entity.key_location(spec, "memberOf")))
            if kind == "group" and isinstance(spec.get("members"), list):
                for value in spec["members"]:
                    ref = self._ref(entity, value, "user")
                    if ref is not None and ref.key in self.index:
                        teams.setdefault(ref.key, []).append(
                            (entity.ref.canonical_id, entity.key_location(spec, "members")))
        return teams

    def records(self) -> list[ImportedRecord]:
        self.select_systems()
        teams = self.memberships()
        records: list[ImportedRecord] = []
        for entity in self.entities:
            # A repeated person or team is kept, for the loader to report as a duplicate id.
            if self.index.get(entity.ref.key) is entity or entity.ref.kind.casefold() in (
                "user", "group"
            ):
                record = self._record(entity, teams)
                if record is not None:
                    records.append(record)
                    for message, where in tree_problems(entity.doc):
                        self.out.add_finding(quality.quality_finding(
                            quality.SCHEMA, f"{record.kind}:{record.values['id']}",
                            f"{record.kind} '{record.values['id']}': {message}", where))
        if not self.system_ids:
            self.out.add(IMPORT_SKIPPED, f"source:{self.source.get('path', '')}",
                         "no Backstage entity matched the AI-system rule"
                         f" ({self.rule.describe()}); no systems imported",
                         source_location(self.source))
        return records

    def _record(self, entity: _Entity,
                teams: dict[tuple[str, str, str], list[tuple[str, Location]]]
                ) -> ImportedRecord | None:
        kind = entity.ref.kind.casefold()
        if kind == "user":
            return self._person(entity, teams.get(entity.ref.key, []))
        if kind == "group":
            return self._team(entity)
        if entity.ref.key in self.system_ids:
            return self._system(entity)
        return None

    def _person(self, entity: _Entity, teams: list[tuple[str, Location]]) -> ImportedRecord:
        values: dict[str, Any] = {"id": entity.ref.canonical_id}
        where: dict[str, Location] = {"id": entity.key_location(entity.metadata, "name")}
        profile = entity.spec.get("profile")
        if isinstance(profile, LocatedDict):
            for key, field in (("displayName", "name"), ("email", "email")):
                if isinstance(profile.get(key), str) and profile[key].strip():
                    values[field] = profile[key].strip()
                    where[field] = profile.key_locations.get(key, entity.location)
        team_ids: list[str] = []
        for team_id, at in teams:
            if team_id not in team_ids:
                team_ids.append(team_id)
                where.setdefault("teams", at)
        if team_ids:
            values["teams"] = team_ids
        return ImportedRecord("person", values, entity.location, where)

    def _team(self, entity: _Entity) -> ImportedRecord:
        spec, metadata = entity.spec, entity.metadata
        values: dict[str, Any] = {"id": entity.ref.canonical_id}
        where: dict[str, Location] = {"id": entity.key_location(metadata, "name")}
        profile = spec.get("profile")
        name = profile.get("displayName") if isinstance(profile, LocatedDict) else None
        if isinstance(name, str) and name.strip():
            values["name"] = name.strip()
            assert isinstance(profile, LocatedDict)
            where["name"] = profile.key_locations.get("displayName", entity.location)
        elif isinstance(metadata.get("title"), str):
            values["name"] = metadata["title"]
            where["name"] = entity.key_location(metadata, "title")
        if isinstance(spec.get("type"), str):
            values["type"] = spec["type"]
        if isinstance(profile, LocatedDict) and isinstance(profile.get("email"), str):
            values["email"] = profile["email"]
        parent = self._ref(entity, spec.get("parent"), "group")
        if parent is not None:
            values["parent"] = parent.canonical_id
            where["parent"] = entity.key_location(spec, "parent")
            self._check_hierarchy(entity, parent)
        return ImportedRecord("team", values, entity.location, where)

    def _check_hierarchy(self, entity: _Entity, parent: EntityRef) -> None:
        parent_entity = self.index.get(parent.key)
        if parent_entity is None:
            return  # unresolved: reported with the other relations
        children = parent_entity.spec.get("children")
        if not isinstance(children, list):
            return
        listed = {ref.key for ref in (self._ref(parent_entity, c, "group") for c in children)
                  if ref is not None}
        if entity.ref.key not in listed:
            self.out.add(IMPORT_INCONSISTENT, f"team:{entity.ref.canonical_id}",
                         f"group {entity.ref.name!r} names parent {parent.name!r}, whose"
                         f" children ({', '.join(map(str, children)) or 'none'}) do not"
                         " list it", entity.key_location(entity.spec, "parent"))

    def _system(self, entity: _Entity) -> ImportedRecord:
        spec, metadata = entity.spec, entity.metadata
        values: dict[str, Any] = {"id": self.system_ids[entity.ref.key]}
        where: dict[str, Location] = {"id": entity.key_location(metadata, "name")}
        title = metadata.get("title")
        values["name"] = title if isinstance(title, str) and title.strip() else entity.ref.name
        where["name"] = entity.key_location(metadata, "title" if "title" in metadata else "name")
        self._check_scalars(entity, values["id"])
        lifecycle = spec.get("lifecycle")
        if isinstance(lifecycle, str) and lifecycle.strip():
            values["status"] = map_value(lifecycle, DEFAULT_LIFECYCLE, self.lifecycle)
            where["status"] = entity.key_location(spec, "lifecycle")
        owner = self._owner(entity)
        if owner is not None:
            values["owner"] = owner
            where["owner"] = entity.key_location(spec, "owner")
        version = spec.get("version")
        if isinstance(version, str | int | float) and not isinstance(version, bool):
            values["version"] = str(version)
            where["version"] = entity.key_location(spec, "version")
        self._annotations(entity, values, where)
        values["backstage_ref"] = str(entity.ref)
        if isinstance(spec.get("type"), str):
            values["type"] = spec["type"]
        if isinstance(metadata.get("description"), str):
            values["description"] = metadata["description"].strip()
        tags = metadata.get("tags")
        if isinstance(tags, list) and tags:
            values["tags"] = [str(t) for t in tags]
        return ImportedRecord("system", values, entity.location, where)

    def _check_scalars(self, entity: _Entity, system_id: str) -> None:
        """An owner or lifecycle that is not text (`owner: [alice]`) cannot be read; the
        system would silently lack it, so it is a schema finding at the key."""
        spec = entity.spec
        bad = [key for key in ("owner", "lifecycle")
               if key in spec and not (isinstance(spec[key], str) and spec[key].strip())]
        if bad:
            # One finding per record, as the loader's own schema findings are.
            self.out.add_finding(quality.quality_finding(
                quality.SCHEMA, f"system:{system_id}",
                f"system '{system_id}': " + "; ".join(
                    f"spec.{key} {_shown(spec[key])} is not a non-empty string, so it is not"
                    " read" for key in bad), entity.key_location(spec, bad[0])))

    def _owner(self, entity: _Entity) -> str | None:
        spec = entity.spec
        text = spec.get("owner")
        if not isinstance(text, str) or not text.strip():
            return None
        ref = self._ref(entity, text, "group")
        kind = {"user": "person", "group": "team"}.get(ref.kind.casefold()) if ref else None
        if ref is None or kind is None:
            self.out.add(IMPORT_UNRESOLVED_REF, self._entity_id(entity),
                         f"owner {text!r} is not a user or group reference",
                         entity.key_location(spec, "owner"))
            return None
        # Qualified, so the loader resolves it as Backstage does: a bare owner is a group.
        return f"{kind}:{ref.canonical_id}"

    def _annotations(self, entity: _Entity, values: dict[str, Any],
                     where: dict[str, Location]) -> None:
        annotations = entity.metadata.get("annotations")
        if not isinstance(annotations, LocatedDict):
            return
        for field in ANNOTATION_FIELDS:
            keys = (ANNOTATION_PREFIX + field.replace("_", "-"), ANNOTATION_PREFIX + field)
            key = next((k for k in keys if k in annotations), keys[0])
            raw = annotations.get(key)
            if not isinstance(raw, str) or not raw.strip():
                continue
            value: Any = raw.strip()
            if field == "regulations":
                value = [part.strip() for part in raw.split(",") if part.strip()]
            elif field == "cost_owner":
                ref = parse_ref(raw, "user", entity.ref.namespace)
                if ref is not None and ref.kind.casefold() == "user":
                    value = f"person:{ref.canonical_id}"
            values[field] = value
            where[field] = annotations.key_locations.get(key, entity.location)


def _shown(value: Any) -> str:
    """A value as a finding quotes it, cut short (a whole mapping is not a message)."""
    text = repr(value.copy() if isinstance(value, dict) else value)
    return text if len(text) <= 60 else text[:57] + "..."


def import_files(source: Mapping[str, Any], files: Sequence[SourceFile]) -> ImportResult:
    """Import a Backstage catalog: every `.yaml`/`.yml`/`.json` file under the source path."""
    importer = _Importer(source, files)
    importer.read()
    if not importer.entities and not importer.templates:
        # Nothing in the files is a Backstage entity: the source is not a catalog. A catalog
        # whose entities match no AI-system rule is a real one and imports its people.
        reason = ("no YAML or JSON document in it is a Backstage entity (kind and"
                  " metadata.name)" if importer.files else "it has no YAML or JSON file")
        raise not_an_export(source, [f.path for f in files], "a Backstage catalog export",
                            reason)
    records = importer.records()
    importer.check_relations()
    return ImportResult(
        records=tuple(records),
        findings=importer.out.findings(),
        consumed=tuple(f.path for f in importer.files),
    )
