"""`govcheck check` and `validate` as a user runs them, on the example organisation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcheck.cli import cli
from govcheck.cli.check import repository_prefix

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example-org"
AS_OF = ["--as-of", "2026-06-30"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("option", ["--only", "--skip"])
def test_a_pattern_matching_no_check_is_a_usage_error(option: str) -> None:
    code, _, err = run("check", str(EXAMPLE), *AS_OF, option, "A.3.2-BACKUP-NAMD")
    assert code == 2
    assert "no check matches" in err


def test_only_glob_selects_rules_and_keeps_data_quality() -> None:
    code, out, _ = run("check", str(EXAMPLE), *AS_OF, "--only", "A.3.2-*", "--format", "json")
    assert code == 1
    checks = {f["check"] for f in json.loads(out)["findings"]}
    assert checks and all(c.startswith(("A.3.2-", "INVENTORY-")) for c in checks)
    assert any(c.startswith("INVENTORY-") for c in checks)


def test_param_of_the_wrong_type_is_a_usage_error() -> None:
    code, _, err = run("check", str(EXAMPLE), *AS_OF,
                       "--param", "A.3.2-ASSIGNMENT-REVIEWED.assignment_review_days=abc")
    assert code == 2
    assert "must be a number" in err


def test_param_for_unknown_key_is_a_usage_error() -> None:
    code, _, err = run("check", str(EXAMPLE), *AS_OF,
                       "--param", "A.3.2-ASSIGNMENT-REVIEWED.days=10")
    assert code == 2
    assert "has no parameter days" in err


def test_param_override_changes_the_verdict() -> None:
    def reviewed(*extra: str) -> set[str]:
        _, out, _ = run("check", str(EXAMPLE), *AS_OF, "--format", "json",
                        "--only", "A.3.2-ASSIGNMENT-REVIEWED", *extra)
        return {f["entity"] for f in json.loads(out)["findings"]
                if f["check"] == "A.3.2-ASSIGNMENT-REVIEWED"}

    default = reviewed()
    stricter = reviewed("--param", "A.3.2-ASSIGNMENT-REVIEWED.assignment_review_days=30")
    assert default < stricter


def test_validate_reports_only_controls_its_checks_cover() -> None:
    code, out, _ = run("validate", str(EXAMPLE), *AS_OF, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["controls"]
    assert all(c["status"] != "manual" for c in report["controls"])
    assert {f["check"].split("-")[0] for f in report["findings"]} == {"INVENTORY"}


def test_sarif_uris_are_relative_to_the_git_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    inventory = repo / "governance" / "inventory"
    shutil.copytree(EXAMPLE, inventory)
    assert repository_prefix(str(inventory)) == "governance/inventory/"
    assert repository_prefix(str(repo)) == ""
    code, out, _ = run("check", str(inventory), *AS_OF, "--format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    run_ = sarif["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run_["results"]}
    assert uris and all(u.startswith("governance/inventory/") for u in uris)
    assert run_["automationDetails"]["id"] == "govcheck/governance/inventory/"


def test_internal_errors_never_show_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from govcheck import engine
    from govcheck.cli import main

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "run_check", broken)
    monkeypatch.delenv("GOVCHECK_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(EXAMPLE), *AS_OF])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err


def test_progress_only_on_a_terminal() -> None:
    code, _, err = run("check", str(EXAMPLE), *AS_OF, "--format", "json")
    assert code == 1
    assert err == ""


def test_progress_reports_each_stage() -> None:
    from datetime import UTC, datetime

    from govcheck.engine import CheckOptions, run_check

    seen: list[str] = []
    run_check(CheckOptions(inventory=str(EXAMPLE), as_of=datetime(2026, 6, 30, tzinfo=UTC)),
              progress=seen.append)
    assert [line.split()[0] for line in seen] == ["loading", "loaded", "evaluating"]


def test_the_same_inventory_spelt_differently_gives_identical_reports(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE.parent)
    outputs = {run("check", spelling, *AS_OF, "--format", "json")[1]
               for spelling in ("example-org", "./example-org/", "example-org//")}
    assert len(outputs) == 1
