"""The inventory graph: records, phases and typed edges (a networkx MultiDiGraph on demand).

This is the only module that imports networkx, and only when an exporter or a
test asks for it. Rules and the engine see a `Graph`, whose methods answer in
node ids and plain maps, never networkx objects. Edges are named after the
reference field that makes them and point from the record holding the field to
the record it names (DESIGN.md, Graph).
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

from govcheck import quality
from govcheck.kinds import EDGE_HAS_PHASE, EDGE_PHASE, EDGE_PREVIOUS, KINDS, Reference
from govcheck.model import Finding, Location, Record

PHASE_KIND = "phase"


Succ = dict[str, dict[str, dict[str, dict[str, Any]]]]
"""networkx-shaped adjacency: source -> target -> edge name -> edge data."""
ByEdge = dict[str, dict[str, list[str]]]
"""node id -> edge name -> neighbour ids."""


def _outgoing_by_edge(targets: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """One node's outgoing neighbours by edge name, in networkx's order (targets by
    first insertion, each once per edge name)."""
    by_edge: dict[str, list[str]] = {}
    for target, keys in targets.items():
        for key in keys:
            by_edge.setdefault(key, []).append(target)
    return by_edge


def _adjacency(succ: Succ) -> tuple[ByEdge, ByEdge]:
    """(outgoing, incoming) by edge name from networkx-shaped adjacency; incoming sorted."""
    out: ByEdge = {}
    incoming: ByEdge = {}
    for source, targets in succ.items():
        out[source] = _outgoing_by_edge(targets)
        for target, keys in targets.items():
            for key in keys:
                incoming.setdefault(target, {}).setdefault(key, []).append(source)
    _sort_incoming(incoming)
    return out, incoming


def _sort_incoming(incoming: ByEdge) -> None:
    for by_edge in incoming.values():
        for sources in by_edge.values():
            sources.sort()


class Graph:
    """Read-only view of the inventory graph used by the engine and the rules.

    The graph keeps its own node table and adjacency (plain dicts, shaped like
    networkx's so that every order matches it); the networkx MultiDiGraph is
    built only when asked for (exporters, tests), so a `check` never pays for
    networkx's per-edge bookkeeping or its import.
    """

    def __init__(self, digraph: Any) -> None:
        # From an existing networkx graph (kept as is); the builder uses _from_parts.
        nodes = {node_id: data for node_id, data in digraph.nodes(data=True)}
        succ: Succ = {}
        order: list[tuple[str, str, str]] = []
        for source, target, key, data in digraph.edges(keys=True, data=True):
            succ.setdefault(source, {}).setdefault(target, {})[key] = data
            order.append((source, target, key))
        out, incoming = _adjacency(succ)
        self._setup(nodes, succ, order, out, incoming)
        self._nx: Any = digraph

    @classmethod
    def _from_parts(cls, nodes: dict[str, dict[str, Any]], succ: Succ,
                    order: list[tuple[str, str, str]], out: ByEdge, incoming: ByEdge) -> Graph:
        """A graph over the builder's tables; `out` and `incoming` as `_adjacency` makes them."""
        graph = cls.__new__(cls)
        graph._setup(nodes, succ, order, out, incoming)
        graph._nx = None
        return graph

    def _setup(self, nodes: dict[str, dict[str, Any]], succ: Succ,
               order: list[tuple[str, str, str]], out: ByEdge, incoming: ByEdge) -> None:
        self._nodes = nodes
        self._succ = succ
        self._order = order
        self._maps: dict[str, Mapping[str, Any]] = {}
        self._kinds: dict[str, str] = {}
        self._by_kind: dict[str, list[str]] = {}
        maps, kinds, by_kind = self._maps, self._kinds, self._by_kind
        for node_id, data in nodes.items():
            kind = data["kind"]
            maps[node_id] = data["map"]
            kinds[node_id] = kind
            ids = by_kind.get(kind)
            if ids is None:
                by_kind[kind] = [node_id]
            else:
                ids.append(node_id)
        for ids in by_kind.values():
            ids.sort()
        # Adjacency by edge name, built once (by the builder as it adds edges, or by
        # `_adjacency`): outgoing in networkx's per-node order (targets by first
        # insertion, each once), incoming sorted by node id. Rules ask for neighbours
        # hundreds of thousands of times; none of them scans edges.
        self._out = out
        self._in = incoming

    @property
    def networkx(self) -> Any:
        """The underlying MultiDiGraph (for exporters and tests only); built on first use."""
        if self._nx is None:
            import networkx as nx

            digraph = nx.MultiDiGraph()
            digraph.add_nodes_from(self._nodes.items())
            succ = self._succ
            digraph.add_edges_from((s, t, k, succ[s][t][k]) for s, t, k in self._order)
            self._nx = digraph
        return self._nx

    def kinds(self) -> list[str]:
        """Every node kind present, sorted."""
        return sorted(self._by_kind)

    def node_ids(self, kind: str) -> list[str]:
        """Node ids (`kind:id`) of one kind, sorted."""
        return list(self._by_kind.get(kind, ()))

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def edge_count(self) -> int:
        """How many edges the graph holds."""
        return len(self._order)

    def node(self, node_id: str) -> Mapping[str, Any]:
        """The node's map as rules see it: the record's fields plus `kind` (and `id`)."""
        return self._maps[node_id]

    def kind(self, node_id: str) -> str:
        """The node's kind."""
        return self._kinds[node_id]

    def location(self, node_id: str) -> Location:
        """Where the node's record is (a phase node: its system's record)."""
        loc: Location = self._nodes[node_id]["source"]
        return loc

    def record(self, node_id: str) -> Record | None:
        """The record behind a node (None for synthesized phase nodes)."""
        rec: Record | None = self._nodes[node_id].get("record")
        return rec

    def adjacency(self) -> tuple[Mapping[str, Mapping[str, list[str]]],
                                 Mapping[str, Mapping[str, list[str]]]]:
        """(outgoing, incoming): node id -> edge name -> neighbour ids. Read-only.

        Outgoing lists are in networkx's order, incoming lists sorted by node id;
        the order of the maps' own keys is unspecified.
        """
        return self._out, self._in

    def tables(self) -> tuple[Mapping[str, Mapping[str, Any]], Mapping[str, str]]:
        """(maps, kinds): node id -> node map, node id -> kind. Read-only; for loops over
        many nodes that would otherwise call `node` and `kind` for each."""
        return self._maps, self._kinds

    def edges_from(self, node_id: str) -> list[tuple[str, str]]:
        """(target, edge) of every edge leaving the node, in networkx's order."""
        return [(target, key) for target, keys in self._succ.get(node_id, {}).items()
                for key in keys]

    def outgoing(self, node_id: str, edge: str) -> list[str]:
        """Targets of `edge` edges leaving the node, in field order, each once."""
        by_edge = self._out.get(node_id)
        return list(by_edge.get(edge, ())) if by_edge else []

    def incoming(self, node_id: str, edge: str) -> list[str]:
        """Sources of `edge` edges arriving at the node, sorted by node id, each once."""
        by_edge = self._in.get(node_id)
        return list(by_edge.get(edge, ())) if by_edge else []

    def reach(self, node_id: str, edge: str) -> list[str]:
        """Every node reachable along `edge`, nearest first, `node_id` left out; cycle-safe."""
        seen = {node_id}
        order: list[str] = []
        queue = deque([node_id])
        while queue:
            current = queue.popleft()
            for target in self.outgoing(current, edge):
                if target not in seen:
                    seen.add(target)
                    order.append(target)
                    queue.append(target)
        return order

    def walk(self, node_id: str, edge: str) -> tuple[list[str], bool]:
        """The walk along a single-valued `edge` from `node_id` (exclusive) until a node
        repeats, and whether it ran into that cycle (`chain` and `loops` in CEL)."""
        seen = {node_id}
        walked: list[str] = []
        current = node_id
        while True:
            targets = self.outgoing(current, edge)
            if not targets:
                return walked, False
            current = targets[0]
            if current in seen:
                return walked, True
            seen.add(current)
            walked.append(current)

    def chain(self, node_id: str, edge: str) -> list[str]:
        """The walk along a single-valued `edge` from `node_id` (exclusive) until a node repeats."""
        return self.walk(node_id, edge)[0]

    def loops(self, node_id: str, edge: str) -> bool:
        """Whether the walk along `edge` from `node_id` runs into a cycle."""
        return self.walk(node_id, edge)[1]

    def system_of(self, node_id: str) -> str | None:
        """The system a node belongs to (itself, or the one its `system` edge names)."""
        if self.kind(node_id) == "system":
            return node_id
        if self.kind(node_id) == PHASE_KIND:
            system_id = f"system:{self.node(node_id)['system']}"
            return system_id if system_id in self else None
        targets = self.outgoing(node_id, "system")
        return targets[0] if targets else None


def _strip_qualifier(value: str, targets: Sequence[str]) -> tuple[str | None, str]:
    """Split `team:t-7` into ('team', 't-7') when the prefix is a target kind."""
    prefix, sep, rest = value.partition(":")
    if sep and prefix in targets and rest:
        return prefix, rest
    return None, value


_Resolved = tuple[str | None, str]
"""A reference's target node (None: dangles, "": ambiguous) and its bare id."""


class _Builder:
    def __init__(self, records: Sequence[Record], settings: Mapping[str, Any]) -> None:
        self.records = records
        self.settings = settings
        # Node attributes and adjacency shaped like networkx's (node -> target -> edge
        # name -> data), so orders match what networkx would give; `order` keeps each
        # edge's first insertion for building the networkx graph on demand.
        self.nodes: dict[str, dict[str, Any]] = {}
        self.succ: Succ = {}
        self.order: list[tuple[str, str, str]] = []
        # The rules' adjacency by edge name, kept up to date edge by edge rather than
        # rebuilt from `succ` afterwards (a second pass over every edge). Appending
        # gives networkx's outgoing order (targets by first insertion) except when an
        # edge name's list gains a target the node already had an edge to; those
        # few nodes (`reorder`) are redone from `succ` at the end.
        self.out: ByEdge = {}
        self.incoming: ByEdge = {}
        self.reorder: set[str] = set()
        self.findings: list[Finding] = []
        self.ids_by_kind: dict[str, set[str]] = {}
        # Resolutions by (value, target kinds): the same person or system is named by
        # thousands of fields, and resolving means splitting and set lookups.
        self.resolved: dict[tuple[str, tuple[str, ...]], _Resolved] = {}
        self.ids_of_kind: dict[str, list[str]] = {}  # node ids per kind, by insertion

    def build(self) -> tuple[Graph, list[Finding]]:
        for record in self.records:
            self.ids_by_kind.setdefault(record.kind, set()).add(record.id)
        event_logs: dict[str, list[str]] = {}
        linked: list[tuple[str, dict[str, Any], Record]] = []
        for record in self.records:
            node_id, node_map = self._add_record_node(record)
            linked.append((node_id, node_map, record))
            if record.kind == "event":
                event_logs.setdefault(record.location.path, []).append(node_id)
        for node_id, node_map, record in linked:
            self._add_reference_edges(node_id, node_map, record)
        self._add_phases()
        for log in event_logs.values():
            for earlier, later in pairwise(log):
                self._add_edge(later, earlier, EDGE_PREVIOUS)
        for source in self.reorder:
            self.out[source] = _outgoing_by_edge(self.succ[source])
        _sort_incoming(self.incoming)
        graph = Graph._from_parts(self.nodes, self.succ, self.order, self.out, self.incoming)
        return graph, self.findings

    def _add_node(self, node_id: str, attributes: dict[str, Any]) -> None:
        # networkx's add_node on an existing node updates its attributes in place.
        existing = self.nodes.get(node_id)
        if existing is None:
            self.nodes[node_id] = attributes
            self.ids_of_kind.setdefault(attributes["kind"], []).append(node_id)
        else:
            existing.update(attributes)

    def _add_edge(self, source: str, target: str, key: str,
                  data: Mapping[str, Any] | None = None) -> None:
        # networkx's add_edge with an existing key updates that edge's data. (get, then
        # create when missing: setdefault would build a throwaway dict on every call.)
        targets = self.succ.get(source)
        if targets is None:
            targets = self.succ[source] = {}
        keys = targets.get(target)
        new_target = keys is None
        if keys is None:
            keys = targets[target] = {}
        found = keys.get(key)
        if found is not None:
            if data:
                found.update(data)
            return
        keys[key] = dict(data) if data else {}
        self.order.append((source, target, key))
        self._index_edge(source, target, key, new_target)

    def _index_edge(self, source: str, target: str, key: str, new_target: bool) -> None:
        """Add a new edge to the rules' adjacency maps (see `out` in __init__)."""
        by_edge = self.out.get(source)
        if by_edge is None:
            by_edge = self.out[source] = {}
        listed = by_edge.get(key)
        if listed is None:
            by_edge[key] = [target]
        else:
            listed.append(target)
            if not new_target:
                # networkx lists targets by first insertion; this one came before
                # targets already listed for the edge name, so the list is redone.
                self.reorder.add(source)
        by_edge = self.incoming.get(target)
        if by_edge is None:
            by_edge = self.incoming[target] = {}
        listed = by_edge.get(key)
        if listed is None:
            by_edge[key] = [source]
        else:
            listed.append(source)

    def _add_record_node(self, record: Record) -> tuple[str, dict[str, Any]]:
        node_map = dict(record.fields)
        node_map["id"] = record.id
        # Approvals, exceptions and reviews have a `kind` field of their own (go-live,
        # override, responsible-use); it stays `kind`, as DESIGN's "the record's fields
        # plus kind" reads. Every other record gets the node kind there, so a stray `kind`
        # column on a person can never make them "not a person"; its value is kept as
        # `record_kind`. `node_kind` always holds the node kind.
        spec = KINDS.get(record.kind)
        if spec is None or "kind" not in spec.fields:
            if "kind" in node_map:
                node_map["record_kind"] = node_map["kind"]
            node_map["kind"] = record.kind
        else:
            node_map.setdefault("kind", record.kind)
        node_map["node_kind"] = record.kind
        if record.kind == "event":
            node_map["log"] = record.location.path
        node_id = f"{record.kind}:{record.id}"  # record.key, without the property call
        if node_id in self.nodes:
            # Only events may share an id (a repeated seq is LOG-INTEGRITY's to report);
            # the node map keeps the id, the node key is made unique by position.
            node_id = f"{node_id}@{record.location.path}:{record.location.line}"
        self._add_node(node_id, {"kind": record.kind, "source": record.location,
                                 "map": node_map, "record": record})
        return node_id, node_map

    def _resolve(self, value: str, targets: tuple[str, ...]) -> _Resolved:
        """The node a reference names ("" when ambiguous, None when it dangles), and its
        bare id."""
        key = (value, targets)
        found = self.resolved.get(key)
        if found is None:
            found = self.resolved[key] = self._lookup(value, targets)
        return found

    def _lookup(self, value: str, targets: tuple[str, ...]) -> _Resolved:
        kind, bare = _strip_qualifier(value, targets)
        candidates = [kind] if kind else list(targets)
        found = [k for k in candidates if bare in self.ids_by_kind.get(k, ())]
        if len(found) == 1:
            return f"{found[0]}:{bare}", bare
        if not found:
            return None, bare
        return "", bare

    def _link(self, node_id: str, ref: Reference, raw: str, area: str | None,
              problems: list[str]) -> str:
        """Add the edge one reference value makes (or note why it cannot); its bare id."""
        target, bare = self._resolve(raw, ref.targets)
        if target:
            self._add_edge(node_id, target, ref.field, {"area": area} if area else None)
        elif target is None:
            problems.append(f"{ref.field} '{raw}' names no {_kinds_phrase(ref.targets)}")
        else:
            problems.append(
                f"{ref.field} '{raw}' is ambiguous: more than one of"
                f" {', '.join(ref.targets)} has that id; qualify it, e.g."
                f" '{ref.targets[0]}:{bare}'"
            )
        return bare

    def _add_reference_edges(self, node_id: str, node_map: dict[str, Any],
                             record: Record) -> None:
        spec = KINDS.get(record.kind)
        if spec is None:
            return
        fields = record.fields
        problems: list[str] = []
        for ref in spec.references:
            if ref.field not in fields:
                continue
            value = fields[ref.field]
            if not ref.many and not ref.mapping:
                # The common case, a single id, without building value lists.
                if isinstance(value, str) and value:
                    node_map[ref.field] = self._link(node_id, ref, value, None, problems)
                continue  # a wrong type: INVENTORY-SCHEMA reports it
            pairs = self._reference_values(value, many=ref.many, mapping=ref.mapping)
            if pairs is None:
                continue  # wrong type: INVENTORY-SCHEMA reports it
            bare_values = [(key, self._link(node_id, ref, raw, key, problems))
                           for key, raw in pairs]
            node_map[ref.field] = _rebuild(value, bare_values, many=ref.many, mapping=ref.mapping)
        if problems:
            self.findings.append(
                quality.quality_finding(
                    quality.DANGLING_REF,
                    f"{record.kind}:{record.id}",
                    f"{record.kind} '{record.id}': " + "; ".join(problems),
                    record.location,
                )
            )

    @staticmethod
    def _reference_values(
        value: Any, *, many: bool, mapping: bool
    ) -> list[tuple[str | None, str]] | None:
        if mapping:
            if not isinstance(value, Mapping):
                return None
            return [(str(k), v) for k, v in value.items() if isinstance(v, str) and v]
        if many:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                return None
            return [(None, v) for v in value if isinstance(v, str) and v]
        if isinstance(value, str) and value:
            return [(None, value)]
        return None

    def _add_phases(self) -> None:
        required: Mapping[str, Iterable[str]] = self.settings.get("required_phases", {})
        for node_id in sorted(self.ids_of_kind.get("system", ())):
            data = self.nodes[node_id]
            system = data["map"]
            status = system.get("status")
            phases = required.get(status, ()) if isinstance(status, str) else ()
            for phase in phases:
                phase_key = f"{system['id']}/{phase}"
                phase_id = f"{PHASE_KIND}:{phase_key}"
                self._add_node(phase_id, {
                    "kind": PHASE_KIND,
                    "source": data["source"],
                    "map": {"id": phase_key, "system": system["id"], "phase": phase,
                            "kind": PHASE_KIND, "node_kind": PHASE_KIND},
                })
                self._add_edge(node_id, phase_id, EDGE_HAS_PHASE)
        # Assignment nodes in node order (a node's kind never changes once added).
        for node_id in self.ids_of_kind.get("assignment", ()):
            fields = self.nodes[node_id]["map"]
            system, phase = fields.get("system"), fields.get("phase")
            if isinstance(system, str) and isinstance(phase, str):
                phase_id = f"{PHASE_KIND}:{system}/{phase}"
                if phase_id in self.nodes:
                    self._add_edge(node_id, phase_id, EDGE_PHASE)


def _rebuild(
    value: Any, bare: list[tuple[str | None, str]], *, many: bool, mapping: bool
) -> Any:
    """The field's value with qualifiers stripped, so node maps hold bare ids."""
    if mapping:
        out = dict(value)
        for key, ref in bare:
            out[key] = ref
        return out
    if many:
        return [ref for _, ref in bare]
    return bare[0][1] if bare else value


def _kinds_phrase(kinds: Sequence[str]) -> str:
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


def build_graph(
    records: Sequence[Record], settings: Mapping[str, Any]
) -> tuple[Graph, list[Finding]]:
    """Build the graph from loaded records; returns it and the INVENTORY-DANGLING-REF findings."""
    return _Builder(records, settings).build()


# --- exports for `govcheck graph` ------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a node value (dates as ISO 8601 strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text.replace("+00:00", "Z")
    return value


def _sorted_edges(graph: Graph) -> list[tuple[str, str, str]]:
    return sorted((s, t, k) for s, t, k in graph.networkx.edges(keys=True))


def graph_to_json(graph: Graph) -> str:
    """Nodes (map and source) and edges as a JSON document, sorted."""
    g = graph.networkx
    nodes = [
        {
            "id": node_id,
            "kind": g.nodes[node_id]["kind"],
            "source": str(g.nodes[node_id]["source"]),
            "attributes": _plain(g.nodes[node_id]["map"]),
        }
        for node_id in sorted(g.nodes)
    ]
    edges = [{"source": s, "target": t, "type": k} for s, t, k in _sorted_edges(graph)]
    return json.dumps({"nodes": nodes, "edges": edges}, indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"


def graph_to_graphml(graph: Graph) -> str:
    """GraphML that networkx reads back with the same nodes and edges."""
    import networkx as nx

    g = graph.networkx
    out: Any = nx.MultiDiGraph()
    for node_id in sorted(g.nodes):
        data = g.nodes[node_id]
        out.add_node(
            node_id,
            kind=data["kind"],
            source=str(data["source"]),
            attributes=json.dumps(_plain(data["map"]), sort_keys=True, ensure_ascii=False),
        )
    for s, t, k in _sorted_edges(graph):
        out.add_edge(s, t, key=k, type=k)
    buffer = io.BytesIO()
    nx.write_graphml(out, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def graph_to_dot(graph: Graph) -> str:
    """Graphviz DOT, one node per record and phase, edges labelled by type."""
    g = graph.networkx
    lines = ["digraph govcheck {", "  rankdir=LR;"]
    for node_id in sorted(g.nodes):
        lines.append(f"  {_dot_quote(node_id)} [label={_dot_quote(node_id)}];")
    for s, t, k in _sorted_edges(graph):
        lines.append(f"  {_dot_quote(s)} -> {_dot_quote(t)} [label={_dot_quote(k)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_to_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart; node ids are numbered because Mermaid ids cannot hold ':' or '/'."""
    g = graph.networkx
    names = {node_id: f"n{i}" for i, node_id in enumerate(sorted(g.nodes))}
    lines = ["flowchart LR"]
    for node_id, short in names.items():
        label = node_id.replace('"', "#quot;")
        lines.append(f'  {short}["{label}"]')
    for s, t, k in _sorted_edges(graph):
        lines.append(f"  {names[s]} -->|{k}| {names[t]}")
    return "\n".join(lines) + "\n"


GRAPH_FORMATS = {
    "json": graph_to_json,
    "graphml": graph_to_graphml,
    "dot": graph_to_dot,
    "mermaid": graph_to_mermaid,
}
