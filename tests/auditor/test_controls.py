"""The controls catalogue loader and each control status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govcheck.builtin import builtin_controls_dir
from govcheck.controls import control_results, control_sort_key, load_catalogue
from govcheck.errors import PolicyError
from govcheck.model import (
    CheckInfo,
    CheckRun,
    ControlInfo,
    ControlResult,
    ControlStatus,
    Finding,
    Location,
    Result,
    Severity,
)

A32 = "ISO42001:A.3.2"
A92 = "ISO42001:A.9.2"


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_catalogue_loads_sorted_naturally(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", "id: ISO42001:A.10.2\ntitle: Ten\nrequirement: r\n")
    write(tmp_path, "a.yaml",
          "id: ISO42001:A.9.2\ntitle: Nine\nrequirement: r\nguidance: [g]\n"
          "manual_evidence: [minutes]\nchecks: [A.9.2-X]\n")
    write(tmp_path, "README.md", "not a control")
    catalogue = load_catalogue(tmp_path)
    assert [c.id for c in catalogue] == ["ISO42001:A.9.2", "ISO42001:A.10.2"]
    assert catalogue[0] == ControlInfo("ISO42001:A.9.2", "Nine", "r", ("g",), ("minutes",),
                                       ("A.9.2-X",))


def test_schema_error_is_located_at_the_bad_value(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: ISO42001:A.3.2\ntitle: T\nrequirement: r\nchecks:\n  - ok\n"
          "  - 7\n")
    with pytest.raises(PolicyError) as caught:
        load_catalogue(tmp_path)
    assert str(caught.value).startswith("a.yaml:6:5: checks.1: 7 is not of type 'string'")


def test_unknown_key_and_missing_requirement_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: ISO42001:A.3.2\ntitle: T\nrequirement: r\nchecks_: []\n")
    with pytest.raises(PolicyError, match=r"a.yaml:1:1: .*'checks_' was unexpected"):
        load_catalogue(tmp_path)
    write(tmp_path, "a.yaml", "id: ISO42001:A.3.2\ntitle: T\n")
    with pytest.raises(PolicyError, match="'requirement' is a required property"):
        load_catalogue(tmp_path)


def test_bad_yaml_and_duplicates_are_located(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: [unclosed\n")
    with pytest.raises(PolicyError, match=r"^a.yaml:2:1: not valid YAML"):
        load_catalogue(tmp_path)
    write(tmp_path, "a.yaml", "id: ISO42001:A.3.2\ntitle: T\nrequirement: r\n")
    write(tmp_path, "b.yaml", "id: ISO42001:A.3.2\ntitle: T2\nrequirement: r\n")
    with pytest.raises(PolicyError, match=re.escape(
            "b.yaml:1:1: control 'ISO42001:A.3.2' is already defined in a.yaml")):
        load_catalogue(tmp_path)


def test_missing_folder_is_an_empty_catalogue(tmp_path: Path) -> None:
    assert load_catalogue(tmp_path / "nope") == ()


def test_builtin_catalogue_loads() -> None:
    ids = [c.id for c in load_catalogue(builtin_controls_dir())]
    assert A32 in ids
    assert ids == sorted(ids, key=control_sort_key)


def info(check: str, *controls: str) -> CheckInfo:
    return CheckInfo(check, check, controls, Severity.MEDIUM)


def finding(check: str, entity: str, result: Result = Result.FAIL) -> Finding:
    return Finding(check, (A32,), Severity.MEDIUM, result, entity, "m", Location("x.yaml", 1, 1))


CATALOGUE = (
    ControlInfo(A32, "Roles", "r", manual_evidence=("charters",), checks=("A.3.2-CAT",)),
    ControlInfo(A92, "Use", "r"),
    ControlInfo("ISO42001:A.9.3", "Objectives", "r", manual_evidence=("minutes",)),
)


def by_id(results: tuple[ControlResult, ...]) -> dict[str, ControlResult]:
    return {r.id: r for r in results}


def test_each_status() -> None:
    checks = [info("A.3.2-CAT"), info("A.3.2-OWN", A32), info("A.9.2-NONE", A92),
              info("X-1", "OTHER:C.1")]
    runs = [CheckRun("A.3.2-CAT", 4, 1, 0), CheckRun("A.3.2-OWN", 4, 0, 0),
            CheckRun("A.9.2-NONE", 0, 0, 0), CheckRun("X-1", 2, 0, 0)]
    findings = [finding("A.3.2-CAT", "assignment:b"), finding("A.3.2-CAT", "assignment:a")]
    results = control_results(CATALOGUE, checks, runs, findings)
    assert [r.id for r in results] == [A32, A92, "ISO42001:A.9.3", "OTHER:C.1"]
    a32, a92, a93, other = results
    assert a32.status is ControlStatus.NOT_SATISFIED
    assert a32.checks == ("A.3.2-CAT", "A.3.2-OWN")
    assert (a32.passed, a32.failed, a32.errored) == (1, 1, 0)
    assert a32.failing_entities == ("assignment:a", "assignment:b")
    assert a32.manual_evidence == ("charters",)
    assert a92.status is ControlStatus.NOT_APPLICABLE
    assert (a92.passed, a92.failed, a92.errored) == (0, 0, 0)
    assert a93.status is ControlStatus.MANUAL and a93.checks == ()
    assert a93.manual_evidence == ("minutes",)
    assert other.status is ControlStatus.SATISFIED and other.title == "OTHER:C.1"


def test_waived_findings_are_counted_but_do_not_count_against_the_control() -> None:
    checks = [info("A.3.2-CAT")]
    runs = [CheckRun("A.3.2-CAT", 3, 1, 0)]
    waived = [finding("A.3.2-CAT", "assignment:b", Result.WAIVED),
              finding("A.3.2-CAT", "assignment:a", Result.WAIVED)]
    a32 = by_id(control_results(CATALOGUE, checks, runs, waived))[A32]
    assert a32.status is ControlStatus.SATISFIED
    assert (a32.passed, a32.failed, a32.errored) == (1, 0, 0)
    assert (a32.waived, a32.baselined) == (2, 0)
    assert a32.waived_entities == ("assignment:a", "assignment:b")
    assert a32.failing_entities == () and a32.baselined_entities == ()


def test_baselined_findings_leave_the_control_not_satisfied() -> None:
    # A baseline hides known findings from CI gating, not from the auditor.
    checks = [info("A.3.2-CAT"), info("A.3.2-OWN", A32)]
    runs = [CheckRun("A.3.2-CAT", 3, 1, 0), CheckRun("A.3.2-OWN", 5, 0, 0)]
    found = [finding("A.3.2-CAT", "assignment:b", Result.BASELINED),
             finding("A.3.2-CAT", "assignment:a", Result.WAIVED)]
    a32 = by_id(control_results(CATALOGUE, checks, runs, found))[A32]
    assert a32.status is ControlStatus.NOT_SATISFIED
    # The baselined check has not passed; it is not a gating failure either.
    assert (a32.passed, a32.failed, a32.errored) == (1, 0, 0)
    assert (a32.waived, a32.baselined) == (1, 1)
    assert a32.baselined_entities == ("assignment:b",)
    assert a32.waived_entities == ("assignment:a",)
    assert a32.failing_entities == ()


def test_errors_count_against_the_control() -> None:
    checks = [info("A.3.2-CAT")]
    runs = [CheckRun("A.3.2-CAT", 3, 0, 1)]
    errored = control_results(CATALOGUE, checks, runs,
                              [finding("A.3.2-CAT", "assignment:c", Result.ERROR)])
    assert errored[0].status is ControlStatus.NOT_SATISFIED
    assert (errored[0].passed, errored[0].failed, errored[0].errored) == (0, 0, 1)
    assert errored[0].failing_entities == ("assignment:c",)


def test_catalogue_checks_that_did_not_run_leave_the_control_manual() -> None:
    results = control_results(CATALOGUE, [info("A.3.2-CAT")], [], [])
    assert results[0].status is ControlStatus.MANUAL
    assert results[0].checks == ()
