"""Federal AI use case inventory importer on DOT's 2025 CSV: counts, mappings, every quirk."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from govcheck import quality
from govcheck.errors import InputError
from govcheck.importers import ImportResult, SourceFile, run_importer
from govcheck.importers.federal_csv import SOURCING_VALUES

Samples = Callable[[str], list[SourceFile]]
CSV_PATH = "us-ai-inventory/dot-2025-ai-use-case-inventory.csv"


def run(files: list[SourceFile], **options: object) -> ImportResult:
    return run_importer({"format": "federal-csv", "path": "us-ai-inventory/", **options}, files)


def systems(result: ImportResult) -> dict[str, dict[str, Any]]:
    return {str(r.values["id"]): dict(r.values) for r in result.records if r.kind == "system"}


def source_rows(samples: Samples) -> list[dict[str, str]]:
    data = next(f for f in samples("us-ai-inventory") if f.path == CSV_PATH).data
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.fixture
def result(samples: Samples) -> ImportResult:
    return run(samples("us-ai-inventory"))


def test_golden(result: ImportResult, golden: Callable[[str, ImportResult], None]) -> None:
    golden("federal-csv", result)


def test_one_system_per_row_with_ids_unchanged(result: ImportResult, samples: Samples) -> None:
    rows = source_rows(samples)
    assert len(rows) == 70
    found = systems(result)
    # Unique, sorted, not contiguous (…074 -> …084 -> …215): kept as written, no renumbering.
    assert list(found) == [row["Use Case Identifier"] for row in rows]
    assert {"DOT-1000074", "DOT-1000084", "DOT-1000215"} <= set(found)
    assert Counter(r.kind for r in result.records) == {"system": 70, "vendor": 2}


def test_rows_are_located_on_their_first_physical_line(result: ImportResult,
                                                       samples: Samples) -> None:
    data = next(f for f in samples("us-ai-inventory") if f.path == CSV_PATH).data
    lines = data.decode("utf-8").split("\n")
    assert len(lines) - 1 == 109   # 11 records hold newlines in quoted cells
    for record in result.records:
        if record.kind == "system":
            assert lines[record.location.line - 1].startswith(str(record.values["id"]) + ",")
    assert result.records[-3].location.line == 109


def test_status_and_risk_tier_mapping(result: ImportResult) -> None:
    found = systems(result).values()
    assert Counter(s["status"] for s in found) == {"development": 53, "deployed": 16,
                                                   "validation": 1}
    assert Counter(s["risk_tier"] for s in found) == {"low": 70}


def test_no_owner_from_the_generic_mailbox(result: ImportResult) -> None:
    found = systems(result).values()
    assert not [s for s in found if "owner" in s]
    assert {s["contact"] for s in found} == {"cdaio@dot.gov"}
    assert not [s for s in found if "system_name" in s]     # System Name is blank everywhere


def test_bureau_is_a_list(result: ImportResult, samples: Samples) -> None:
    found = systems(result)
    assert found["DOT-1000001"]["bureaus"] == ["CAIO", "NETT"]
    assert len({row["Bureau"] for row in source_rows(samples)}) == 23
    assert all(isinstance(s["bureaus"], list) for s in found.values())


def test_operation_date_format_and_blanks(result: ImportResult) -> None:
    found = systems(result)
    assert found["DOT-1000001"]["go_live"] == "2024-07-25"   # 07/25/2024 12:00:00 AM
    assert sum("go_live" not in s for s in found.values()) == 24


def test_blank_is_not_no(result: ImportResult) -> None:
    found = systems(result).values()
    for field in ("pii_indicator", "predeployment_testing_indicator",
                  "ai_impact_assessment_indicator", "independent_review_indicator",
                  "ongoing_monitoring_indicator", "operator_training_indicator",
                  "fail_safe_indicator", "appeal_process_indicator"):
        assert not [s for s in found if field in s], field
    assert {s["public_reporting_indicator"] for s in found} == {"No"}
    assert {s["high_impact_justification"] for s in found} == {"NA"}
    assert Counter(s.get("ato_indicator") for s in found) == {
        "Yes": 33, "Not Applicable": 33, None: 4}


def test_contractor_phrasings(result: ImportResult, samples: Samples) -> None:
    phrasings = {row["Contractor Indicator"] for row in source_rows(samples)} - {""}
    assert len(phrasings) == 5
    for text in phrasings:
        assert text.casefold() in SOURCING_VALUES
    found = systems(result).values()
    assert Counter(s.get("sourcing") for s in found) == {"internal": 35, "vendor": 7, None: 28}
    assert {s["vendor"] for s in found if "vendor" in s} == {"google", "gsa"}


def test_text_is_kept_verbatim(result: ImportResult, samples: Samples) -> None:
    text = "\n".join(str(v) for s in systems(result).values() for v in s.values())
    assert "donâ€™t" in text          # mojibake from the agency's own round-trip, not ours
    assert "Â\xa0" in text
    assert "•\t" in "\n".join(str(v) for v in systems(result)["DOT-1000084"].values())
    # Problem descriptions cut at 255 characters by the source are kept exactly as cut.
    found = systems(result)
    rows = source_rows(samples)
    assert [found[r["Use Case Identifier"]]["intended_use"] for r in rows] == [
        r["Problem Description"].strip() for r in rows]
    assert sum(254 <= len(r["Problem Description"]) <= 255 for r in rows) >= 25


def test_quirky_headers_cp1252_and_semicolons() -> None:
    text = ('"  use case\nIDENTIFIER ";Use Case Name;Stage of Development;'
            '"Is the AI use case rights-impacting, safety-impacting, both, or neither?";'
            "Date Implemented\r\n"
            "HHS-1;Triage caf\u00e9;Operation and Maintenance;Both;3/4/2024\r\n"
            "HHS-2;Coder;Initiated;Neither;\r\n"
            ";Unnamed row;Retired;Rights-Impacting\n;\r\n")
    result = run([SourceFile("hhs.csv", text.encode("cp1252"))])
    found = systems(result)
    assert found["HHS-1"] == {"id": "HHS-1", "name": "Triage caf\u00e9", "status": "deployed",
                              "risk_tier": "critical", "go_live": "2024-03-04"}
    assert (found["HHS-2"]["status"], found["HHS-2"]["risk_tier"]) == ("proposed", "low")
    assert found["unnamed-row"]["risk_tier"] == "high"   # no id column value: name slug
    assert [f.check for f in result.findings] == [quality.ENCODING]
    assert result.records[0].location.line == 3          # the header spans two lines


def test_unknown_stage_is_kept_and_values_override() -> None:
    text = b"Use Case ID,Development Stage,High Impact Indicator\nX-1,Sunset,a) High-impact\n"
    found = systems(run([SourceFile("x.csv", text)]))
    assert (found["X-1"]["status"], found["X-1"]["risk_tier"]) == ("Sunset", "high")
    found = systems(run([SourceFile("x.csv", text)], values={"status": {"Sunset": "retired"}},
                        keep_columns=False))
    assert found["X-1"]["status"] == "retired"


def test_columns_option_maps_other_headers() -> None:
    text = b"Ref,Title,Owner Email\nA-1,Chatbot,ann@example.gov\n"
    found = systems(run([SourceFile("x.csv", text)],
                        columns={"Ref": "id", "Title": "name", "Owner Email": "owner"}))
    assert found["A-1"] == {"id": "A-1", "name": "Chatbot", "owner": "ann@example.gov"}


def test_a_source_that_is_not_an_inventory_is_an_input_error() -> None:
    people = SourceFile("people.csv", b"id,name,email,status\np-1,Ann,a@x.gov,active\n")
    with pytest.raises(InputError) as caught:
        run([people])
    assert str(caught.value) == (
        "people.csv:1:1: people.csv is not a federal AI use case inventory export (format"
        " federal-csv): no CSV header names a use case id or name beside another inventory"
        " column (people.csv has id, name, email, status); map the columns under `columns`")
    with pytest.raises(InputError, match=r"^inv.yaml:1:1: inv.yaml is not a federal AI use case"
                       r" inventory export \(format federal-csv\): it has no CSV file"):
        run([SourceFile("inv.yaml", b"- {id: s-1}\n")])


def test_an_inventory_without_rows_is_a_real_import() -> None:
    header = b"Use Case ID,Use Case Name,Development Stage\n"
    result = run([SourceFile("x.csv", header)])
    assert result.records == () and result.findings == ()


def test_a_csv_beside_the_inventory_is_skipped_with_a_note() -> None:
    inventory = SourceFile("inv/a.csv", b"Use Case ID,Development Stage\nX-1,Pilot\n")
    other = SourceFile("inv/people.csv", b"id,name\np-1,Ann\n")
    result = run([inventory, other])
    assert list(systems(result)) == ["X-1"]
    assert [(f.check, f.entity) for f in result.findings] == [
        ("IMPORT-SKIPPED", "file:inv/people.csv")]
