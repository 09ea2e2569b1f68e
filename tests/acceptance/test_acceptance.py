"""End-to-end acceptance: `govcheck check` on inventories written only from DESIGN.md.

Each case under `fixtures/acceptance/<case>/` holds an `inventory/` folder and an
`expected.json` listing exactly the failing findings (check, entity, path, line)
a correct implementation reports; the expectations were derived by hand from
DESIGN.md (see each case's README.md for the planted violations and the
compliant near-misses). The example organisation must give byte-identical JSON
on two runs and fail every built-in check at least once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from govcheck.builtin import builtin_policies_dir
from govcheck.cli import cli

REPO = Path(__file__).resolve().parents[2]
ACCEPTANCE = REPO / "fixtures" / "acceptance"
EXAMPLE_ORG = REPO / "fixtures" / "example-org"
EXAMPLE_AS_OF = "2026-06-30"
EXAMPLE_EXPECTED = Path(__file__).with_name("example_org_expected.json")

Key = tuple[str, str, str, int]

CASES = sorted(path.parent.name for path in ACCEPTANCE.glob("*/expected.json"))


def run_check(inventory: Path, as_of: str) -> str:
    """`govcheck check INVENTORY --as-of AS_OF --format json` as a user runs it; its stdout."""
    result = CliRunner().invoke(
        cli, ["check", str(inventory), "--as-of", as_of, "--format", "json"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"govcheck check raised {result.exception!r}\n{result.output}"
    )
    assert result.exit_code in (0, 1), (
        f"govcheck check exited {result.exit_code}:\n{result.output}"
    )
    return result.stdout


def findings_of(report_text: str, result: str = "fail") -> dict[Key, dict[str, Any]]:
    """The report's findings with the given result, keyed by (check, entity, path, line)."""
    report = json.loads(report_text)
    return {
        (f["check"], f["entity"], f["location"]["path"], f["location"]["line"]): f
        for f in report["findings"]
        if f["result"] == result
    }


def expected_keys(path: Path) -> tuple[str, set[Key]]:
    """The as-of and the expected (check, entity, path, line) set of an expected.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = {(f["check"], f["entity"], f["path"], f["line"]) for f in data["findings"]}
    assert len(keys) == len(data["findings"]), f"{path} lists a finding twice"
    return data["as_of"], keys


def _describe(keys: Iterable[Key], actual: dict[Key, dict[str, Any]] | None = None) -> str:
    lines = []
    for check, entity, path, line in sorted(keys, key=lambda k: (k[2], k[3], k[0], k[1])):
        message = f"  — {actual[(check, entity, path, line)]['message']}" if actual else ""
        lines.append(f"    {path}:{line}  {check}  {entity}{message}")
    return "\n".join(lines)


def assert_same_findings(expected: set[Key], actual: dict[Key, dict[str, Any]]) -> None:
    """Fail with a readable diff when the failing findings differ from the expectation."""
    missing = expected - set(actual)
    unexpected = set(actual) - expected
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"  expected but not reported ({len(missing)}):\n{_describe(missing)}")
        if unexpected:
            parts.append(
                f"  reported but not expected ({len(unexpected)}):\n"
                f"{_describe(unexpected, actual)}"
            )
        pytest.fail("findings differ from expected.json:\n" + "\n".join(parts), pytrace=False)


@pytest.mark.parametrize("case", CASES)
def test_acceptance_case(case: str) -> None:
    """Exactly the planted violations are reported, on the right entity, path and line."""
    as_of, expected = expected_keys(ACCEPTANCE / case / "expected.json")
    actual = findings_of(run_check(ACCEPTANCE / case / "inventory", as_of))
    assert_same_findings(expected, actual)


def test_cases_exist() -> None:
    """The acceptance suite is not silently empty."""
    assert len(CASES) >= 3


def test_example_org_findings() -> None:
    """The example organisation reports exactly its documented planted violations."""
    as_of, expected = expected_keys(EXAMPLE_EXPECTED)
    actual = findings_of(run_check(EXAMPLE_ORG, as_of))
    assert_same_findings(expected, actual)


def test_example_org_waiver_applies() -> None:
    """The one waiver in govcheck-waivers.yaml turns its finding into `waived`."""
    waived = findings_of(run_check(EXAMPLE_ORG, EXAMPLE_AS_OF), result="waived")
    assert {(check, entity) for check, entity, _, _ in waived} == {
        ("A.3.2-BACKUP-NAMED", "assignment:as-072")
    }


def test_example_org_output_is_deterministic() -> None:
    """Two runs over the same inventory and as-of give byte-identical JSON."""
    first = run_check(EXAMPLE_ORG, EXAMPLE_AS_OF)
    second = run_check(EXAMPLE_ORG, EXAMPLE_AS_OF)
    assert first, "no JSON on stdout"
    assert first == second


def builtin_check_ids() -> set[str]:
    """Every check id defined by the built-in rule files (one rule or a list per file)."""
    ids: set[str] = set()
    for path in sorted(builtin_policies_dir().rglob("*.yaml")):
        if path.name.endswith(".tests.yaml"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = data if isinstance(data, list) else [data]
        ids.update(rule["id"] for rule in rules if isinstance(rule, dict) and "id" in rule)
    return ids


def test_example_org_fails_every_builtin_check() -> None:
    """The example org exercises the whole built-in pack: each check fails at least once."""
    check_ids = builtin_check_ids()
    assert len(check_ids) >= 28, f"only {len(check_ids)} built-in checks found"
    failed = {check for check, _, _, _ in findings_of(run_check(EXAMPLE_ORG, EXAMPLE_AS_OF))}
    never = sorted(check_ids - failed)
    assert not never, f"built-in checks that never fail on the example org: {never}"
