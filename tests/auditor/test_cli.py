"""`who`, `explain` and `controls` as a user runs them, plus their formatters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcheck.cli import cli
from govcheck.cli.controls_cmd import build_view, format_markdown, format_text
from govcheck.cli.explain import resolve_check
from govcheck.cli.who import csv_cell, format_csv, format_json, select_system
from govcheck.cli.who import format_markdown as who_markdown
from govcheck.cli.who import format_text as who_text
from govcheck.errors import UsageError
from govcheck.kinds import PHASES
from govcheck.model import CheckInfo, ControlInfo, RegistryEntry, Severity

from .conftest import HOSTILE, sample_report

INVENTORY = {
    "people.yaml": """\
- {id: p-1, name: Ada Lovelace, status: active, manager: p-3, authorities: [sign-off-test]}
- {id: p-2, name: Bob, status: active, manager: p-3}
- {id: p-3, name: Cy, status: active}
""",
    "teams.yaml": "- {id: t-1, name: Platform, lead: p-3}\n",
    "systems.yaml": """\
- {id: s-1, name: Scoring, status: deployed, risk_tier: low, owner: p-1, intended_use: x}
- {id: s-2, name: Old bot, status: retired, risk_tier: low, owner: p-2, intended_use: y}
""",
    "assignments.yaml": """\
- {id: a-1, system: s-1, phase: validation, person: p-1, backup: p-2,
   assigned_at: 2026-01-02, accepted_at: 2026-01-03}
- {id: a-2, system: s-1, phase: monitoring, person: t-1, backup: p-3}
- {id: a-3, system: s-2, phase: retirement, person: p-2, backup: p-1,
   assigned_at: 2026-02-01, accepted_at: 2026-02-01, reviewed_at: 2026-03-01}
- {id: a-4, system: s-2, phase: development, person: p-3}
""",
}


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    root = tmp_path / "inv"
    root.mkdir()
    for name, text in INVENTORY.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_who_lists_every_system_and_phase(inventory: Path) -> None:
    code, output = run("who", str(inventory), "--format", "json", "--as-of", "2026-06-30")
    assert code == 0, output
    rows = json.loads(output)
    assert [(r["system"], r["phase"]) for r in rows] == (
        [("s-1", p) for p in PHASES] + [("s-2", "development"), ("s-2", "retirement")]
    )
    table = {(r["system"], r["phase"]): r for r in rows}
    validation = table[("s-1", "validation")]
    assert validation["owners"] == ["p-1"] and validation["owner_names"] == ["Ada Lovelace"]
    assert validation["backups"] == ["p-2"]
    assert validation["accepted_at"] == "2026-01-03"
    assert "sign-off-test" in validation["authorities"]
    assert table[("s-1", "monitoring")]["owners"] == []
    assert table[("s-1", "monitoring")]["other_assignees"] == ["team:t-1"]
    assert table[("s-1", "monitoring")]["state"] == "gap"
    assert table[("s-1", "conception")]["state"] == "gap"
    assert table[("s-2", "development")]["state"] == "not-required"
    retirement = table[("s-2", "retirement")]
    assert (retirement["owners"], retirement["backups"]) == (["p-2"], ["p-1"])
    assert retirement["reviewed_at"] == "2026-03-01"


def test_who_one_system_as_csv(inventory: Path) -> None:
    code, output = run("who", str(inventory), "s-2", "--format", "csv", "--as-of", "2026-06-30")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [(r["system"], r["phase"], r["owners"]) for r in rows] == [
        ("s-2", "development", "p-3"), ("s-2", "retirement", "p-2")]


def test_who_unknown_system_exits_2(inventory: Path) -> None:
    code, output = run("who", str(inventory), "s-9", "--as-of", "2026-06-30")
    assert code == 2
    assert "no system 's-9' in the inventory; systems: s-1, s-2" in output


def test_who_formatters() -> None:
    entries = sample_report(HOSTILE).registry
    text = who_text(entries)
    assert text.splitlines()[0].split() == ["SYSTEM", "PHASE", "STATE", "OWNER", "BACKUP",
                                            "AUTHORITIES", "ASSIGNED", "ACCEPTED", "REVIEWED"]
    assert "Ada (p-1)" in text and "5 phase(s) of 2 system(s); 2 gap(s)" in text
    markdown = who_markdown(entries)
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert all(line.count(" | ") == 8 for line in markdown.splitlines()[2:])
    rows = list(csv.DictReader(io.StringIO(format_csv(entries))))
    assert rows[0]["backups"] == "p-2" and rows[0]["location"] == "assignments.yaml:20:3"
    assert json.loads(format_json(entries))[2]["assigned_at"] is None
    assert select_system(entries, "system:s-2")[0].phase == "retirement"
    with pytest.raises(UsageError):
        select_system(entries, "s-3")


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("p-1", "p-1"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_cell_neutralises_formulas(raw: str, cell: str) -> None:
    assert csv_cell(raw) == cell


def test_who_csv_cannot_inject_formulas() -> None:
    entry = RegistryEntry("=cmd|' /C calc'!A0", "@SUM(1)", "development", "ok",
                          ("+p-1",), ("-Ada",), ("p-2",), ("=Bob",))
    rows = list(csv.DictReader(io.StringIO(format_csv((entry,)))))
    row = rows[0]
    assert row["system"] == "'=cmd|' /C calc'!A0"
    assert row["system_name"] == "'@SUM(1)"
    assert (row["owners"], row["owner_names"]) == ("'+p-1", "'-Ada")
    assert (row["backups"], row["backup_names"]) == ("p-2", "'=Bob")
    assert row["phase"] == "development" and row["state"] == "ok"


def test_who_text_and_markdown_escape_hidden_characters() -> None:
    entry = RegistryEntry("s-1\u202e", "Scoring", "development", "ok", ("p-1",),
                          ("Ada\u2066 \x1b[2J\nx",))
    text, markdown = who_text((entry,)), who_markdown((entry,))
    for output in (text, markdown):
        assert not any(ch in output for ch in "\u202e\u2066\x1b")
        assert "s-1\\u202e" in output and "Ada\\u2066 \\u001b[2J\\u000ax (p-1)" in output
    # The newline in the name does not break the row.
    assert len(text.splitlines()) == 4 and len(markdown.splitlines()) == 3


def test_explain_a_rule() -> None:
    code, output = run("explain", "backup-named")
    assert code == 0, output
    assert output.startswith("A.3.2-BACKUP-NAMED: ")
    for section in ("What it checks:", "Why:", "Controls:", "  ISO42001:A.3.2",
                    "Parameters", "Remediation:", "Example"):
        assert section in output, section


def test_explain_a_data_quality_check() -> None:
    code, output = run("explain", "INVENTORY-BAD-DATE")
    assert code == 0, output
    assert "Write the date as ISO 8601" in output and "  none" in output


def test_explain_unknown_check_suggests() -> None:
    code, output = run("explain", "A.3.2-BACKUP-NAMD")
    assert code == 2
    assert "no check 'A.3.2-BACKUP-NAMD'; did you mean A.3.2-BACKUP-NAMED" in output


def test_resolve_check() -> None:
    known = ["A.3.2-BACKUP-NAMED", "A.3.2-OWNER-ACTIVE", "X.1-OWNER-ACTIVE"]
    assert resolve_check("a.3.2-backup-named", known) == "A.3.2-BACKUP-NAMED"
    assert resolve_check("BACKUP-NAMED", known) == "A.3.2-BACKUP-NAMED"
    with pytest.raises(UsageError, match=r"did you mean A\.3\.2-OWNER-ACTIVE, X\.1-OWNER-ACTIVE"):
        resolve_check("OWNER-ACTIVE", known)


def test_controls_command_formats() -> None:
    code, output = run("controls", "--format", "json")
    assert code == 0, output
    controls = {c["id"]: c for c in json.loads(output)}
    a32 = controls["ISO42001:A.3.2"]
    assert "A.3.2-BACKUP-NAMED" in a32["checks"] and a32["manual_evidence"]
    assert "INVENTORY-SCHEMA" in controls["ISO42001:A.9.2"]["checks"]
    code, output = run("controls")
    assert code == 0 and "ISO42001:A.3.2  " in output and "inspect by hand:" in output
    code, output = run("controls", "--format", "oscal-catalog")
    assert code == 0
    assert any(c["id"] == "a.3.2" for c in json.loads(output)["catalog"]["controls"])


def test_controls_view_adds_uncatalogued_and_marks_manual() -> None:
    view = build_view(
        [ControlInfo("ISO42001:A.9.3", "Objectives", "r", manual_evidence=("minutes",))],
        [CheckInfo("X-1", "t", ("OTHER:C.1",), Severity.LOW)],
    )
    assert [c.id for c in view.controls] == ["ISO42001:A.9.3", "OTHER:C.1"]
    text = format_text(view)
    assert "covered by: nothing automated (manual)" in text and "    - X-1" in text
    assert "2 control(s); 1 with nothing automated" in text
    assert "**Covered by:** `X-1`" in format_markdown(view)
