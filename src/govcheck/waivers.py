"""Governed waivers: accept a known finding for a while, with a justification and an approver.

`govcheck-waivers.yaml` (at the inventory root, or `--waivers FILE`) lists
waivers; `schemas/waivers.schema.json` documents the file. A valid waiver
turns the gating findings it matches into `waived`. A waiver that has expired
is a WAIVER-EXPIRED finding, one that breaks the rules (fields missing, an
approver who is not a person in the inventory or who owns the waived entity,
an expiry too far ahead) is a WAIVER-INVALID finding; both are located at the
waiver's line, and the findings they would have covered keep failing.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

from govcheck.dates import parse_date
from govcheck.errors import InputError
from govcheck.model import (
    Basis,
    CheckInfo,
    Finding,
    Location,
    Result,
    Severity,
    failing_finding,
)

if TYPE_CHECKING:
    from govcheck.graph import Graph

__all__ = [
    "WAIVER_CHECKS",
    "WAIVER_EXPIRED",
    "WAIVER_INVALID",
    "Waiver",
    "apply_waivers",
    "entity_owners",
    "load_waivers",
]

WAIVER_EXPIRED = "WAIVER-EXPIRED"
WAIVER_INVALID = "WAIVER-INVALID"
_CONTROLS = ("ISO42001:A.9.2",)

WAIVER_CHECKS: dict[str, CheckInfo] = {
    info.id: info
    for info in (
        CheckInfo(
            WAIVER_EXPIRED,
            "Waivers are renewed or retired before they expire",
            _CONTROLS,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "An accepted gap is accepted only until the waiver's expiry; after it the"
                " gap is open again and the waiver must be renewed (re-approved) or removed."
            ),
            remediation="Fix the finding and remove the waiver, or renew it with a new"
            " approval and expiry.",
        ),
        CheckInfo(
            WAIVER_INVALID,
            "Waivers are complete and approved by someone independent",
            _CONTROLS,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "A waiver names a check, an entity, a justification, an approver who is a"
                " person in the inventory and not the owner of the waived entity, and an"
                " expiry at most waiver_max_days ahead; otherwise it accepts nothing."
            ),
            remediation="Complete the waiver, or have someone other than the entity's owner"
            " approve it, with an expiry within waiver_max_days.",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Waiver:
    """One entry of the waivers file, as read; `problems` are its schema defects."""

    number: int
    check: str
    entity: str
    justification: str
    approved_by: str
    ticket: str
    expires: datetime | None
    location: Location
    problems: tuple[str, ...] = ()

    @property
    def finding_entity(self) -> str:
        """The entity of this waiver's own WAIVER-* findings."""
        if self.check and self.entity:
            return f"waiver:{self.check}/{self.entity}"
        return f"waiver:#{self.number}"


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so `govcheck.dates` parses them like inventory dates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("govcheck.schemas").joinpath("waivers.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _mark_location(path: str, mark: Any) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


def _parse(data: bytes, path: str) -> tuple[Any, yaml.Node | None]:
    loader: _Loader | None = None
    try:
        # The reader decodes the first bytes already while it is constructed.
        loader = _Loader(data)
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(f"waivers file does not parse: {error.problem or error}",
                         _mark_location(path, mark)) from None
    except yaml.YAMLError as error:
        raise InputError(f"waivers file does not parse: {error}", Location(path)) from None
    except RecursionError:
        raise InputError("waivers file nested too deeply", Location(path)) from None
    finally:
        if loader is not None:
            loader.dispose()
    return value, node


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    """The node at `key` (a mapping key or a sequence index) under `node`."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    return None


def _node_at(root: yaml.Node | None, keys: Iterable[Any]) -> yaml.Node | None:
    node = root
    last = root
    for key in keys:
        node = _child(node, key)
        if node is None:
            return last
        last = node
    return last


def _duplicate_keys(node: yaml.Node | None) -> list[str]:
    if not isinstance(node, yaml.MappingNode):
        return []
    seen: set[Any] = set()
    duplicates = []
    for key_node, _ in node.value:
        if key_node.value in seen:
            duplicates.append(f"key '{key_node.value}' appears twice")
        seen.add(key_node.value)
    return duplicates


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value).strip()


def load_waivers(data: bytes, path: str) -> tuple[Waiver, ...]:
    """Read a waivers file (its bytes and the path to show in messages).

    Raises InputError (located) when the file does not parse or is not a
    mapping with a `waivers` list; a single bad waiver is kept with its problems.
    """
    value, root = _parse(data, path)
    if value is None:
        raise InputError("waivers file is empty; expected a mapping with a 'waivers' list",
                         Location(path))
    problems: dict[int, list[str]] = {}
    validator = jsonschema.Draft202012Validator(_schema())
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path))):
        where = list(error.absolute_path)
        if len(where) >= 2 and where[0] == "waivers" and isinstance(where[1], int):
            field = ".".join(str(part) for part in where[2:])
            problems.setdefault(where[1], []).append(
                f"{field}: {error.message}" if field else error.message
            )
            continue
        node = _node_at(root, where)
        location = _mark_location(path, node.start_mark if node is not None else None)
        raise InputError(f"waivers file: {error.message}", location)
    entries = value.get("waivers") or []
    sequence = _child(root, "waivers")
    waivers = []
    for index, entry in enumerate(entries):
        node = _child(sequence, index)
        location = _mark_location(path, node.start_mark if node is not None else None)
        fields = entry if isinstance(entry, Mapping) else {}
        found = problems.get(index, []) + _duplicate_keys(node)
        expires_text = _text(fields.get("expires"))
        expires = parse_date(expires_text) if expires_text else None
        if expires_text and expires is None:
            found.append(f"expires: '{expires_text}' is not an ISO 8601 date")
        waivers.append(Waiver(
            number=index + 1,
            check=_text(fields.get("check")),
            entity=_text(fields.get("entity")),
            justification=_text(fields.get("justification")),
            approved_by=_text(fields.get("approved_by")).removeprefix("person:"),
            ticket=_text(fields.get("ticket")),
            expires=expires,
            location=location,
            problems=tuple(dict.fromkeys(found)),
        ))
    return tuple(waivers)


def _persons(graph: Graph, node_ids: Iterable[str]) -> set[str]:
    return {node_id for node_id in node_ids if node_id in graph and graph.kind(node_id) == "person"}


def entity_owners(graph: Graph, entity: str) -> set[str]:
    """Person node ids that own an entity, who may not approve its waivers.

    An assignment's person; a system's owner; a phase's person assignees; a
    person themself; an exception's accountable; a training record's person;
    anything else belonging to a system: that system's owner.
    """
    if entity not in graph:
        return set()
    kind = graph.kind(entity)
    if kind == "person":
        return {entity}
    if kind in ("assignment", "training"):
        return _persons(graph, graph.outgoing(entity, "person"))
    if kind == "exception":
        return _persons(graph, graph.outgoing(entity, "accountable"))
    if kind == "phase":
        owners: set[str] = set()
        for assignment in graph.incoming(entity, "phase"):
            owners |= _persons(graph, graph.outgoing(assignment, "person"))
        return owners
    system = graph.system_of(entity)
    if system is None:
        return set()
    return _persons(graph, graph.outgoing(system, "owner"))


def _matches(waiver: Waiver, finding: Finding) -> bool:
    return (
        finding.check == waiver.check
        and finding.result.gates
        and fnmatch.fnmatchcase(finding.entity, waiver.entity)
    )


def _matching(waiver: Waiver, findings: Sequence[Finding],
              by_check: Mapping[str, Sequence[int]]) -> list[int]:
    """Positions of the findings a waiver covers, in order (`by_check`: positions per check)."""
    if not waiver.check:
        return []
    return [i for i in by_check.get(waiver.check, ()) if _matches(waiver, findings[i])]


def _rule_problems(
    waiver: Waiver, matched: Sequence[Finding], graph: Graph, now: datetime, max_days: int
) -> list[str]:
    """Why a complete waiver is still invalid: its approver, or an expiry too far ahead."""
    found: list[str] = []
    approver = f"person:{waiver.approved_by}"
    if approver not in graph or graph.kind(approver) != "person":
        found.append(f"approved_by '{waiver.approved_by}' is not a person in the inventory")
    else:
        owned = sorted({f.entity for f in matched if approver in entity_owners(graph, f.entity)})
        if owned:
            found.append(
                f"approved_by '{waiver.approved_by}' owns the waived {', '.join(owned)};"
                " someone independent must approve"
            )
    if waiver.expires is not None:
        ahead = (waiver.expires.date() - now.date()).days
        if ahead > max_days:
            found.append(
                f"expires {waiver.expires.date().isoformat()} is {ahead} days after"
                f" {now.date().isoformat()}; at most waiver_max_days ({max_days}) allowed"
            )
    return found


def _waiver_finding(check: str, waiver: Waiver, message: str,
                    matched: Sequence[Finding]) -> Finding:
    return failing_finding(WAIVER_CHECKS[check], waiver.finding_entity, message,
                           waiver.location, tuple(sorted({f.location for f in matched})))


def _justification(waiver: Waiver) -> str:
    details = []
    if waiver.ticket:
        details.append(f"ticket {waiver.ticket}")
    details.append(f"approved by {waiver.approved_by}")
    if waiver.expires is not None:
        details.append(f"expires {waiver.expires.date().isoformat()}")
    return f"{waiver.justification} ({'; '.join(details)})"


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[Waiver],
    graph: Graph,
    now: datetime,
    max_days: int,
) -> list[Finding]:
    """Findings with valid waivers applied, plus a WAIVER-* finding for each bad waiver.

    A valid waiver turns the gating findings whose check equals its check and
    whose entity matches its entity (exactly or as an fnmatch glob) into
    `waived`. "Expired" means `expires` is before `now`'s date (UTC).
    """
    result = list(findings)
    # Positions of each check's findings: a waiver names one check, so it looks at
    # those alone rather than at every finding (waivers x findings at scale).
    by_check: dict[str, list[int]] = {}
    for index, finding in enumerate(result):
        by_check.setdefault(finding.check, []).append(index)
    extra: list[Finding] = []
    used_entities: set[str] = set()
    for waiver in waivers:
        positions = _matching(waiver, result, by_check)
        matched = [result[i] for i in positions]
        label = f"waiver {waiver.number} ({waiver.check or '?'} on {waiver.entity or '?'})"
        problems = list(waiver.problems)
        if not problems:
            problems = _rule_problems(waiver, matched, graph, now, max_days)
        expired = waiver.expires is not None and waiver.expires.date() < now.date()
        if waiver.finding_entity in used_entities:
            waiver = dataclasses.replace(waiver, check="", entity="")
        used_entities.add(waiver.finding_entity)
        if problems:
            extra.append(_waiver_finding(
                WAIVER_INVALID, waiver,
                f"{label} is invalid and waives nothing: {'; '.join(problems)}", matched,
            ))
        if expired and waiver.expires is not None:
            extra.append(_waiver_finding(
                WAIVER_EXPIRED, waiver,
                f"{label} expired on {waiver.expires.date().isoformat()}; the findings it"
                " covered fail again",
                matched,
            ))
        if problems or expired:
            continue
        justification = _justification(waiver)
        for i in positions:
            result[i] = dataclasses.replace(result[i], result=Result.WAIVED,
                                            justification=justification)
    return result + extra
