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
from pathlib import PurePosixPath
from typing import Any

from govcheck import quality
from govcheck.dates import parse_date
from govcheck.kinds import KINDS
from govcheck.loaders.limits import Limits
from govcheck.loaders.located import LocatedDict
from govcheck.loaders.validation import show, text_problems, violations
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


def _event_log_ids(items: Sequence[RawItem]) -> dict[str, str]:
    """Log path -> id prefix: '' when the inventory has one log, else `<file stem>/`."""
    logs = sorted({item.location.path for item in items if item.kind == EVENT})
    if len(logs) <= 1:
        return dict.fromkeys(logs, "")
    return {log: PurePosixPath(log).stem + "/" for log in logs}


def _entity_of_unidentified(item: RawItem) -> str:
    return f"file:{item.location.path}:{item.location.line}"


def normalise(items: Sequence[RawItem], limits: Limits | None = None) -> Normalised:
    """Turn items into canonical records, reporting every item that cannot be kept."""
    max_chars = (limits or Limits()).max_value_chars
    ordered = sorted(items, key=lambda item: item.location)
    prefixes = _event_log_ids(ordered)
    findings: list[Finding] = []
    records: list[Record] = []
    first_seen: dict[str, Location] = {}
    duplicates: dict[str, list[Location]] = {}
    reported = 0
    for item in ordered:
        spec = KINDS[item.kind]
        if not isinstance(item.values, Mapping):
            reported += 1
            findings.append(quality.quality_finding(
                quality.SCHEMA,
                _entity_of_unidentified(item),
                f"expected a {item.kind} record (a mapping) here, found"
                f" {_kind_of_value(item.values)}; it is not read",
                item.location,
            ))
            continue
        own_id = usable_id(item.values.get(spec.id_field))
        if own_id is None:
            reported += 1
            findings.append(quality.quality_finding(
                quality.SCHEMA,
                _entity_of_unidentified(item),
                f"{item.kind} record has no usable {spec.id_field}"
                f" ({_id_problem(item.values.get(spec.id_field))}); it is not read",
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
        record, finding_list = _record(item, own_id, max_chars)
        records.append(record)
        findings.extend(finding_list)
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


def _record(item: RawItem, own_id: str, max_chars: int) -> tuple[Record, list[Finding]]:
    spec = KINDS[item.kind]
    values: Mapping[str, Any] = item.values
    # A null value means the field is absent, as an empty CSV cell does.
    as_read = {key: plain(value) for key, value in values.items() if value is not None}
    fields = dict(as_read)
    bad_dates: list[str] = []
    for name in spec.date_fields:
        if name not in fields:
            continue
        moment = parse_date(fields[name])
        if moment is None:
            bad_dates.append(f"{name} {show(fields.pop(name))} is not an ISO 8601 date")
        else:
            fields[name] = moment
    entity = f"{item.kind}:{own_id}"
    label = f"{item.kind} {show(own_id)}"
    findings: list[Finding] = []
    if bad_dates:
        findings.append(quality.quality_finding(
            quality.BAD_DATE, entity, f"{label}: " + "; ".join(bad_dates), item.location,
        ))
    checked = dict(as_read)
    for name in spec.date_fields:
        if name in checked:
            checked[name] = _DATE_PLACEHOLDER
    problems = [*item.problems, *nested_problems(values)]
    messages = [message for message, _ in problems]
    messages.extend(violations(item.kind, checked))
    messages.extend(text_problems(as_read, max_chars))
    if messages:
        # A repeated key is reported at that key; anything else at the record.
        where = problems[0][1] if problems else item.location
        findings.append(quality.quality_finding(
            quality.SCHEMA, entity, f"{label}: " + "; ".join(messages), where,
        ))
    raw = plain(item.raw if item.raw is not None else values)
    record = Record(
        kind=item.kind,
        id=own_id,
        fields=fields,
        location=item.location,
        raw=raw if isinstance(raw, Mapping) else {},
        field_locations=dict(item.field_locations),
    )
    return record, findings


def located_item(kind: str, value: Any, location: Location, raw: Any = None) -> RawItem:
    """A RawItem located at `location`, with key locations and problems from a LocatedDict."""
    if isinstance(value, LocatedDict):
        return RawItem(kind, value, location, raw, dict(value.key_locations),
                       tuple(value.problems))
    return RawItem(kind, value, location, raw)
