"""The assignment registry: who owns each lifecycle phase of each system.

ISO/IEC 42001 B.3.2 asks for a record of who is responsible for what. This
module reads it off the graph (phase nodes, assignments, their person and
backup edges) for `govcheck who` and the HTML report's ownership map. It uses
only the `Graph` API, so it never touches networkx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from govcheck.kinds import EDGE_HAS_PHASE, PHASES
from govcheck.model import Finding, Location, RegistryEntry

if TYPE_CHECKING:
    from govcheck.graph import Graph

__all__ = ["STATE_GAP", "STATE_NOT_REQUIRED", "STATE_OK", "build_registry", "phase_order"]

STATE_OK = "ok"
STATE_GAP = "gap"
STATE_NOT_REQUIRED = "not-required"


def phase_order(phase: str) -> tuple[int, str]:
    """Lifecycle order for the seven phases; any other phase name after them, by name."""
    return (PHASES.index(phase), "") if phase in PHASES else (len(PHASES), phase)


def _bare(node_id: str) -> str:
    return node_id.partition(":")[2]


def _name(graph: Graph, node_id: str) -> str:
    name = graph.node(node_id).get("name")
    return name if isinstance(name, str) and name else _bare(node_id)


def _date_text(value: Any) -> str:
    """An ISO date (`2026-06-30`) for a parsed date; unparsed values were left out of the map."""
    return value.date().isoformat() if isinstance(value, datetime) else ""


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _phase_assignments(graph: Graph, system_id: str) -> dict[str, list[str]]:
    """Assignment node ids of one system, grouped by the phase they name, sorted by id."""
    grouped: dict[str, list[str]] = {}
    for source in graph.incoming(system_id, "system"):
        if graph.kind(source) != "assignment":
            continue
        phase = graph.node(source).get("phase")
        if isinstance(phase, str) and phase:
            grouped.setdefault(phase, []).append(source)
    return grouped


def _entry(
    graph: Graph,
    system_id: str,
    phase: str,
    assignments: Sequence[str],
    required: bool,
    gating_entities: frozenset[str],
    phase_authority: Mapping[str, Any],
) -> RegistryEntry:
    persons = {a: [t for t in graph.outgoing(a, "person") if graph.kind(t) == "person"]
               for a in assignments}
    owner_assignments = [a for a in assignments if persons[a]]
    owners = _unique(t for a in owner_assignments for t in persons[a])
    others = _unique(
        t for a in assignments for t in graph.outgoing(a, "person") if graph.kind(t) != "person"
    )
    backups = _unique(
        t for a in assignments for t in graph.outgoing(a, "backup") if graph.kind(t) == "person"
    )
    authorities: set[str] = set()
    for assignment in owner_assignments or assignments:
        held = graph.node(assignment).get("authorities")
        if isinstance(held, list):
            authorities.update(str(a) for a in held)
    phase_required = phase_authority.get(phase)
    if isinstance(phase_required, str) and phase_required:
        authorities.add(phase_required)
    # The dates of the first owner assignment (of the first assignment when no
    # person holds the phase): with two owners the phase is a gap anyway.
    candidates = owner_assignments or list(assignments)
    primary = candidates[0] if candidates else None
    primary_map: Mapping[str, Any] = graph.node(primary) if primary else {}
    phase_node = f"phase:{_bare(system_id)}/{phase}"
    if not required:
        state = STATE_NOT_REQUIRED
    elif not owners or phase_node in gating_entities or any(
        a in gating_entities for a in assignments
    ):
        state = STATE_GAP
    else:
        state = STATE_OK
    location: Location = graph.location(primary) if primary else graph.location(system_id)
    return RegistryEntry(
        system=_bare(system_id),
        system_name=_name(graph, system_id),
        phase=phase,
        state=state,
        owners=tuple(_bare(o) for o in owners),
        owner_names=tuple(_name(graph, o) for o in owners),
        backups=tuple(_bare(b) for b in backups),
        backup_names=tuple(_name(graph, b) for b in backups),
        authorities=tuple(sorted(authorities)),
        assignments=tuple(_bare(a) for a in assignments),
        assigned_at=_date_text(primary_map.get("assigned_at")),
        accepted_at=_date_text(primary_map.get("accepted_at")),
        reviewed_at=_date_text(primary_map.get("reviewed_at")),
        location=location,
        other_assignees=others,
    )


def build_registry(
    graph: Graph,
    findings: Iterable[Finding],
    settings: Mapping[str, Any] | None = None,
) -> tuple[RegistryEntry, ...]:
    """One entry per system x phase that the system requires or that an assignment names.

    Systems in id order, phases in lifecycle order. Owners are person assignees
    (a team or vendor assignee is not an owner; it is listed in
    `other_assignees` as `team:t-1`); backups come from every
    assignment of the phase. Authorities are what the phase requires of its
    owner: the owner assignments' `authorities` plus, when `settings` is given,
    the phase's `phase_authority`. State is `gap` when a required phase has no
    person owner or a gating finding sits on the phase node or on one of the
    phase's assignments, `ok` otherwise, and `not-required` for a phase only an
    assignment names.
    """
    gating_entities = frozenset(f.entity for f in findings if f.result.gates)
    phase_authority: Mapping[str, Any] = {}
    if settings is not None and isinstance(settings.get("phase_authority"), Mapping):
        phase_authority = settings["phase_authority"]
    entries: list[RegistryEntry] = []
    for system_id in graph.node_ids("system"):
        required = {
            str(graph.node(p).get("phase")) for p in graph.outgoing(system_id, EDGE_HAS_PHASE)
        }
        grouped = _phase_assignments(graph, system_id)
        for phase in sorted(required | set(grouped), key=phase_order):
            entries.append(
                _entry(
                    graph,
                    system_id,
                    phase,
                    grouped.get(phase, []),
                    phase in required,
                    gating_entities,
                    phase_authority,
                )
            )
    return tuple(entries)
