"""`govcheck diff`: new, fixed and unchanged findings between two JSON reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcheck.cli import cli
from govcheck.formatters.json_format import format_report
from govcheck.model import Finding, Location, Report, Result, Severity


def finding(entity: str, result: Result = Result.FAIL, line: int = 1) -> Finding:
    return Finding("A.3.2-BACKUP-NAMED", ("ISO42001:A.3.2",), Severity.HIGH, result, entity,
                   f"no backup for {entity}", Location("assignments.yaml", line, 3))


def write(tmp_path: Path, name: str, *findings: Finding) -> str:
    report = Report("govcheck", "0.1.0", datetime(2026, 6, 30, tzinfo=UTC), "inv", (),
                    "0" * 64, (), (), (), findings)
    path = tmp_path / name
    path.write_text(format_report(report), encoding="utf-8")
    return str(path)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["diff", *args])
    return result.exit_code, result.output


def test_new_fixed_unchanged_text(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", finding("assignment:a-1"), finding("assignment:a-2"))
    new = write(tmp_path, "new.json", finding("assignment:a-1", line=20),
                finding("assignment:a-3", line=30))
    code, out = run(old, new)
    assert code == 1
    assert out == (
        "New (1):\n"
        "  assignments.yaml:30:3  HIGH      A.3.2-BACKUP-NAMED  assignment:a-3"
        "  no backup for assignment:a-3\n"
        "Fixed (1):\n"
        "  assignments.yaml:1:3  HIGH      A.3.2-BACKUP-NAMED  assignment:a-2"
        "  no backup for assignment:a-2\n"
        "Unchanged: 1\n"
    )


def test_json_format(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", finding("assignment:a-1"), finding("assignment:a-2"))
    new = write(tmp_path, "new.json", finding("assignment:a-1", line=20))
    code, out = run(old, new, "--format", "json")
    assert code == 0  # only fixed
    data = json.loads(out)
    assert data["summary"] == {"new": 0, "fixed": 1, "unchanged": 1}
    assert data["fixed"][0]["entity"] == "assignment:a-2"
    assert data["unchanged"][0]["location"]["line"] == 20  # as the new report has it


def test_moved_lines_are_not_new(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", finding("assignment:a-1", line=1))
    new = write(tmp_path, "new.json", finding("assignment:a-1", line=99))
    assert run(old, new)[0] == 0


def test_new_but_waived_does_not_fail(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json")
    new = write(tmp_path, "new.json", finding("assignment:a-7", Result.WAIVED))
    code, out = run(old, new)
    assert code == 0
    assert "New (1):" in out and "[waived]" in out


def test_identical_reports(tmp_path: Path) -> None:
    same = write(tmp_path, "a.json", finding("assignment:a-1"))
    assert run(same, same) == (0, "New (0):\nFixed (0):\nUnchanged: 1\n")


@pytest.mark.parametrize(
    ("content", "location"),
    [("{not json", "bad.json:1:2"), ('{"findings": 3}', "bad.json:1:1")],
)
def test_bad_files_exit_2_with_location(tmp_path: Path, content: str, location: str) -> None:
    good = write(tmp_path, "good.json", finding("assignment:a-1"))
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    code, out = run(good, str(bad))
    assert code == 2
    assert out.startswith(f"{bad.parent}/{location}: ")


def test_missing_file_exits_2(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json")
    code, out = run(str(tmp_path / "missing.json"), good)
    assert code == 2
    assert "missing.json:1:1: cannot read report" in out
