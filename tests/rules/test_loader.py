"""Loading policies: what loads, and every way it refuses, located at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcheck.errors import PolicyError
from govcheck.model import Location, Severity
from govcheck.rules import load_policies

from .conftest import DATA, write_policy

HEAD = """\
id: T-1
title: a check
controls: [T:1]
severity: low
target: system
message: failed
"""


def _error(folder: Path) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_policies([folder])
    return caught.value


def test_sample_policies_load_with_metadata_and_tests() -> None:
    rules = {rule.info.id: rule for rule in load_policies([DATA / "sample"])}
    assert sorted(rules) == ["T-GO-LIVE-RECENT", "T-OWNER-ACTIVE", "T-PHASE-COVERED"]
    owner = rules["T-OWNER-ACTIVE"]
    assert owner.info.controls == ("ISO42001:A.3.2",)
    assert owner.info.related == ("ISO42001:B.3.2",)
    assert owner.severity_by_tier == {"high": Severity.MEDIUM, "critical": Severity.CRITICAL}
    assert [e.name for e in owner.lets] == ["let owner", "let active"]
    assert owner.tests[0].name == "an active person owner passes"
    assert owner.tests[0].location.path.endswith("ownership.tests.yaml")
    assert rules["T-GO-LIVE-RECENT"].params == {"max_days": 365}
    assert rules["T-GO-LIVE-RECENT"].targets == ("system",)
    assert rules["T-PHASE-COVERED"].tests[1].expect == ("phase:s-1/incident",)
    assert owner.source.line == 2 and owner.source.column == 3


def test_syntax_error_points_into_the_expression(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD + "assert: node.status == 'x' &&\n")
    error = _error(folder)
    assert "T-1: assert is not valid CEL" in error.message
    assert isinstance(error.location, Location)
    assert (error.location.line, error.location.column) == (7, 28)


def test_syntax_error_in_a_folded_block(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD + "assert: >-\n  has(node.owner)\n  && (1 +* 2)\n")
    error = _error(folder)
    assert isinstance(error.location, Location)
    assert (error.location.line, error.location.column) == (9, 10)


def test_syntax_error_in_a_let(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD + "let:\n  a: size(\nassert: true\n")
    error = _error(folder)
    assert "let a is not valid CEL" in error.message
    assert isinstance(error.location, Location)
    assert error.location.line == 8


def test_unknown_function_and_name_are_refused_at_load(tmp_path: Path) -> None:
    error = _error(write_policy(tmp_path / "a", HEAD + "assert: frobnicate(node)\n"))
    assert "unknown function 'frobnicate()'" in error.message
    assert isinstance(error.location, Location) and error.location.line == 7
    error = _error(write_policy(tmp_path / "b", HEAD + "assert: nod.status == 'x'\n"))
    assert "unknown name 'nod'" in error.message
    error = _error(write_policy(tmp_path / "c", HEAD + "assert: node.x.shout()\n"))
    assert "unknown method 'shout()'" in error.message


def test_let_reads_only_earlier_lets(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD + "let:\n  a: b\n  b: size([])\nassert: a == 1\n")
    assert "unknown name 'b'" in _error(folder).message


def test_schema_error_is_located_at_the_field(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD.replace("severity: low", "severity: severe")
                          + "assert: true\n")
    error = _error(folder)
    assert "severity" in error.message and "'severe' is not one of" in error.message
    assert isinstance(error.location, Location) and error.location.line == 4


def test_missing_and_unknown_fields(tmp_path: Path) -> None:
    error = _error(write_policy(tmp_path / "a", HEAD))
    assert "'assert' is a required property" in error.message
    error = _error(write_policy(tmp_path / "b", HEAD + "assert: true\nasert: true\n"))
    assert "unknown field(s) asert" in error.message
    assert isinstance(error.location, Location) and error.location.line == 8


def test_duplicate_check_ids_are_refused(tmp_path: Path) -> None:
    write_policy(tmp_path, HEAD + "assert: true\n", "a.yaml")
    write_policy(tmp_path, HEAD + "assert: false\n", "b.yaml")
    error = _error(tmp_path)
    assert "check id 'T-1' is already defined at" in error.message
    assert "a.yaml:1:1" in error.message
    assert isinstance(error.location, Location) and error.location.path.endswith("b.yaml")


def test_unknown_target_kind_is_refused(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD.replace("target: system", "target: [system, robot]")
                          + "assert: true\n")
    error = _error(folder)
    assert "unknown target kind 'robot'" in error.message
    assert isinstance(error.location, Location) and error.location.line == 5


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD + "assert: true\nassert: false\n")
    error = _error(folder)
    assert "appears more than once" in error.message
    assert isinstance(error.location, Location) and error.location.line == 8


def test_bad_test_case_is_located(tmp_path: Path) -> None:
    folder = write_policy(tmp_path, HEAD + "assert: true\ntests:\n  - name: x\n"
                          "    as_of: 2026-06-30\n    inventory: {}\n    expect: [s-1]\n")
    error = _error(folder)
    assert "expect" in error.message
    assert isinstance(error.location, Location) and error.location.line == 12


def test_tests_file_is_not_a_policy_and_must_match_checks(tmp_path: Path) -> None:
    write_policy(tmp_path, HEAD + "assert: true\n", "one.yaml")
    write_policy(tmp_path, "T-2:\n  - {name: x, as_of: 2026-06-30, inventory: {}, expect: []}\n",
                 "one.tests.yaml")
    error = _error(tmp_path)
    assert "test cases for 'T-2'" in error.message


def test_a_list_tests_file_for_a_single_check(tmp_path: Path) -> None:
    write_policy(tmp_path, HEAD + "assert: true\n", "one.yaml")
    write_policy(tmp_path, "- {name: x, as_of: 2026-06-30, inventory: {}, expect: []}\n",
                 "one.tests.yaml")
    (rule,) = load_policies([tmp_path])
    assert [case.name for case in rule.tests] == ["x"]
    assert rule.tests[0].location.line == 1


def test_not_a_folder(tmp_path: Path) -> None:
    assert "is not a directory" in _error(tmp_path / "nope").message
