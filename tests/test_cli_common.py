"""The CLI's shared pieces: the clock, --param, gating, output files, --version."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from govcheck.cli import cli
from govcheck.cli.check import params_from_cli, parse_param
from govcheck.cli.common import gating_exit_code, parse_as_of, write_output
from govcheck.model import Finding, Location, Result, Severity


def test_as_of_date_is_midnight_utc() -> None:
    assert parse_as_of("2026-06-30") == datetime(2026, 6, 30, tzinfo=UTC)


def test_as_of_offset_is_applied() -> None:
    assert parse_as_of("2026-06-30T02:00:00+02:00") == datetime(2026, 6, 30, tzinfo=UTC)
    assert parse_as_of("2026-06-30T12:30:00Z") == datetime(2026, 6, 30, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2026-06-30T12:00:00"])
def test_as_of_rejects_what_is_not_rfc3339(bad: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_as_of(bad)


def test_param_values_are_json_lists_or_text() -> None:
    assert parse_param("A.3.2-ASSIGNMENT-REVIEWED.assignment_review_days=180") == (
        "A.3.2-ASSIGNMENT-REVIEWED", "assignment_review_days", 180)
    assert parse_param("A.3.2-X.courses=[a, b]")[2] == ["a", "b"]
    assert parse_param("A.3.2-X.name=yes")[2] == "yes"
    assert params_from_cli(("C.a=1", "C.b=2")) == {"C": {"a": 1, "b": 2}}
    with pytest.raises(click.BadParameter):
        parse_param("no-key-here")


def _finding(severity: Severity, result: Result = Result.FAIL) -> Finding:
    return Finding("C", (), severity, result, "system:s", "m", Location("f", 1, 1))


def test_gating_by_severity_and_result() -> None:
    medium = [_finding(Severity.MEDIUM)]
    assert gating_exit_code(medium, "low", False) == 1
    assert gating_exit_code(medium, "medium", False) == 1
    assert gating_exit_code(medium, "high", False) == 0
    assert gating_exit_code(medium, "never", False) == 0
    assert gating_exit_code(medium, "low", True) == 0
    assert gating_exit_code([_finding(Severity.CRITICAL, Result.WAIVED)], "low", False) == 0
    assert gating_exit_code([_finding(Severity.LOW, Result.ERROR)], "low", False) == 1


def test_write_output_replaces_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    write_output("new\n", str(target))
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_version_does_not_import_the_heavy_modules() -> None:
    code = ("import sys; from govcheck.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('networkx', 'celpy', 'jsonschema') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
    assert "govcheck, version" in out.stdout


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["check", "--no-such-option"])
    assert result.exit_code == 2


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "example-org"


@pytest.mark.parametrize(("args", "closed", "status"), [
    (["--version"], ">&-", 0),
    (["--version"], "2>&-", 0),
    (["--bogus"], ">&- 2>&-", 2),
    (["check", str(FIXTURE), "--as-of", "2026-06-30"], ">&-", 1),
])
def test_a_closed_output_stream_does_not_change_the_exit_status(
        args: list[str], closed: str, status: int) -> None:
    """The command ends with os._exit after flushing; a closed stream must not turn 0 into 1."""
    quoted = " ".join(f"'{arg}'" for arg in args)
    command = f"'{sys.executable}' -m govcheck {quoted} {closed}"
    result = subprocess.run(["sh", "-c", command], capture_output=True, check=False)
    assert result.returncode == status, result.stderr


def test_a_run_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    from govcheck.engine import CheckOptions, run_check

    assert gc.isenabled()
    thresholds = gc.get_threshold()
    run_check(CheckOptions(inventory=str(FIXTURE), as_of=datetime(2026, 6, 30, tzinfo=UTC)))
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
