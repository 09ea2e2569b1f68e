"""evaluate(): findings, errors that do not stop the run, severity, params, evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govcheck.errors import UsageError
from govcheck.model import Result, Severity
from govcheck.rules import evaluate, load_policies
from govcheck.settings import merge_settings

from .conftest import AS_OF, DATA, graph_of, run_policy, write_policy

INVENTORY: dict[str, Any] = {
    "people": [{"id": "p-0"}, {"id": "p-1", "status": "active"},
               {"id": "p-2", "status": "leave"}],
    "teams": [{"id": "t-1"}],
    "systems": [
        {"id": "s-1", "status": "deployed", "owner": "p-1", "risk_tier": "low"},
        {"id": "s-2", "status": "deployed", "owner": "p-2", "risk_tier": "high"},
        {"id": "s-3", "status": "deployed", "owner": "t-1", "risk_tier": "critical"},
        {"id": "s-4", "status": "deployed", "risk_tier": "medium",
         "go_live": "2025-01-01"},
        {"id": "s-5", "status": "retired", "owner": "p-2"},
    ],
}


def test_sample_rules_give_located_findings(backend: str) -> None:
    findings, runs = run_policy(DATA / "sample", INVENTORY, backend)
    owner = {f.entity: f for f in findings if f.check == "T-OWNER-ACTIVE"}
    assert sorted(owner) == ["system:s-2", "system:s-3", "system:s-4"]
    assert all(f.result is Result.FAIL for f in owner.values())
    # messageExpression, with its let
    assert owner["system:s-2"].message == "System s-2 is owned by p-2, who is not an active person"
    assert owner["system:s-4"].message == "System s-4 has no owner"
    # severity raised by tier (low base; high -> medium, critical -> critical), never lowered
    assert owner["system:s-2"].severity is Severity.MEDIUM
    assert owner["system:s-3"].severity is Severity.CRITICAL
    assert owner["system:s-4"].severity is Severity.LOW
    # located at the record; evidence chain to the owner's record, own location left out
    assert owner["system:s-2"].location.line == 2
    assert [loc.line for loc in owner["system:s-2"].related] == [3]
    assert owner["system:s-2"].related[0].path == owner["system:s-2"].location.path
    assert owner["system:s-2"].remediation == "Name an active person as the system's owner."
    assert owner["system:s-2"].controls == ("ISO42001:A.3.2",)
    run = {r.check: r for r in runs}["T-OWNER-ACTIVE"]
    assert (run.evaluated, run.failed, run.errored) == (4, 3, 0)
    # phase nodes are located at their system's record
    phases = [f for f in findings if f.check == "T-PHASE-COVERED"]
    assert {f.entity for f in phases} >= {"phase:s-1/monitoring", "phase:s-5/retirement"}
    s1 = next(f for f in phases if f.entity == "phase:s-1/monitoring")
    assert s1.location.line == 1 and s1.severity is Severity.HIGH
    assert s1.message == "Phase monitoring of system s-1 has nobody assigned"


def test_params_default_and_override(backend: str) -> None:
    findings, _ = run_policy(DATA / "sample", INVENTORY, backend)
    assert [f.entity for f in findings if f.check == "T-GO-LIVE-RECENT"] == ["system:s-4"]
    findings, _ = run_policy(DATA / "sample", INVENTORY, backend,
                             params={"T-GO-LIVE-RECENT": {"max_days": 600}})
    assert [f.entity for f in findings if f.check == "T-GO-LIVE-RECENT"] == []
    assert findings[0].message  # the fixed message is used without messageExpression


def test_an_error_on_one_node_does_not_stop_the_run(tmp_path: Path, backend: str) -> None:
    folder = write_policy(tmp_path, """
        id: T-ERR
        title: reads a field some systems lack
        controls: [T:1]
        severity: medium
        target: system
        assert: node.owner.startsWith('p-') && node.owner != 'p-2'
        message: bad owner
    """)
    findings, runs = run_policy(folder, INVENTORY, backend)
    by_entity = {f.entity: f for f in findings}
    assert by_entity["system:s-4"].result is Result.ERROR
    message = by_entity["system:s-4"].message
    assert message.startswith("assert could not be evaluated on this node")
    assert len(message) < 260 and "Activation" not in message
    if backend == "fast":
        assert message.endswith("no such key: 'owner'")
    assert by_entity["system:s-2"].result is Result.FAIL
    assert by_entity["system:s-3"].result is Result.FAIL
    assert sorted(by_entity) == ["system:s-2", "system:s-3", "system:s-4", "system:s-5"]
    (run,) = runs
    assert (run.evaluated, run.failed, run.errored) == (5, 3, 1)


def test_when_errors_are_errors_and_message_errors_fall_back(tmp_path: Path, backend: str) -> None:
    folder = write_policy(tmp_path, """
        - id: T-WHEN
          title: when errors
          controls: [T:1]
          severity: low
          target: system
          when: node.owner == 'p-1' || node.go_live < now
          assert: "true"
          message: x
        - id: T-MSG
          title: message errors
          controls: [T:1]
          severity: low
          target: system
          assert: node.id == 's-1'
          messageExpression: "'owner ' + node.owner"
    """)
    findings, _ = run_policy(folder, INVENTORY, backend)
    when = [f for f in findings if f.check == "T-WHEN"]
    assert {f.entity for f in when} == {"system:s-2", "system:s-3", "system:s-5"}
    assert all(f.result is Result.ERROR and f.message.startswith("when") for f in when)
    msg = {f.entity: f for f in findings if f.check == "T-MSG"}
    assert msg["system:s-2"].result is Result.FAIL and msg["system:s-2"].message == "owner p-2"
    # The verdict stands when its wording fails: a fail with the static fallback.
    assert msg["system:s-4"].result is Result.FAIL
    assert msg["system:s-4"].message == "message errors"


def test_one_finding_per_entity_for_repeated_event_ids(tmp_path: Path, backend: str) -> None:
    folder = write_policy(tmp_path, """
        id: T-EV
        title: events
        controls: [T:1]
        severity: low
        target: event
        assert: "false"
        message: x
    """)
    inventory = {"events": [
        {"seq": 1, "at": "2026-01-01", "prev_hash": "0" * 64, "hash": "a"},
        {"seq": 1, "at": "2026-01-02", "prev_hash": "a", "hash": "b"},
    ]}
    findings, _ = run_policy(folder, inventory, backend)
    assert [f.entity for f in findings] == ["event:1"]


def test_unknown_backend_is_a_usage_error() -> None:
    rules = load_policies([DATA / "sample"])
    with pytest.raises(UsageError):
        evaluate(rules, graph_of(INVENTORY), now=AS_OF, settings=merge_settings(None),
                 params_overrides={}, backend="turbo")


def test_backend_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = load_policies([DATA / "sample"])
    monkeypatch.setenv("GOVCHECK_CEL_BACKEND", "reference")
    first = evaluate(rules, graph_of(INVENTORY), now=AS_OF, settings=merge_settings(None),
                     params_overrides={})
    monkeypatch.setenv("GOVCHECK_CEL_BACKEND", "nonsense")
    with pytest.raises(UsageError):
        evaluate(rules, graph_of(INVENTORY), now=AS_OF, settings=merge_settings(None),
                 params_overrides={})
    monkeypatch.delenv("GOVCHECK_CEL_BACKEND")
    second = evaluate(rules, graph_of(INVENTORY), now=AS_OF, settings=merge_settings(None),
                      params_overrides={})
    assert first == second
