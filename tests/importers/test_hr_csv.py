"""HR CSV importer: Workday and BambooHR headers, value mapping, manifest overrides, the example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govcheck import quality
from govcheck.errors import InputError
from govcheck.importers import IMPORT_SKIPPED, ImportResult, SourceFile, run_importer
from govcheck.importers.parsing import parse_documents

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hr"


def run(text: str | bytes, **options: object) -> ImportResult:
    data = text.encode() if isinstance(text, str) else text
    return run_importer({"format": "hr-csv", "path": "hr/", **options},
                        [SourceFile("hr/workers.csv", data)])


def people(result: ImportResult) -> dict[str, dict[str, Any]]:
    return {str(r.values["id"]): dict(r.values) for r in result.records}


def test_workday_headers_map_without_configuration() -> None:
    result = run("Employee ID,Worker,Work Email,Manager ID,Employment Status,Termination Date,"
                 "Annual Salary\n"
                 "7,Ann Lee,ann@example.com,,Active,,99000\n"
                 "8,Bo Chen,bo@example.com,7,On Leave,,88000\n"
                 "9,Cy Diaz,cy@example.com,7,Terminated,12/31/2025,77000\n")
    assert people(result) == {
        "7": {"id": "7", "name": "Ann Lee", "email": "ann@example.com", "status": "active"},
        "8": {"id": "8", "name": "Bo Chen", "email": "bo@example.com", "manager": "7",
              "status": "leave"},
        "9": {"id": "9", "name": "Cy Diaz", "email": "cy@example.com", "manager": "7",
              "status": "terminated", "end_date": "2025-12-31"},
    }
    assert [r.location.line for r in result.records] == [2, 3, 4]


def test_bamboohr_headers_names_and_zero_dates() -> None:
    result = run("Employee #;First Name;Last Name;Email;Supervisor EID;Status;Termination Date\n"
                 "0042;Dee;Evans;dee@example.com;;Inactive;2025-06-30\n"
                 "0043;Eli;Fox;eli@example.com;0042;Active;0000-00-00\n")
    found = people(result)
    assert found["0042"]["name"] == "Dee Evans" and found["0042"]["status"] == "terminated"
    assert found["0042"]["end_date"] == "2025-06-30"
    assert "end_date" not in found["0043"] and found["0043"]["manager"] == "0042"


def test_manifest_overrides_columns_and_values() -> None:
    result = run("Emp,Full,Mgr,State,Teams\n1,Ann,,Sabbatical,ml|risk\n",
                 columns={"Emp": "id", "Full": "name", "Mgr": "manager", "State": "status",
                          "Teams": "teams"},
                 values={"status": {"Sabbatical": "leave"}}, list_separator="|")
    assert people(result)["1"] == {"id": "1", "name": "Ann", "status": "leave",
                                   "teams": ["ml", "risk"]}


def test_unknown_status_is_kept_for_the_schema_check() -> None:
    assert people(run("Employee ID,Employment Status\n1,Garden leave\n"))["1"]["status"] == (
        "Garden leave")


def test_unmapped_columns_are_not_imported() -> None:
    found = people(run("Employee ID,SSN,Annual Salary\n1,123-45-6789,10\n"))
    assert found == {"1": {"id": "1"}}


def test_cp1252_export_is_read_and_noted() -> None:
    result = run("Employee ID,Worker\n1,Zoë Müller\n".encode("cp1252"))
    assert people(result)["1"]["name"] == "Zoë Müller"
    assert [f.check for f in result.findings] == [quality.ENCODING]


def test_no_id_column_or_blank_id_is_skipped_with_a_note() -> None:
    source = {"format": "hr-csv", "path": "hr/"}
    result = run_importer(source, [SourceFile("hr/salaries.csv", b"Name,Email\nAnn,a@x.com\n"),
                                   SourceFile("hr/workers.csv", b"Employee ID\n7\n")])
    assert list(people(result)) == ["7"]
    assert "hr/salaries.csv has no employee id column" in result.findings[0].message
    result = run("Employee ID,Worker\n,Ghost\n2,Real\n")
    assert list(people(result)) == ["2"]
    assert result.findings[0].check == IMPORT_SKIPPED and result.findings[0].location.line == 2


def test_documented_example_manifest() -> None:
    manifest = next(doc for doc, _ in parse_documents(
        SourceFile("govcheck.yaml", (EXAMPLE / "govcheck.yaml").read_bytes())))
    source = manifest["sources"][0]
    data = (EXAMPLE / source["path"]).read_bytes()
    result = run_importer(source, [SourceFile(source["path"], data)])
    found = people(result)
    assert len(found) == len(data.decode().strip().splitlines()) - 1
    assert found["000103"]["status"] == "leave"
    assert found["000105"]["end_date"] == "2026-03-31"
    assert found["000106"]["status"] == "active"        # mapped by the manifest's values
    assert not any("salary" in k or "cost" in k for p in found.values() for k in p)


@pytest.mark.parametrize("bad", [{"columns": ["Employee ID"]}, {"values": {"status": "x"}},
                                 {"encoding": 5}, {"colums": {}}])
def test_bad_options_are_input_errors(bad: dict[str, object]) -> None:
    from govcheck.errors import InputError

    with pytest.raises(InputError):
        run("Employee ID\n1\n", **bad)


def test_a_source_that_is_not_an_hr_export_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        run("Name,Email\nAnn,ann@example.com\n")
    assert str(caught.value) == (
        "hr/workers.csv:1:1: hr/workers.csv is not an HR export (format hr-csv): no CSV file"
        " has an employee id column (hr/workers.csv has Name, Email); map one under the"
        " source's `columns`")
    yaml_file = SourceFile("hr/people.yaml", b"- {id: p-1, name: Ann}\n")
    with pytest.raises(InputError, match=r"^hr/people.yaml:1:1: hr/people.yaml is not an HR"
                       r" export \(format hr-csv\): it has no CSV file"):
        run_importer({"format": "hr-csv", "path": "hr/"}, [yaml_file])


def test_a_real_export_without_rows_imports_nothing() -> None:
    result = run("Employee ID,Worker,Work Email\n")
    assert result.records == () and result.findings == ()
