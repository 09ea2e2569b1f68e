"""OSCAL System Security Plan (JSON or YAML, OSCAL 1.0 and 1.1) -> system, people, teams,
assignments and the authorization as a go-live approval.

- `metadata.parties`: a person -> person (id: the party uuid), an organization
  -> team (or vendor, by the source's `organizations`/`vendors` options);
- `system-characteristics` -> system (id: the first `system-ids` entry);
- `metadata.responsible-parties` and every component's `responsible-roles`
  -> the system owner (roles mapped to `owner`) or assignments, one per
  (phase, party), through the role -> phase map (`roles` option over the
  defaults below);
- `date-authorized` -> an approved go-live approval, its approver the party in
  the `authorizing-official` role when the plan names one.

`system-implementation.users` are kinds of user (with privileges), not people,
and are not imported. A uuid repeated with the same content (in one file or
across a YAML and a JSON copy) gives one record; with different content both
are kept, for the loader to report as a duplicate id. Other OSCAL models (assessment
results, POA&M, catalogs, profiles) in the folder are skipped with a note. A
source in which no document is a system security plan is not an SSP export:
an InputError (exit 2), not an empty import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from govcheck.errors import InputError
from govcheck.importers.checks import (
    IMPORT_INCONSISTENT,
    IMPORT_SKIPPED,
    IMPORT_UNRESOLVED_REF,
    FindingCollector,
)
from govcheck.importers.options import SourceOptions, not_an_export
from govcheck.importers.parsing import parse_documents
from govcheck.importers.records import ImportedRecord, ImportResult, SourceFile
from govcheck.importers.values import map_value
from govcheck.kinds import PHASES
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.model import Location

OPTION_KEYS = ("roles", "organizations", "vendors", "status")
EXTENSIONS = (".json", ".yaml", ".yml")
OWNER = "owner"

# OSCAL role ids (the NIST and FedRAMP ones in common use) -> lifecycle phases, or `owner`
# for the system's accountable owner. The source's `roles` option is merged over this.
DEFAULT_ROLES: dict[str, tuple[str, ...]] = {
    "system-owner": (OWNER,),
    "owner": (OWNER,),
    "information-system-owner": (OWNER,),
    "authorizing-official": ("deployment",),
    "developer": ("development",),
    "system-developer": ("development",),
    "system-architect": ("conception", "development"),
    "system-engineer": ("deployment", "monitoring"),
    "assessor": ("validation",),
    "independent-assessor": ("validation",),
    "security-assessor": ("validation",),
    "system-administrator": ("monitoring",),
    "maintainer": ("monitoring",),
    "system-poc-technical": ("monitoring",),
    "information-system-security-officer": ("monitoring", "incident"),
    "isso": ("monitoring", "incident"),
    "incident-response": ("incident",),
    "incident-responder": ("incident",),
    "disposal-officer": ("retirement",),
}
AUTHORIZING_OFFICIAL = "authorizing-official"

# system-characteristics.status.state -> system status.
DEFAULT_STATUS = {
    "operational": "deployed",
    "under-development": "development",
    # Still running while being changed.
    "under-major-modification": "deployed",
    "disposition": "retired",
}
# FIPS 199 sensitivity / impact level -> risk tier.
RISK_TIERS = {
    "low": "low", "fips-199-low": "low",
    "moderate": "medium", "medium": "medium", "fips-199-moderate": "medium",
    "high": "high", "fips-199-high": "high",
}
_RISK_ORDER = ("low", "medium", "high")

OTHER_MODELS = {
    "catalog": "catalog",
    "profile": "profile",
    "component-definition": "component definition",
    "assessment-plan": "assessment plan",
    "assessment-results": "assessment results",
    "plan-of-action-and-milestones": "plan of action and milestones",
    "mapping-collection": "mapping collection",
}
SSP = "system-security-plan"


def _located(value: Any) -> LocatedDict | None:
    return value if isinstance(value, LocatedDict) else None


def _items(value: Any) -> list[tuple[Any, Location | None]]:
    if isinstance(value, LocatedList):
        return [(item, value.location_of(i)) for i, item in enumerate(value)]
    if isinstance(value, list):
        return [(item, None) for item in value]
    return []


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


class _Plan:
    """One SSP document turned into records."""

    def __init__(self, importer: _Importer, root: LocatedDict, path: str) -> None:
        self.importer = importer
        self.root = root
        self.path = path
        self.metadata = _located(root.get("metadata")) or LocatedDict(location=root.location)
        self.party_kind: dict[str, str] = {}
        self.records: list[ImportedRecord] = []

    def where(self, mapping: LocatedDict, key: str) -> Location:
        return mapping.key_locations.get(key, mapping.location)

    def run(self) -> list[ImportedRecord]:
        parties = [p for p, _ in _items(self.metadata.get("parties")) if _located(p)]
        for party in parties:
            uuid, kind = _text(party, "uuid"), _text(party, "type")
            if uuid and kind == "organization":
                self.party_kind.setdefault(uuid, self.importer.organization_kind(party))
            elif uuid and kind == "person":
                self.party_kind.setdefault(uuid, "person")
        for party in parties:
            self._party(party)
        self._system()
        return self.records

    def _party(self, party: LocatedDict) -> None:
        uuid = _text(party, "uuid")
        kind = self.party_kind.get(uuid or "")
        if uuid is None or kind is None:
            self.importer.out.add(IMPORT_SKIPPED, f"file:{self.path}",
                                  f"party at line {party.location.line} has no uuid or a type"
                                  " other than person or organization", party.location)
            return
        values: dict[str, Any] = {"id": uuid}
        where = {"id": self.where(party, "uuid")}
        name = _text(party, "name")
        if name:
            values["name"] = name
            where["name"] = self.where(party, "name")
        if kind != "person" and _text(party, "short-name"):
            values["short_name"] = _text(party, "short-name")
        emails = party.get("email-addresses")
        if kind == "person" and isinstance(emails, list) and emails and isinstance(emails[0], str):
            values["email"] = emails[0]
            where["email"] = self.where(party, "email-addresses")
        teams = [t for t, _ in _items(party.get("member-of-organizations"))
                 if isinstance(t, str) and self.party_kind.get(t) == "team"]
        if kind == "person" and teams:
            values["teams"] = teams
            where["teams"] = self.where(party, "member-of-organizations")
        self.records.append(ImportedRecord(kind, values, party.location, where))

    def _system(self) -> None:
        chars = _located(self.root.get("system-characteristics"))
        if chars is None:
            self.importer.out.add(IMPORT_SKIPPED, f"file:{self.path}",
                                  "system security plan has no system-characteristics;"
                                  " no system imported", self.root.location)
            return
        system_id, id_at = self._system_id(chars)
        values: dict[str, Any] = {"id": system_id}
        where: dict[str, Location] = {"id": id_at}
        for key, field in (("system-name", "name"), ("description", "intended_use")):
            if _text(chars, key):
                values[field] = _text(chars, key)
                where[field] = self.where(chars, key)
        status = _located(chars.get("status"))
        if status is not None and _text(status, "state"):
            values["status"] = map_value(str(_text(status, "state")), DEFAULT_STATUS,
                                         self.importer.status)
            where["status"] = self.where(status, "state")
        tier, tier_at = self._risk_tier(chars)
        if tier is not None:
            values["risk_tier"] = tier
            where["risk_tier"] = tier_at or chars.location
        holders = self._role_holders()
        owners = [(party, at) for role, party, at in holders
                  if OWNER in self.importer.phases(role)]
        if owners:
            party, at = owners[0]
            values["owner"] = f"{self.party_kind.get(party, 'person')}:{party}"
            where["owner"] = at
            others = sorted({p for p, _ in owners if p != party})
            if others:
                self.importer.out.add(
                    IMPORT_INCONSISTENT, f"system:{system_id}",
                    f"the plan names {len(others) + 1} system owners; {party} is kept as"
                    f" owner, not {', '.join(others)}", owners[1][1])
        self.records.append(ImportedRecord("system", values, chars.location, where))
        self._assignments(system_id, holders)
        self._authorization(system_id, chars, holders)

    def _system_id(self, chars: LocatedDict) -> tuple[str, Location]:
        for item, _ in _items(chars.get("system-ids")):
            if _located(item) and _text(item, "id"):
                return str(_text(item, "id")), self.where(item, "id")
        uuid = _text(self.root, "uuid")
        return uuid or "system", self.where(self.root, "uuid")

    def _risk_tier(self, chars: LocatedDict) -> tuple[str | None, Location | None]:
        level = _text(chars, "security-sensitivity-level")
        if level:
            return (map_value(level, RISK_TIERS, {}),
                    self.where(chars, "security-sensitivity-level"))
        impact = _located(chars.get("security-impact-level"))
        if impact is None:
            return None, None
        tiers = [RISK_TIERS.get(v.strip().casefold()) for v in impact.values()
                 if isinstance(v, str)]
        known = [t for t in tiers if t is not None]
        if not known:
            return None, None
        return max(known, key=_RISK_ORDER.index), impact.location

    def _role_holders(self) -> list[tuple[str, str, Location]]:
        """(role id, party uuid, where) from metadata and components, in document order."""
        holders: list[tuple[str, str, Location]] = []
        sources = [self.metadata.get("responsible-parties")]
        implementation = _located(self.root.get("system-implementation"))
        if implementation is not None:
            for component, _ in _items(implementation.get("components")):
                if _located(component):
                    sources.append(component.get("responsible-roles"))
        for entries in sources:
            # OSCAL 1.0 release candidates keyed responsible-parties by role id.
            pairs: list[tuple[Any, Location | None]]
            if isinstance(entries, LocatedDict):
                pairs = [(self._with_role(v, k), None) for k, v in entries.items()]
            else:
                pairs = _items(entries)
            for entry, _ in pairs:
                if not _located(entry) or not _text(entry, "role-id"):
                    continue
                role = str(_text(entry, "role-id"))
                parties = entry.get("party-uuids")
                # A single uuid where a list belongs (hand-converted YAML) still names a party.
                items = ([(parties, self.where(entry, "party-uuids"))]
                         if isinstance(parties, str) else _items(parties))
                named = [(party, at) for party, at in items
                         if isinstance(party, str) and party.strip()]
                if not named:
                    self.importer.out.add(
                        IMPORT_SKIPPED, f"role:{role}",
                        f"role {role!r} is made responsible at line {entry.location.line}"
                        " but names no party (no party-uuids); no one is assigned",
                        entry.location)
                for party, at in named:
                    holders.append((role, party.strip(), at or entry.location))
        return holders

    @staticmethod
    def _with_role(value: Any, role: str) -> Any:
        if isinstance(value, LocatedDict) and "role-id" not in value:
            value["role-id"] = role
        return value

    def _assignments(self, system_id: str, holders: list[tuple[str, str, Location]]) -> None:
        made: dict[tuple[str, str], dict[str, Any]] = {}
        for role, party, at in holders:
            for phase in self.importer.phases(role):
                if phase == OWNER:
                    continue
                key = (phase, party)
                if key in made:
                    if role not in made[key]["roles"]:
                        made[key]["roles"].append(role)
                    continue
                kind = self.party_kind.get(party, "person")
                values = {"id": f"{system_id}/{phase}/{party}", "system": system_id,
                          "phase": phase, "person": f"{kind}:{party}", "roles": [role]}
                made[key] = values
                self.records.append(ImportedRecord("assignment", values, at,
                                                   {"person": at, "phase": at}))
        self._note_unmapped_roles(holders)

    def _note_unmapped_roles(self, holders: list[tuple[str, str, Location]]) -> None:
        held: dict[str, int] = {}
        first_held: dict[str, Location] = {}
        for role, _, where in holders:
            held[role] = held.get(role, 0) + 1
            first_held.setdefault(role, where)
        defined = {str(_text(role, "id")) for role, _ in _items(self.metadata.get("roles"))
                   if _located(role) and _text(role, "id")}
        # A role-id that metadata.roles does not define (or a plan with no roles at all).
        for role_id, where in first_held.items():
            if role_id in defined:
                continue
            self.importer.out.add(
                IMPORT_UNRESOLVED_REF, f"role:{role_id}",
                f"role-id {role_id!r} is not defined in metadata.roles", where)
            if not self.importer.phases(role_id):
                count = held[role_id]
                self.importer.out.add(
                    IMPORT_SKIPPED, f"role:{role_id}",
                    f"role {role_id!r} maps to no lifecycle phase and its {count} responsible"
                    f" part{'y gets' if count == 1 else 'ies get'} no assignment; map it under"
                    " the source's `roles` option", where)
        for role, at in _items(self.metadata.get("roles")):
            if not _located(role) or not _text(role, "id"):
                continue
            role_id = str(_text(role, "id"))
            if self.importer.phases(role_id):
                continue
            count = held.get(role_id, 0)
            holders_text = (f"its {count} responsible part{'y gets' if count == 1 else 'ies get'}"
                            " no assignment" if count else "it has no responsible party")
            self.importer.out.add(
                IMPORT_SKIPPED, f"role:{role_id}",
                f"role {role_id!r} ({_text(role, 'title') or 'untitled'}) maps to no lifecycle"
                f" phase and {holders_text}; map it under the source's `roles` option",
                at or role.location)

    def _authorization(self, system_id: str, chars: LocatedDict,
                       holders: list[tuple[str, str, Location]]) -> None:
        authorized = _text(chars, "date-authorized")
        if authorized is None:
            return
        at = self.where(chars, "date-authorized")
        values: dict[str, Any] = {
            "id": f"{system_id}/authorization", "system": system_id, "kind": "go-live",
            "decision": "approved", "decided_at": authorized,
            "evidence": f"OSCAL SSP {_text(self.root, 'uuid') or system_id}: date-authorized",
        }
        where = {"decided_at": at}
        officials = [(p, w) for role, p, w in holders if role == AUTHORIZING_OFFICIAL
                     and self.party_kind.get(p) == "person"]
        if officials:
            values["approver"] = officials[0][0]
            where["approver"] = officials[0][1]
        self.records.append(ImportedRecord("approval", values, at, where))


class _Importer:
    def __init__(self, source: Mapping[str, Any]) -> None:
        options = SourceOptions(source, OPTION_KEYS)
        self.roles: dict[str, tuple[str, ...]] = dict(DEFAULT_ROLES)
        for role, target in options.mapping("roles").items():
            targets = (target,) if isinstance(target, str) else target
            if not isinstance(targets, list | tuple) or not all(
                isinstance(t, str) and (t in PHASES or t == OWNER) for t in targets
            ):
                raise options.fail("roles", "a mapping of role ids to a phase, a list of"
                                    f" phases, or `owner` (phases: {', '.join(PHASES)})")
            self.roles[role] = tuple(targets)
        self.org_kind = options.choice("organizations", "team", ("team", "vendor"))
        self.vendors = set(options.strings("vendors", ()))
        self.status = options.string_map("status")
        self.out = FindingCollector()
        self.plans = 0
        self.other_models: set[str] = set()

    def phases(self, role: str) -> tuple[str, ...]:
        return self.roles.get(role, ())

    def organization_kind(self, party: LocatedDict) -> str:
        names = {_text(party, "uuid"), _text(party, "short-name"), _text(party, "name")}
        return "vendor" if names & self.vendors else self.org_kind

    def documents(self, file: SourceFile) -> list[tuple[Any, Location]]:
        return parse_documents(file)

    def plan_root(self, doc: Any, where: Location, path: str) -> LocatedDict | None:
        if isinstance(doc, LocatedDict) and isinstance(doc.get(SSP), LocatedDict):
            root: LocatedDict = doc[SSP]
            self.plans += 1
            return root
        model = next((OTHER_MODELS[k] for k in doc if k in OTHER_MODELS), None) if isinstance(
            doc, LocatedDict) else None
        if model:
            self.other_models.add(model)
        message = (f"an OSCAL {model}, not a system security plan" if model
                   else "not an OSCAL system security plan")
        self.out.add(IMPORT_SKIPPED, f"file:{path}", f"{path} is {message}", where)
        return None


def import_files(source: Mapping[str, Any], files: Sequence[SourceFile]) -> ImportResult:
    """Import every OSCAL SSP (`.json`, `.yaml`, `.yml`) under the source path."""
    importer = _Importer(source)
    read = [f for f in files if f.path.casefold().endswith(EXTENSIONS)]
    records: list[ImportedRecord] = []
    seen: dict[tuple[str, Any], Mapping[str, Any]] = {}
    for file in read:
        for doc, where in importer.documents(file):
            if doc is None:
                continue
            root = importer.plan_root(doc, where, file.path)
            if root is None:
                continue
            for record in _Plan(importer, root, file.path).run():
                key = (record.kind, record.values.get("id"))
                # A uuid repeated with the same content is one record (real files repeat them).
                if seen.get(key) == record.values:
                    continue
                seen.setdefault(key, record.values)
                records.append(record)
    if not importer.plans:
        raise _not_a_plan(source, files, read, importer.other_models)
    return ImportResult(tuple(records), importer.out.findings(), tuple(f.path for f in read))


def _not_a_plan(source: Mapping[str, Any], files: Sequence[SourceFile],
                read: Sequence[SourceFile], other_models: set[str]) -> InputError:
    """No document is a system security plan: the source is not an SSP export at all.

    A plan that yields no records (no parties, no system-characteristics) is
    still an SSP: its notes say what is missing and the import succeeds.
    """
    if not read:
        reason = "it has no JSON or YAML file"
    elif other_models:
        reason = (f"it holds OSCAL {', '.join(sorted(other_models))}, but no system security"
                  " plan")
    else:
        reason = f"no JSON or YAML document in it has a top-level `{SSP}`"
    return not_an_export(source, [f.path for f in files], "an OSCAL system security plan"
                         " export", reason)

