"""The graph builder: nodes, typed edges, phase nodes, dangling references, exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import networkx as nx
import pytest

from govcheck.graph import GRAPH_FORMATS, build_graph, graph_to_graphml
from govcheck.model import Location, Record
from govcheck.settings import merge_settings


def rec(kind: str, ident: str, line: int, **fields: Any) -> Record:
    path = {"person": "people.csv", "system": "systems.yaml"}.get(kind, f"{kind}s.yaml")
    key = "seq" if kind == "event" else "id"
    return Record(kind, ident, {key: ident, **fields}, Location(path, line, 1))


RECORDS = [
    rec("person", "p-1", 2, status="active", manager="p-2", teams=["t-1"]),
    rec("person", "p-2", 3, status="active", manager="p-3"),
    rec("person", "p-3", 4, status="active", manager="p-1"),
    rec("team", "t-1", 1, lead="p-1"),
    rec("vendor", "v-1", 1),
    rec("system", "s-1", 1, status="deployed", owner="p-1", areas={"risk": "p-2"}),
    rec("system", "s-2", 9, status="retired", owner="team:t-1"),
    rec("assignment", "a-1", 1, system="s-1", phase="validation", person="p-2", backup="p-3"),
    rec("assignment", "a-2", 5, system="s-2", phase="development", person="v-1"),
    rec("assignment", "a-3", 9, system="s-1", phase="monitoring", person="nobody"),
]


@pytest.fixture
def graph_and_findings() -> tuple[Any, Any]:
    return build_graph(RECORDS, merge_settings({}))


def test_nodes_are_kind_colon_id_and_located(graph_and_findings: tuple[Any, Any]) -> None:
    graph, _ = graph_and_findings
    assert graph.node_ids("person") == ["person:p-1", "person:p-2", "person:p-3"]
    assert graph.node("person:p-1")["id"] == "p-1"
    assert graph.node("person:p-1")["kind"] == "person"
    assert graph.location("assignment:a-3") == Location("assignments.yaml", 9, 1)


def test_phase_nodes_follow_required_phases_by_status(graph_and_findings: tuple[Any, Any]) -> None:
    graph, _ = graph_and_findings
    s1_phases = graph.outgoing("system:s-1", "has_phase")
    assert len(s1_phases) == 7
    assert graph.outgoing("system:s-2", "has_phase") == ["phase:s-2/retirement"]
    phase = graph.node("phase:s-1/validation")
    assert phase == {"id": "s-1/validation", "system": "s-1", "phase": "validation",
                     "kind": "phase", "node_kind": "phase"}
    assert graph.location("phase:s-1/validation") == graph.location("system:s-1")


def test_assignment_phase_edge_only_to_required_phase(graph_and_findings: tuple[Any, Any]) -> None:
    graph, _ = graph_and_findings
    assert graph.outgoing("assignment:a-1", "phase") == ["phase:s-1/validation"]
    # s-2 is retired: development is not required, so no phase node and no edge.
    assert graph.outgoing("assignment:a-2", "phase") == []
    assert graph.incoming("phase:s-1/validation", "phase") == ["assignment:a-1"]


def test_party_references_resolve_to_their_kind(graph_and_findings: tuple[Any, Any]) -> None:
    graph, _ = graph_and_findings
    assert graph.outgoing("assignment:a-2", "person") == ["vendor:v-1"]
    assert graph.outgoing("system:s-2", "owner") == ["team:t-1"]
    # Node maps hold bare ids; the edge says what the qualified id resolved to.
    assert graph.node("system:s-2")["owner"] == "t-1"
    assert graph.outgoing("system:s-1", "areas") == ["person:p-2"]
    assert sorted(graph.incoming("system:s-1", "system")) == [
        "assignment:a-1", "assignment:a-3"]


def test_dangling_reference_is_a_located_finding(graph_and_findings: tuple[Any, Any]) -> None:
    graph, findings = graph_and_findings
    assert [(f.check, f.entity, str(f.location)) for f in findings] == [
        ("INVENTORY-DANGLING-REF", "assignment:a-3", "assignments.yaml:9:1")]
    assert "nobody" in findings[0].message
    assert graph.outgoing("assignment:a-3", "person") == []


def test_ambiguous_bare_id_dangles() -> None:
    records = [rec("person", "x", 2), rec("team", "x", 1),
               rec("system", "s", 1, status="retired", owner="x")]
    graph, findings = build_graph(records, merge_settings({}))
    assert [f.entity for f in findings] == ["system:s"]
    assert "ambiguous" in findings[0].message
    assert graph.outgoing("system:s", "owner") == []


def test_reach_chain_and_loops_are_cycle_safe(graph_and_findings: tuple[Any, Any]) -> None:
    graph, _ = graph_and_findings
    assert graph.reach("person:p-1", "manager") == ["person:p-2", "person:p-3"]
    assert graph.chain("person:p-1", "manager") == ["person:p-2", "person:p-3"]
    assert graph.loops("person:p-1", "manager") is True
    assert graph.loops("team:t-1", "lead") is False
    assert graph.chain("team:t-1", "lead") == ["person:p-1", "person:p-2", "person:p-3"][:1]


def test_system_of_each_kind(graph_and_findings: tuple[Any, Any]) -> None:
    graph, _ = graph_and_findings
    assert graph.system_of("system:s-1") == "system:s-1"
    assert graph.system_of("assignment:a-1") == "system:s-1"
    assert graph.system_of("phase:s-2/retirement") == "system:s-2"
    assert graph.system_of("person:p-1") is None


def test_events_link_to_previous_in_file_order() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    records = [rec("event", str(n), n + 1, at=at) for n in (1, 2)]
    records.append(rec("event", "2", 4, at=at))  # a repeated seq stays a node of its own
    graph, findings = build_graph(records, merge_settings({}))
    assert findings == []
    events = graph.node_ids("event")
    assert len(events) == 3
    assert graph.outgoing("event:2", "previous") == ["event:1"]
    duplicate = next(e for e in events if e.startswith("event:2@"))
    assert graph.node(duplicate)["id"] == "2"
    assert graph.outgoing(duplicate, "previous") == ["event:2"]


def test_graphml_round_trips(graph_and_findings: tuple[Any, Any], tmp_path: Any) -> None:
    graph, _ = graph_and_findings
    path = tmp_path / "g.graphml"
    path.write_text(graph_to_graphml(graph), encoding="utf-8")
    loaded = nx.read_graphml(path, force_multigraph=True)
    assert set(loaded.nodes) == set(graph.networkx.nodes)
    original = sorted((s, t, k) for s, t, k in graph.networkx.edges(keys=True))
    back = sorted((s, t, d["type"]) for s, t, d in loaded.edges(data=True))
    assert back == original


@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_exports_are_deterministic(fmt: str) -> None:
    first, _ = build_graph(RECORDS, merge_settings({}))
    second, _ = build_graph(list(reversed(RECORDS)), merge_settings({}))
    assert GRAPH_FORMATS[fmt](first) == GRAPH_FORMATS[fmt](second)


def test_only_records_with_a_kind_field_keep_their_own_kind() -> None:
    records = [
        Record("person", "p-1", {"id": "p-1", "kind": "employee"}, Location("people.csv", 2, 1)),
        Record("approval", "ap-1", {"id": "ap-1", "system": "s", "kind": "go-live"},
               Location("approvals.yaml", 1, 1)),
        Record("approval", "ap-2", {"id": "ap-2", "system": "s"}, Location("approvals.yaml", 3, 1)),
    ]
    graph, _ = build_graph(records, merge_settings({}))
    person = graph.node("person:p-1")
    assert (person["kind"], person["node_kind"], person["record_kind"]) == (
        "person", "person", "employee")
    assert (graph.node("approval:ap-1")["kind"], graph.node("approval:ap-1")["node_kind"]) == (
        "go-live", "approval")
    assert graph.node("approval:ap-2")["kind"] == "approval"
