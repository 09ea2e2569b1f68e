"""From parsed items to canonical `Record`s: ids, dates, schema, duplicates.

Every format (YAML, JSON, CSV, importer output, inline test data) goes
through `normalise`, so the same export gives the same records whichever way
it was written. Each item read ends either as a kept record or as a reported
one (no usable id, or a duplicate id): `Normalised.read == len(records) +
reported`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from govcheck import quality
from govcheck.dates import parse_date
from govcheck.kinds import KINDS
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict, LocatedList
from govcheck.loaders.validation import plainly_clean, show, text_problems, violations
from govcheck.model import Finding, Location, Record

EVENT = "event"
# Stands in for a date field's value during schema validation: whether a date
# parses is INVENTORY-BAD-DATE's to report, so one bad date gives one finding.
_DATE_PLACEHOLDER = "1970-01-01"


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item read from a file (or an importer) before normalisation.

    `values` is what the record holds after the manifest's renames, value maps
    and defaults; it is not a mapping when the file held something other than
    a record at this place. `raw` is the item exactly as the file held it.
    """

    kind: str
    values: Any
    location: Location
    raw: Any = None
    field_locations: Mapping[str, Location] = field(default_factory=dict)
    problems: tuple[tuple[str, Location], ...] = ()


@dataclass(frozen=True, slots=True)
class Normalised:
    """The outcome of normalising items: kept records, findings, and the accounting."""

    records: tuple[Record, ...]
    findings: tuple[Finding, ...]
    read: int
    reported: int


_SCALARS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A copy of a parsed value with located containers turned into plain dicts and lists."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict | Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def nested_problems(values: Mapping[str, Any]) -> list[tuple[str, Location]]:
    """Parser problems (repeated keys) in the mappings nested inside a record's values."""
    found: list[tuple[str, Location]] = []
    stack = [value for value in values.values() if not isinstance(value, _SCALARS)]
    while stack:
        current = stack.pop()
        if isinstance(current, LocatedDict):
            found.extend(current.problems)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return sorted(found, key=lambda problem: problem[1])


def usable_id(value: Any) -> str | None:
    """The record id a value gives: a non-empty string, or an integer's decimal text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


@cache
def identifier_fields(kind: str) -> frozenset[str]:
    """Fields whose numbers keep their text as written: `id`, `version`, every reference."""
    return frozenset({"id", "version", *(ref.field for ref in KINDS[kind].references)})


@cache
def _identifier_containers(kind: str) -> tuple[str, ...]:
    """Reference fields that hold several ids: a list (`teams`) or a {key: id} map (`areas`)."""
    return tuple(ref.field for ref in KINDS[kind].references if ref.many or ref.mapping)


@cache
def strict_text_fields(kind: str) -> frozenset[str]:
    """Fields that are not free text: ids, references, enumerations, dates, lists, email."""
    spec = KINDS[kind]
    return frozenset({
        spec.id_field, "email", "version", "hash", "prev_hash",
        *(ref.field for ref in spec.references), *(spec.enums or {}), *spec.date_fields,
        *spec.list_fields,
    })


def literal_identifiers(kind: str, values: LocatedDict) -> LocatedDict:
    """`values` with each number in an identifier field as the file wrote it.

    An unquoted `version: 2.30` is the float 2.3 to YAML and JSON alike, and
    `id: 0042` the integer 42; as identifiers they are compared as text, so
    they keep the scalar's text (`"2.30"`, `"0042"`). In a list or {key: id}
    field (`teams`, `areas`) each number item does. `values` is not changed.
    """
    fields = identifier_fields(kind)
    changes: dict[str, Any] = {
        name: text for name, text in values.number_texts.items() if name in fields}
    for name in _identifier_containers(kind):
        value = values.get(name)
        if isinstance(value, LocatedList) and value.number_texts:
            items = LocatedList(value, location=value.location,
                                item_locations=value.item_locations)
            for index, text in value.number_texts.items():
                items[index] = text
            changes[name] = items
        elif isinstance(value, LocatedDict) and value.number_texts:
            entries = LocatedDict(value, location=value.location,
                                  key_locations=value.key_locations, problems=value.problems)
            entries.update(value.number_texts)
            changes[name] = entries
    if not changes:
        return values
    out = LocatedDict(values, location=values.location, key_locations=values.key_locations,
                      problems=values.problems)
    out.update(changes)
    return out


def _position(item: RawItem) -> tuple[str, int, int]:
    at = item.location
    return (at.path, at.line, at.column)


def _event_log_ids(items: Sequence[RawItem]) -> dict[str, str]:
    """Log path -> id prefix: '' when the inventory has one log, else `<file stem>/`."""
    logs = sorted({item.location.path for item in items if item.kind == EVENT})
    if len(logs) <= 1:
        return dict.fromkeys(logs, "")
    return {log: PurePosixPath(log).stem + "/" for log in logs}


@dataclass(frozen=True, slots=True)
class _Defect:
    """One item's part of a data-quality finding, before the parts on one entity are merged.

    `subject` names the record (`event '1'`); it is empty for an item that is
    not read, whose defects are reported on its file.
    """

    check: str
    entity: str
    subject: str
    text: str
    location: Location


# How many defects one merged finding lists (and relates) before it only counts the rest.
_LISTED = 50


def _merged(defects: Sequence[_Defect]) -> list[Finding]:
    """One finding per (check, entity), listing each defect on it with its line.

    Items that are not read are all reported on `file:<path>`, and events that
    share a seq share an entity; an entity never holds a line number, so a
    finding's fingerprint does not change when lines move.
    """
    groups: dict[tuple[str, str], list[_Defect]] = {}
    for defect in defects:
        groups.setdefault((defect.check, defect.entity), []).append(defect)
    findings: list[Finding] = []
    for (check, entity), group in groups.items():
        lines = [defect.location.line for defect in group]
        parts = []
        for defect in group[:_LISTED]:
            at = defect.location
            where = (f"line {at.line}, column {at.column}" if lines.count(at.line) > 1
                     else f"line {at.line}")
            parts.append(f"at {where}: {defect.text}")
        if len(group) > _LISTED:
            parts.append(f"and {len(group) - _LISTED} more")
        first = group[0]
        if not first.subject:
            message = (f"{parts[0]}; it is not read" if len(group) == 1
                       else f"{len(group)} items are not read: " + "; ".join(parts))
        elif len(group) == 1:
            message = f"{first.subject}: {first.text}"
        else:
            message = f"{first.subject} ({len(group)} records with this id): " + "; ".join(parts)
        related = tuple(defect.location for defect in group[1:_LISTED])
        findings.append(quality.quality_finding(check, entity, message, first.location,
                                                related=related))
    return findings


def normalise(items: Sequence[RawItem], limits: Limits | None = None) -> Normalised:
    """Turn items into canonical records, reporting every item that cannot be kept."""
    max_chars = (limits or Limits()).max_value_chars
    # Location order as a tuple key: compared in C rather than by Location's generated __lt__.
    ordered = sorted(items, key=_position)
    prefixes = _event_log_ids(ordered)
    defects: list[_Defect] = []
    findings: list[Finding] = []
    records: list[Record] = []
    first_seen: dict[str, Location] = {}
    duplicates: dict[str, list[Location]] = {}
    reported = 0
    for item in ordered:
        spec = KINDS[item.kind]
        if not isinstance(item.values, Mapping):
            reported += 1
            defects.append(_Defect(
                quality.SCHEMA, f"file:{item.location.path}", "",
                f"expected a {item.kind} record (a mapping), found"
                f" {_kind_of_value(item.values)}",
                item.location,
            ))
            continue
        own_id = usable_id(item.values.get(spec.id_field))
        if own_id is None:
            reported += 1
            defects.append(_Defect(
                quality.SCHEMA, f"file:{item.location.path}", "",
                f"{item.kind} record has no usable {spec.id_field}"
                f" ({_id_problem(item.values.get(spec.id_field))})",
                item.location,
            ))
            continue
        if item.kind == EVENT:
            own_id = prefixes[item.location.path] + own_id
        else:
            key = f"{item.kind}:{own_id}"
            if key in first_seen:
                reported += 1
                duplicates.setdefault(key, []).append(item.location)
                continue
            first_seen[key] = item.location
        record, record_defects = _record(item, own_id, max_chars)
        records.append(record)
        defects.extend(record_defects)
    findings.extend(_merged(defects))
    for key, later in duplicates.items():
        kind, _, own_id = key.partition(":")
        times = "twice" if len(later) == 1 else f"{len(later) + 1} times"
        findings.append(quality.quality_finding(
            quality.DUPLICATE_ID,
            key,
            f"{kind} {show(own_id)} is defined {times}; the first, at {first_seen[key]},"
            " is kept and this one is not read",
            later[0],
            related=(first_seen[key], *later[1:]),
        ))
    findings.sort(key=Finding.sort_key)
    return Normalised(tuple(records), tuple(findings), len(ordered), reported)


def _kind_of_value(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    return f"the value {show(value)}"


def _id_problem(value: Any) -> str:
    if value is None:
        return "it is missing"
    return f"{show(value)} is not a non-empty string"


@dataclass(frozen=True, slots=True)
class _KindRules:
    """What normalising a record of one kind needs, worked out once per kind."""

    date_fields: tuple[str, ...]
    strict: frozenset[str]


@cache
def _kind_rules(kind: str) -> _KindRules:
    return _KindRules(KINDS[kind].date_fields, strict_text_fields(kind))


# Exact types `plain` returns unchanged; checked with `type(value) in` (one set lookup)
# before calling it, so most values of a record cost no function call.
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
_PLAIN_DICTS = frozenset({dict, LocatedDict})


def _plain_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """`plain` copies of the non-null values, and whether any value is a container."""
    copied: dict[str, Any] = {}
    nested = False
    for key, value in values.items():
        if type(value) in _SCALAR_TYPES:
            if value is not None:
                copied[key] = value
        else:
            copied[key] = plain(value)
            nested = True
    return copied, nested


def _raw_values(item: RawItem, as_read: dict[str, Any]) -> Mapping[str, Any]:
    """`plain(item.raw or item.values)` as a mapping ({} when it is none).

    When the file's item is, key for key and in order, the record's values
    (no renames, value maps, defaults or identifier texts applied) and none
    of them is null, that copy is `as_read` itself: equal content, one copy.
    `Record.raw` and `Record.fields` then share their nested lists and maps;
    records are read-only from here on, and nothing may change them in place
    (`event_hash` reads `raw`).
    """
    values = item.values
    source = item.raw if item.raw is not None else values
    if (len(as_read) == len(values) == len(source)
            and (source is values or tuple(source.items()) == tuple(values.items()))):
        return as_read
    if type(source) in _PLAIN_DICTS:
        # `plain(source)` without a call per scalar (a CSV row holds only strings).
        return {key: value if type(value) in _SCALAR_TYPES else plain(value)
                for key, value in source.items()}
    raw = plain(source)
    return raw if isinstance(raw, Mapping) else {}


def _record(item: RawItem, own_id: str, max_chars: int) -> tuple[Record, list[_Defect]]:
    rules = _kind_rules(item.kind)
    values: Mapping[str, Any] = item.values
    # A null value means the field is absent, as an empty CSV cell does.
    as_read, nested = _plain_values(values)
    fields = dict(as_read)
    checked = as_read
    bad_dates: list[str] = []
    for name in rules.date_fields:
        if name not in fields:
            continue
        if checked is as_read:
            checked = dict(as_read)
        checked[name] = _DATE_PLACEHOLDER
        moment = parse_date(fields[name])
        if moment is None:
            bad_dates.append(f"{name} {show(fields.pop(name))} is not an ISO 8601 date")
        else:
            fields[name] = moment
    defects: list[_Defect] = []
    if bad_dates:
        defects.append(_Defect(quality.BAD_DATE, f"{item.kind}:{own_id}",
                               _label(item.kind, own_id), "; ".join(bad_dates), item.location))
    problems = _parser_problems(item, nested)
    messages = [message for message, _ in problems]
    messages.extend(violations(item.kind, checked))
    if not plainly_clean(as_read, max_chars):
        messages.extend(text_problems(as_read, max_chars, strict=rules.strict))
    if messages:
        # A problem the parser saw (a repeated key) is reported there; anything else at the record.
        where = problems[0][1] if problems else item.location
        defects.append(_Defect(quality.SCHEMA, f"{item.kind}:{own_id}",
                               _label(item.kind, own_id), "; ".join(messages), where))
    record = Record(
        kind=item.kind,
        id=own_id,
        fields=fields,
        location=item.location,
        raw=_raw_values(item, as_read),
        field_locations=dict(item.field_locations),
    )
    return record, defects


def _parser_problems(item: RawItem, nested: bool) -> list[tuple[str, Location]]:
    """The item's own parser problems and those of mappings nested in it, in file order."""
    if not nested:
        return sorted(item.problems, key=_where) if item.problems else []
    return sorted([*item.problems, *nested_problems(item.values)], key=_where)


def _where(problem: tuple[str, Location]) -> Location:
    return problem[1]


def _label(kind: str, own_id: str) -> str:
    """How a defect names its record (`event '1'`); only built when there is a defect."""
    return f"{kind} {show(own_id)}"


def located_item(kind: str, value: Any, location: Location, raw: Any = None) -> RawItem:
    """A RawItem located at `location`, with key locations and problems from a LocatedDict."""
    if isinstance(value, LocatedDict):
        return RawItem(kind, value, location, raw, dict(value.key_locations),
                       tuple(value.problems))
    return RawItem(kind, value, location, raw)
