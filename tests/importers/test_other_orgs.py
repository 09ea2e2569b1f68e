"""Exports unlike the shared samples (other organisations' quirks): each test is a defect
found by importing such an export, kept as a regression test on small inline data."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from govcheck import quality
from govcheck.cli import cli
from govcheck.importers import (
    IMPORT_INCONSISTENT,
    IMPORT_SKIPPED,
    IMPORT_UNRESOLVED_REF,
    ImportResult,
    SourceFile,
    run_importer,
)
from govcheck.importers.values import canonical_date
from govcheck.model import Location


def run(fmt: str, path: str, data: str | bytes, **options: object) -> ImportResult:
    raw = data.encode() if isinstance(data, str) else data
    return run_importer({"format": fmt, "path": path, **options}, [SourceFile(path, raw)])


def by_id(result: ImportResult, kind: str) -> dict[str, dict[str, object]]:
    return {str(r.values["id"]): dict(r.values) for r in result.records if r.kind == kind}


def located(result: ImportResult, check: str) -> list[tuple[str, Location]]:
    return [(f.message, f.location) for f in result.findings if f.check == check]


# --- federal AI use case inventory ------------------------------------------------------

TITLED = (
    "HHS AI Use Case Inventory 2023,,,,\r\n"
    "Agency,Use Case ID,Use Case Name,Stage of Development,,\r\n"
    "HHS,HHS-1,Claims triage,In production,,\r\n"
    "HHS,HHS-2,Grant review,\"Planned (not\nin production)\",,\r\n"
)


def test_title_row_above_the_header_is_skipped_with_a_note() -> None:
    # Was: the title row was taken as the header, so the whole file was skipped.
    result = run("federal-csv", "inv.csv", TITLED)
    assert by_id(result, "system") == {
        "HHS-1": {"id": "HHS-1", "name": "Claims triage", "status": "deployed",
                  "agency": "HHS"},
        "HHS-2": {"id": "HHS-2", "name": "Grant review", "status": "proposed",
                  "agency": "HHS"},
    }
    assert [r.location.line for r in result.records] == [3, 4]
    [(message, where)] = located(result, IMPORT_SKIPPED)
    assert where == Location("inv.csv", 1, 1)
    assert "line 1 is above the header row" in message


def test_title_row_without_delimiters_above_a_semicolon_header() -> None:
    text = "Department of Energy AI inventory\nUse Case ID;Use Case Name;Agency\nDOE-1;Grid;DOE\n"
    result = run("federal-csv", "doe.csv", text)
    assert by_id(result, "system") == {"DOE-1": {"id": "DOE-1", "name": "Grid", "agency": "DOE"}}


def test_cells_past_the_header_are_a_located_note() -> None:
    # Was: the extra cells were dropped without a word.
    text = "Use Case ID,Use Case Name,Agency\nA-1,One,DOJ\nA-2,Two,DOJ,stray,more\n"
    result = run("federal-csv", "doj.csv", text)
    assert sorted(by_id(result, "system")) == ["A-1", "A-2"]
    [(message, where)] = located(result, IMPORT_INCONSISTENT)
    assert where == Location("doj.csv", 3, 1)
    assert "'stray', 'more'" in message and "header names 3 columns" in message


def test_trailing_empty_header_columns_are_not_extras() -> None:
    text = "Use Case ID,Use Case Name,Agency,,\nA-1,One,DOJ,,\n"
    result = run("federal-csv", "doj.csv", text)
    assert located(result, IMPORT_INCONSISTENT) == []
    assert by_id(result, "system") == {"A-1": {"id": "A-1", "name": "One", "agency": "DOJ"}}


# --- HR export --------------------------------------------------------------------------

def test_dotted_day_first_dates() -> None:
    # Was: `15.03.2024` passed through and became INVENTORY-BAD-DATE.
    assert canonical_date("15.03.2024") == "2024-03-15"
    assert canonical_date("01.02.2024 13:30") == "2024-02-01T13:30:00"
    # Slashed day-first dates stay ambiguous: kept as written for the loader to report.
    assert canonical_date("31/12/2021") == "31/12/2021"


def test_manager_named_by_email_resolves_to_the_worker_id() -> None:
    # Was: BambooHR's `Supervisor Email` column was not read, so nobody had a manager.
    text = ("Employee #,First Name,Last Name,Email,Supervisor Email,Status,Termination Date\n"
            "101,Ann,Lee,Ann@Globex.example,,Active,\n"
            "102,Bo,Kim,bo@globex.example,ann@globex.example,Active,\n"
            "103,Cy,Orr,cy@globex.example,nobody@globex.example,Terminated,31.12.2030\n")
    people = by_id(run("hr-csv", "hr.csv", text), "person")
    assert people["102"]["manager"] == "101"
    # Not in the export: kept as written, so the loader reports it dangling at the row.
    assert people["103"]["manager"] == "nobody@globex.example"
    assert people["103"]["end_date"] == "2030-12-31"
    assert "manager" not in people["101"]


def test_hr_title_row_and_semicolons() -> None:
    text = ("Workday report: All Workers\n"
            "Worker ID;Legal Name;Primary Work Email;Manager Employee ID;Worker Status\n"
            "W-1;Emile;e@x.example;;Active\nW-2;Greta;g@x.example;W-1;Terminated\n")
    result = run("hr-csv", "w.csv", text.encode("cp1252"))
    assert sorted(by_id(result, "person")) == ["W-1", "W-2"]
    assert [where.line for _, where in located(result, IMPORT_SKIPPED)] == [1]


# --- Backstage --------------------------------------------------------------------------

def test_owner_or_lifecycle_that_is_not_text_is_a_schema_finding() -> None:
    # Was: `owner: [alice]` left the system ownerless without any finding.
    text = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: scorer\n"
            "  tags: [AI-System]\nspec:\n  lifecycle: [production]\n  owner: [alice]\n")
    result = run("backstage", "c.yaml", text)
    [system] = by_id(result, "system").values()
    assert "owner" not in system and "status" not in system
    [(message, where)] = located(result, quality.SCHEMA)
    assert where.path == "c.yaml" and where.line == 8  # the owner key, reported first
    assert "spec.owner ['alice']" in message and "spec.lifecycle ['production']" in message


# --- OSCAL SSP --------------------------------------------------------------------------

SSP_NO_ROLES = """\
system-security-plan:
  uuid: 11111111-0000-4000-8000-000000000001
  metadata:
    title: Plan
    parties:
      - uuid: p-1
        type: person
        name: Pat
      - uuid: p-2
        type: person
        name: Dev
    responsible-parties:
      - role-id: chief-vibes-officer
        party-uuids: [p-1]
      - role-id: developer
      - role-id: system-engineer
        party-uuids: p-2
  system-characteristics:
    system-ids:
      - id: sys
    system-name: S
"""


def test_roles_without_parties_undefined_roles_and_unmapped_roles_are_noted() -> None:
    # Was: with no metadata.roles, an unmapped role's holders and a role naming no party
    # vanished silently, and a single party uuid (not a list) was ignored.
    result = run("oscal-ssp", "ssp.yaml", SSP_NO_ROLES)
    assignments = by_id(result, "assignment")
    assert sorted(assignments) == ["sys/deployment/p-2", "sys/monitoring/p-2"]
    skipped = {m: w.line for m, w in located(result, IMPORT_SKIPPED)}
    assert any("'developer' is made responsible" in m and line == 15
               for m, line in skipped.items())
    assert any("'chief-vibes-officer' maps to no lifecycle phase" in m and line == 14
               for m, line in skipped.items())
    unresolved = {f.entity: f.location.line for f in result.findings
                  if f.check == IMPORT_UNRESOLVED_REF}
    assert unresolved == {"role:chief-vibes-officer": 14, "role:system-engineer": 17}


# --- the command ------------------------------------------------------------------------

def test_import_command_reports_bad_values_and_dates_at_the_row(tmp_path: Path) -> None:
    # Was: `govcheck import` printed only dangling references, not bad values.
    export = tmp_path / "hr.csv"
    export.write_text("Employee ID,Worker,Employment Status,Termination Date\n"
                      "1,Ann,Contractor,\n2,Bo,Active,31/12/2021\n2,Bo again,Active,\n",
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--format", "hr-csv", str(export), "-o",
                                      str(tmp_path / "out")])
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert any(":2:1: medium INVENTORY-SCHEMA person:1:" in line and "'Contractor'" in line
               for line in lines)
    assert any(":3:1: medium INVENTORY-BAD-DATE person:2:" in line for line in lines)
    assert any(":4:1: medium INVENTORY-DUPLICATE-ID person:2:" in line for line in lines)
