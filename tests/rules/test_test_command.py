"""`govcheck test`: passing folders, wrong expectations, the coverage gate, load errors."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from govcheck.cli import cli

from .conftest import DATA, write_policy

CHECK = """
id: T-OWNED
title: systems are owned
controls: [T:1]
severity: low
target: system
assert: has(node.owner)
message: no owner
tests:
  - name: owned passes
    as_of: 2026-06-30
    inventory: {systems: [{id: s-1, owner: p-1}], people: [{id: p-1}]}
    expect: []
  - name: unowned fails
    as_of: 2026-06-30
    inventory: {systems: [{id: s-1}, {id: s-2, owner: p-1}], people: [{id: p-1}]}
    expect: [EXPECTED]
"""


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["test", *args])
    return result.exit_code, result.output


def test_sample_folder_passes() -> None:
    code, output = _run(str(DATA / "sample"))
    assert code == 0, output
    assert output.strip().splitlines()[-1] == (
        "6 test case(s) of 3 check(s): 6 passed, 0 failed")


def test_builtin_pack_passes() -> None:
    code, output = _run()
    assert code == 0, output
    assert " 0 failed" in output


def test_wrong_expectation_fails_with_its_location(tmp_path: Path) -> None:
    write_policy(tmp_path, CHECK.replace("EXPECTED", "system:s-2"))
    code, output = _run(str(tmp_path))
    assert code == 1
    line = output.splitlines()[0]
    assert line.endswith("policy.yaml:13:5: T-OWNED: unowned fails: expected [system:s-2]"
                         " got [system:s-1]")
    assert "2 test case(s) of 1 check(s): 1 passed, 1 failed" in output


def test_right_expectation_passes(tmp_path: Path) -> None:
    write_policy(tmp_path, CHECK.replace("EXPECTED", "system:s-1"))
    code, output = _run(str(tmp_path))
    assert code == 0, output


def test_check_without_failing_case_fails_the_gate(tmp_path: Path) -> None:
    text = CHECK.replace("EXPECTED", "system:s-1")
    write_policy(tmp_path, text[: text.index("  - name: unowned fails")])
    code, output = _run(str(tmp_path))
    assert code == 1
    assert "T-OWNED: no failing case" in output
    assert "1 check(s) without both a passing and a failing case" in output


def test_unexpected_error_is_a_failure(tmp_path: Path) -> None:
    write_policy(tmp_path, CHECK.replace("EXPECTED", "system:s-1")
                 .replace("assert: has(node.owner)", "assert: node.owner != ''"))
    code, output = _run(str(tmp_path))
    assert code == 1
    assert "unexpected error on system:s-1: assert could not be evaluated" in output


def test_policy_load_error_exits_2(tmp_path: Path) -> None:
    write_policy(tmp_path, CHECK.replace("EXPECTED", "system:s-1")
                 .replace("assert: has(node.owner)", "assert: has(node.owner"))
    code, output = _run(str(tmp_path))
    assert code == 2
    assert "policy.yaml:6:" in output and "not valid CEL" in output


def test_only_selected_checks(tmp_path: Path) -> None:
    shutil.copytree(DATA / "sample", tmp_path / "p")
    code, output = _run(str(tmp_path / "p"), "--check", "T-PHASE-COVERED")
    assert code == 0
    assert "2 test case(s) of 1 check(s)" in output
    code, output = _run(str(tmp_path / "p"), "--check", "T-NOPE")
    assert code == 2
