"""Test cases in a `tests/` folder beside the policies (DESIGN: "a sibling tests/ file")."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcheck.errors import PolicyError
from govcheck.rules import load_policies

RULE = """\
id: X-OWNER
title: systems have an owner
controls: [X:1]
severity: low
target: system
assert: has(node.owner)
message: no owner
"""

CASES = """\
- name: owner present
  as_of: 2026-06-30
  inventory: {systems: [{id: s-1, owner: p-1}], people: [{id: p-1}]}
  expect: []
- name: owner missing
  as_of: 2026-06-30
  inventory: {systems: [{id: s-1}]}
  expect: [system:s-1]
"""


def test_tests_folder_is_read_as_test_cases_not_rules(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "owner.yaml").write_text(RULE, encoding="utf-8")
    (tmp_path / "tests" / "owner.yaml").write_text(CASES, encoding="utf-8")
    rules = load_policies([tmp_path])
    assert [r.info.id for r in rules] == ["X-OWNER"]
    assert [case.name for case in rules[0].tests] == ["owner present", "owner missing"]


def test_two_test_files_for_one_policy_are_refused(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "owner.yaml").write_text(RULE, encoding="utf-8")
    (tmp_path / "tests" / "owner.yaml").write_text(CASES, encoding="utf-8")
    (tmp_path / "owner.tests.yaml").write_text(CASES, encoding="utf-8")
    with pytest.raises(PolicyError, match="keep them in one"):
        load_policies([tmp_path])
