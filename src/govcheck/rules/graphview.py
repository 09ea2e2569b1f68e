"""The graph as rules see it: node maps in, node maps out.

`outgoing(n, 'edge')` and friends receive a node *map* (what `node` or an
earlier call gave the rule). We find the node behind it by identity (the map
is the graph's own dict, so duplicated event ids still resolve to the right
node) and fall back to its `kind` and `id`. Results are lists of the graph's
own node maps, so chained calls resolve by identity again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govcheck.rules.semantics import CelError, event_hash

if TYPE_CHECKING:
    from govcheck.graph import Graph

# Shared empty answers; callers only read them.
_NO_EDGES: Mapping[str, list[str]] = {}
_NO_NODES: list[str] = []


class GraphView:
    """Node lookup and the graph functions of the CEL environment, for one run."""

    __slots__ = ("_by_identity", "_by_kind_id", "_cache", "_incoming", "_outgoing", "graph",
                 "in_memo", "out_memo")

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._by_identity: dict[int, str] = {}
        self._by_kind_id: dict[tuple[str, str], str] = {}
        for kind in graph.kinds():
            for key in graph.node_ids(kind):
                node_map = graph.node(key)
                self._by_identity[id(node_map)] = key
                self._by_kind_id.setdefault((kind, str(node_map.get("id"))), key)
        self._cache: dict[tuple[str, str, str], Any] = {}
        # outgoing() and incoming() are most of a rule's graph calls: their own memos, by
        # (id of a graph map, edge), which generated rule code reads directly.
        self.out_memo: dict[tuple[int, str], list[Any]] = {}
        self.in_memo: dict[tuple[int, str], list[Any]] = {}
        # The graph's own adjacency by edge name (built once with the graph, so forked
        # workers inherit it): the same lists Graph.outgoing and Graph.incoming give.
        self._outgoing, self._incoming = graph.adjacency()

    def key_of(self, node_map: Any) -> str:
        """The graph key of a node map; an error when the value is no node."""
        key = self._by_identity.get(id(node_map))
        if key is not None:
            return key
        if isinstance(node_map, Mapping):
            kind, ident = node_map.get("node_kind", node_map.get("kind")), node_map.get("id")
            if kind is not None and ident is not None:
                found = self._by_kind_id.get((str(kind), str(ident)))
                if found is not None:
                    return found
        raise CelError("the first argument is not a node of the graph")

    def maps(self, keys: list[str]) -> list[Any]:
        """The node maps of some node keys, in order."""
        node = self.graph.node
        return [node(key) for key in keys]

    def out_keys(self, key: str, edge: str) -> list[str]:
        """Node keys `edge` leads to from `key`, as Graph.outgoing gives them."""
        return self._outgoing.get(key, _NO_EDGES).get(edge, _NO_NODES)

    def in_keys(self, key: str, edge: str) -> list[str]:
        """Node keys whose `edge` leads to `key`, as Graph.incoming gives them."""
        return self._incoming.get(key, _NO_EDGES).get(edge, _NO_NODES)

    def _walk(self, how: str, node_map: Any, edge: Any) -> Any:
        if not isinstance(edge, str):
            raise CelError(f"{how}(): the edge name must be a string")
        key = self.key_of(node_map)
        memo = (how, key, edge)
        found = self._cache.get(memo)
        if found is None:
            if how == "reach":
                found = self.maps(self.graph.reach(key, edge))
            elif how == "chain":
                found = self.maps(self.graph.chain(key, edge))
            else:
                found = self.graph.loops(key, edge)
            self._cache[memo] = found
        return found

    def outgoing(self, node_map: Any, edge: Any) -> list[Any]:
        """Neighbour maps along `edge` leaving the node, in field order."""
        if not isinstance(edge, str):
            raise CelError("outgoing(): the edge name must be a string")
        node_id = id(node_map)
        key = self._by_identity.get(node_id)
        if key is None:  # not one of the graph's own maps: found by kind and id, not memoised
            return self.maps(self.out_keys(self.key_of(node_map), edge))
        # The graph's maps live as long as the view, so their ids name them for the run.
        memo = (node_id, edge)
        found = self.out_memo.get(memo)
        if found is None:
            found = self.out_memo[memo] = self.maps(self.out_keys(key, edge))
        return found

    def incoming(self, node_map: Any, edge: Any) -> list[Any]:
        """Maps of the nodes whose `edge` names this node, sorted by node key."""
        if not isinstance(edge, str):
            raise CelError("incoming(): the edge name must be a string")
        node_id = id(node_map)
        key = self._by_identity.get(node_id)
        if key is None:
            return self.maps(self.in_keys(self.key_of(node_map), edge))
        memo = (node_id, edge)
        found = self.in_memo.get(memo)
        if found is None:
            found = self.in_memo[memo] = self.maps(self.in_keys(key, edge))
        return found

    def reach(self, node_map: Any, edge: Any) -> list[Any]:
        """Every node reachable along `edge`, nearest first, the node left out."""
        result: list[Any] = self._walk("reach", node_map, edge)
        return result

    def chain(self, node_map: Any, edge: Any) -> list[Any]:
        """The walk along a single-valued edge until a node repeats."""
        result: list[Any] = self._walk("chain", node_map, edge)
        return result

    def loops(self, node_map: Any, edge: Any) -> bool:
        """Whether the walk along `edge` runs into a cycle."""
        return bool(self._walk("loops", node_map, edge))

    def event_hash(self, node_map: Any) -> str:
        """The recomputed chain hash of an event node, from its raw record."""
        key = self.key_of(node_map)
        record = self.graph.record(key)
        if record is None or record.kind != "event":
            raise CelError("event_hash(): the argument is not an event")
        return event_hash(record.raw or record.fields)
