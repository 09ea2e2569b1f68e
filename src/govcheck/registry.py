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
from govcheck.model import Finding, RegistryEntry
from govcheck.parallel import gc_paused

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


def _date_text(value: Any) -> str:
    """An ISO date (`2026-06-30`) for a parsed date; unparsed values were left out of the map."""
    return value.date().isoformat() if isinstance(value, datetime) else ""


_NO_EDGES: Mapping[str, list[str]] = {}
_NO_NODES: list[str] = []


class _RegistryBuilder:
    """Reads registry entries off the graph's tables and adjacency maps.

    A registry has an entry per system x phase (67,000 at 10,000 systems), each
    looking at a few assignments and persons. Reading the graph's maps directly
    (`Graph.outgoing` copies its list, `Graph.node` is a call) and remembering
    each node's display name keeps each entry to a handful of dict lookups.
    """

    def __init__(self, graph: Graph, gating_entities: frozenset[str],
                 phase_authority: Mapping[str, Any]) -> None:
        self.graph = graph
        self.out, self.incoming = graph.adjacency()
        self.maps, self.kinds = graph.tables()
        self.gating_entities = gating_entities
        self.phase_authority = phase_authority
        self.names: dict[str, str] = {}

    def edges(self, node_id: str, edge: str) -> list[str]:
        """Neighbours along `edge` (the graph's own list: read it, never change it)."""
        return self.out.get(node_id, _NO_EDGES).get(edge, _NO_NODES)

    def name(self, node_id: str) -> str:
        """A node's `name`, or its bare id when it has none."""
        name = self.names.get(node_id)
        if name is None:
            given = self.maps[node_id].get("name")
            name = given if isinstance(given, str) and given else _bare(node_id)
            self.names[node_id] = name
        return name

    def system_entries(self, system_id: str) -> list[RegistryEntry]:
        """The entries of one system, phases in lifecycle order."""
        maps = self.maps
        required = {str(maps[p].get("phase")) for p in self.edges(system_id, EDGE_HAS_PHASE)}
        grouped = self.phase_assignments(system_id)
        return [self.entry(system_id, phase, grouped.get(phase, _NO_NODES), phase in required)
                for phase in sorted(required | set(grouped), key=phase_order)]

    def phase_assignments(self, system_id: str) -> dict[str, list[str]]:
        """Assignment node ids of one system, grouped by the phase they name, sorted by id."""
        grouped: dict[str, list[str]] = {}
        for source in self.incoming.get(system_id, _NO_EDGES).get("system", _NO_NODES):
            if self.kinds[source] != "assignment":
                continue
            phase = self.maps[source].get("phase")
            if isinstance(phase, str) and phase:
                grouped.setdefault(phase, []).append(source)
        return grouped

    def assignees(self, assignments: Sequence[str]) -> tuple[list[str], tuple[str, ...],
                                                             tuple[str, ...], tuple[str, ...]]:
        """(owner assignments, owners, other assignees, backups) of a phase's assignments.

        Owners are person assignees, others the team and vendor ones, backups the
        person backups; each listed once, in assignment then field order.
        """
        kinds = self.kinds
        owner_assignments: list[str] = []
        owners: list[str] = []
        others: list[str] = []
        backups: list[str] = []
        for assignment in assignments:
            assignees = self.edges(assignment, "person")
            persons = [t for t in assignees if kinds[t] == "person"]
            if persons:
                owner_assignments.append(assignment)
                owners += persons
            if len(persons) < len(assignees):
                others += [t for t in assignees if kinds[t] != "person"]
            backups += [t for t in self.edges(assignment, "backup") if kinds[t] == "person"]
        return owner_assignments, _unique(owners), _unique(others), _unique(backups)

    def authorities(self, phase: str, holders: Sequence[str]) -> tuple[str, ...]:
        """What the phase requires of its owner: the holders' `authorities` and the
        phase's `phase_authority`, sorted."""
        authorities: set[str] = set()
        for assignment in holders:
            held = self.maps[assignment].get("authorities")
            if isinstance(held, list):
                authorities.update(str(a) for a in held)
        phase_required = self.phase_authority.get(phase)
        if isinstance(phase_required, str) and phase_required:
            authorities.add(phase_required)
        return tuple(sorted(authorities)) if authorities else ()

    def state(self, system_id: str, phase: str, assignments: Sequence[str], required: bool,
              has_owner: bool) -> str:
        if not required:
            return STATE_NOT_REQUIRED
        gating = self.gating_entities
        if not has_owner or f"phase:{_bare(system_id)}/{phase}" in gating or \
                not gating.isdisjoint(assignments):
            return STATE_GAP
        return STATE_OK

    def entry(self, system_id: str, phase: str, assignments: Sequence[str],
              required: bool) -> RegistryEntry:
        owner_assignments, owners, others, backups = self.assignees(assignments)
        # The dates of the first owner assignment (of the first assignment when no
        # person holds the phase): with two owners the phase is a gap anyway.
        candidates = owner_assignments or assignments
        primary = candidates[0] if candidates else None
        primary_map: Mapping[str, Any] = self.maps[primary] if primary else {}
        name = self.name
        return RegistryEntry(
            system=_bare(system_id),
            system_name=name(system_id),
            phase=phase,
            state=self.state(system_id, phase, assignments, required, bool(owners)),
            owners=tuple([_bare(o) for o in owners]),
            owner_names=tuple([name(o) for o in owners]),
            backups=tuple([_bare(b) for b in backups]),
            backup_names=tuple([name(b) for b in backups]),
            authorities=self.authorities(phase, candidates),
            assignments=tuple([_bare(a) for a in assignments]),
            assigned_at=_date_text(primary_map.get("assigned_at")),
            accepted_at=_date_text(primary_map.get("accepted_at")),
            reviewed_at=_date_text(primary_map.get("reviewed_at")),
            location=self.graph.location(primary or system_id),
            other_assignees=others,
        )


def _unique(values: list[str]) -> tuple[str, ...]:
    """The values once each, in first-seen order."""
    return tuple(values) if len(values) < 2 else tuple(dict.fromkeys(values))


@gc_paused()
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
    builder = _RegistryBuilder(graph, gating_entities, phase_authority)
    entries: list[RegistryEntry] = []
    for system_id in graph.node_ids("system"):
        entries.extend(builder.system_entries(system_id))
    return tuple(entries)
