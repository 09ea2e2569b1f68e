"""The A.3.2 catalogue entry, and the check pages scripts/gen_check_docs.py writes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from govcheck.controls import load_catalogue

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies" / "iso42001" / "a3.2"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_check_docs", REPO / "scripts" /
                                                  "gen_check_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """The docs generator script, imported as a module."""
    return _generator()


def _pack_ids() -> list[str]:
    return sorted(yaml.safe_load(p.read_text("utf-8"))["id"] for p in PACK.glob("*.yaml"))


def test_the_pack_has_the_fourteen_checks() -> None:
    names = [
        "SYSTEM-OWNER-NAMED", "PHASE-OWNER-NAMED", "SINGLE-ACCOUNTABLE", "OWNER-ACTIVE",
        "BACKUP-NAMED", "BACKUP-EMPOWERED", "ASSIGNMENT-ACCEPTED", "AUTHORITY-MATCHES",
        "VALIDATOR-INDEPENDENT", "ESCALATION-PATH", "ASSIGNMENT-REVIEWED", "TRAINING-CURRENT",
        "VENDOR-PHASE-CONTRACT", "AREAS-COVERED",
    ]
    assert _pack_ids() == sorted(f"A.3.2-{name}" for name in names)


def test_catalogue_entry_lists_every_check_of_the_pack() -> None:
    controls = {c.id: c for c in load_catalogue(REPO / "controls")}
    a32 = controls["ISO42001:A.3.2"]
    assert sorted(a32.checks) == _pack_ids()
    assert a32.manual_evidence and a32.guidance
    # Every guidance point names the checks that cover it.
    assert all("A.3.2-" in point for point in a32.guidance)
    assert controls["ISO42001:B.3.2"].checks == ("A.3.2-AREAS-COVERED",)


def test_sibling_tests_file_is_read_and_not_taken_for_rules(
    gen: ModuleType, tmp_path: Path
) -> None:
    pack = tmp_path / "policies" / "x"
    pack.mkdir(parents=True)
    (pack / "rule.yaml").write_text(
        "id: X-ONE\ntitle: One\ntarget: system\nassert: 'true'\n"
        "tests:\n  - {name: inline, as_of: 2026-06-30, inventory: {}, expect: []}\n",
        encoding="utf-8",
    )
    (pack / "rule.tests.yaml").write_text(
        "- {name: sibling, as_of: 2026-06-30, inventory: {}, expect: [system:s-1]}\n",
        encoding="utf-8",
    )
    docs = gen.load_rule_docs(tmp_path / "policies")
    assert [d.id for d in docs] == ["X-ONE"]
    assert [t["name"] for t in docs[0].tests] == ["inline", "sibling"]
    assert docs[0].path == "policies/x/rule.yaml"


def test_page_carries_what_why_parameters_fix_and_example(gen: ModuleType) -> None:
    pages = gen.build_pages(REPO / "policies", REPO / "controls")
    page = pages["A.3.2-ASSIGNMENT-REVIEWED.md"]
    for heading in ("## What it checks", "## Why", "## Parameters", "## How to fix",
                    "## Example finding"):
        assert heading in page
    assert "| `assignment_review_days` | `365` |" in page
    assert "**ISO42001:A.3.2** — AI roles and responsibilities." in page
    # The example is the rule evaluated on its first failing test case.
    assert "low A.3.2-ASSIGNMENT-REVIEWED assignment:a-1" in page
    assert "was last made or reviewed more than 365 days ago" in page
    art26 = pages["A.3.2-TRAINING-CURRENT.md"]
    assert "Art. 26(2)" in art26
    index = pages["README.md"]
    assert all(f"[{check}]({check}.md)" in index for check in _pack_ids())


def test_committed_pages_are_up_to_date(gen: ModuleType) -> None:
    assert gen.main(["--check"]) == 0
