"""The A.9.2 pack against its catalogue entries, and the graph field its rules rely on."""

from __future__ import annotations

from pathlib import Path

import yaml

from govcheck.controls import load_catalogue
from govcheck.graph import build_graph
from govcheck.loaders import inventory_from_mapping
from govcheck.quality import QUALITY_CHECKS
from govcheck.rules import load_policies
from govcheck.settings import merge_settings

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies" / "iso42001" / "a9.2"
NAMES = (
    "INVENTORY-COMPLETE", "APPROVAL-BEFORE-GOLIVE", "APPROVAL-EVIDENCE", "APPROVER-INDEPENDENT",
    "APPROVAL-CURRENT", "SOURCING-APPROVED", "EXCEPTION-LOGGED", "EXCEPTION-CLOSED",
    "HUMAN-OVERSIGHT", "REVIEW-NOT-OVERDUE", "REGULATION-MAPPED", "COST-OWNER", "RETIRED-CLEAN",
    "LOG-INTEGRITY",
)


def _pack() -> dict[str, dict[str, object]]:
    rules = [yaml.safe_load(p.read_text("utf-8")) for p in sorted(PACK.glob("*.yaml"))]
    return {str(rule["id"]): rule for rule in rules}


def test_the_pack_has_the_fourteen_checks_and_they_load() -> None:
    assert sorted(_pack()) == sorted(f"A.9.2-{name}" for name in NAMES)
    loaded = {rule.info.id for rule in load_policies([PACK])}
    assert loaded == set(_pack())


def test_a92_entry_lists_the_pack_and_every_data_quality_check() -> None:
    controls = {c.id: c for c in load_catalogue(REPO / "controls")}
    a92 = controls["ISO42001:A.9.2"]
    assert set(a92.checks) == set(_pack()) | set(QUALITY_CHECKS)
    assert a92.manual_evidence and a92.guidance
    assert any("communicated" in item for item in a92.manual_evidence)


def test_every_related_iso_control_has_an_entry_that_lists_the_check() -> None:
    controls = {c.id: c for c in load_catalogue(REPO / "controls")}
    for check, rule in _pack().items():
        related = rule.get("related")
        assert isinstance(related, list)
        for control_id in related:
            if str(control_id).startswith("ISO42001:"):
                assert check in controls[control_id].checks, (check, control_id)
    assert "A.3.2-VENDOR-PHASE-CONTRACT" in controls["ISO42001:A.10.2"].checks
    assert controls["ISO42001:A.6.2.8"].checks == ("A.9.2-LOG-INTEGRITY",)


def test_the_records_own_kind_stays_kind_beside_the_node_kind() -> None:
    inventory = inventory_from_mapping({
        "systems": [{"id": "s-1", "status": "deployed"}],
        "approvals": [{"id": "ap-1", "system": "s-1", "kind": "go-live"}],
        "reviews": [{"id": "rv-1", "system": "s-1", "kind": "fairness"}],
    })
    graph, _ = build_graph(inventory.records, merge_settings({}))

    approval = graph.node("approval:ap-1")
    assert (approval["kind"], approval["node_kind"]) == ("go-live", "approval")
    assert graph.node("review:rv-1")["kind"] == "fairness"
    assert (graph.node("system:s-1")["kind"], graph.node("system:s-1")["node_kind"]) == (
        "system", "system")
