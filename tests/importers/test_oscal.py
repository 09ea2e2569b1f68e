"""OSCAL SSP importer on the NIST IFA GoodRead examples: golden output and every quirk."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from govcheck.errors import InputError
from govcheck.importers import IMPORT_SKIPPED, ImportResult, SourceFile, run_importer

Samples = Callable[[str], list[SourceFile]]
SSP = "oscal/ifa_ssp-example.json"
OWEN = "ba9c12bd-e5ef-46b6-95a2-4d8e7f864c1a"
JUNO = "67c04291-dbf6-495a-a3ba-0011638acc94"
XAVIER = "4ba3f2b7-e894-48d7-b940-91c68661df55"
IFA = "3a675986-b4ff-4030-b178-e953c2e55d64"
SYSTEM = "8101e04d-8305-4e73-bb95-6b59f645b143"


def run(files: list[SourceFile], **options: object) -> ImportResult:
    return run_importer({"format": "oscal-ssp", "path": "oscal/", **options}, files)


def ssp_json(samples: Samples) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        next(f for f in samples("oscal") if f.path == SSP).data)
    return data


def values(result: ImportResult) -> list[tuple[str, dict[str, Any]]]:
    return [(r.kind, dict(r.values)) for r in result.records]


def of_kind(result: ImportResult, kind: str) -> dict[str, dict[str, Any]]:
    return {str(r.values["id"]): dict(r.values) for r in result.records if r.kind == kind}


def test_golden(samples: Samples, golden: Callable[[str, ImportResult], None]) -> None:
    golden("oscal-ssp", run(samples("oscal")))


def test_counts_match_the_plan(samples: Samples) -> None:
    plan = ssp_json(samples)["system-security-plan"]
    parties = plan["metadata"]["parties"]
    result = run(samples("oscal"))
    assert len(of_kind(result, "person")) == sum(p["type"] == "person" for p in parties) == 3
    assert len(of_kind(result, "team")) == sum(p["type"] == "organization" for p in parties)
    assert len(of_kind(result, "system")) == 1
    # System users (Application Administrator, PAOs, General Public) are not people.
    names = {p.get("name") for p in of_kind(result, "person").values()}
    assert names == {"Owen Stilskin", "Juno Styles", "Xavier Jones"}


def test_system_and_owner(samples: Samples) -> None:
    system = of_kind(run(samples("oscal")), "system")[SYSTEM]
    assert system == {
        "id": SYSTEM, "name": "IFA GoodRead",
        "intended_use": "This system acts as a link shortener for IFA employees",
        "status": "deployed", "risk_tier": "medium", "owner": f"person:{OWEN}",
    }


def test_component_roles_repeating_party_uuids_give_one_assignment_each(samples: Samples
                                                                        ) -> None:
    assignments = of_kind(run(samples("oscal")), "assignment")
    pairs = sorted((a["phase"], a["person"]) for a in assignments.values())
    assert pairs == [("deployment", f"person:{XAVIER}"), ("development", f"person:{JUNO}"),
                     ("monitoring", f"person:{XAVIER}")]


def test_role_without_party_and_unmapped_role_are_noted(samples: Samples) -> None:
    result = run(samples("oscal"))
    notes = {f.entity: f for f in result.findings if f.check == IMPORT_SKIPPED}
    note = notes["role:public-affairs-office"]
    assert "no responsible party" in note.message
    assert (note.location.path, note.location.line) == (SSP, 24)


def test_role_map_option(samples: Samples) -> None:
    result = run(samples("oscal"), roles={"public-affairs-office": "monitoring",
                                          "developer": ["development", "validation"]})
    phases = sorted(a["phase"] for a in of_kind(result, "assignment").values())
    assert phases == ["deployment", "development", "monitoring", "validation"]
    assert "role:public-affairs-office" not in {f.entity for f in result.findings}
    with pytest.raises(InputError, match="roles"):
        run(samples("oscal"), roles={"developer": "coding"})


def test_authorization_becomes_go_live_approval_without_approver(samples: Samples) -> None:
    approval = of_kind(run(samples("oscal")), "approval")[f"{SYSTEM}/authorization"]
    assert approval["decided_at"] == "2023-05-19" and approval["decision"] == "approved"
    assert "approver" not in approval   # the plan names no authorizing official


def test_other_models_and_cross_document_refs_are_not_imported(samples: Samples) -> None:
    result = run(samples("oscal"))
    skipped = {f.entity: f.message for f in result.findings if f.check == IMPORT_SKIPPED}
    assert "assessment results" in skipped["file:oscal/ifa_assessment-results-example.json"]
    assert "plan of action" in skipped["file:oscal/ifa_plan-of-action-and-milestones.json"]
    # Nothing comes from the AR or POA&M: no Amy Assessor, no risks, no deviation approval.
    assert {r.location.path for r in result.records} == {SSP}
    assert len(of_kind(result, "team")) == 1     # IFA, though the AR repeats its uuid
    assert len(result.consumed) == 3


def test_yaml_and_json_copies_give_identical_records(samples: Samples) -> None:
    data = ssp_json(samples)
    as_yaml = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    from_json = run([SourceFile("ssp.json", json.dumps(data).encode())])
    from_yaml = run([SourceFile("ssp.yaml", as_yaml)])
    assert values(from_json) == values(from_yaml)
    assert all(r.location.path == "ssp.yaml" for r in from_yaml.records)


def test_both_copies_in_one_folder_give_each_record_once(samples: Samples) -> None:
    data = ssp_json(samples)
    result = run([SourceFile("a/ssp.json", json.dumps(data, indent=1).encode()),
                  SourceFile("b/ssp.yaml", yaml.safe_dump(data).encode())])
    assert len(result.records) == len(run(samples("oscal")).records)


def test_oscal_1_0_yaml_with_repeated_uuid() -> None:
    text = f"""system-security-plan:
  uuid: 11111111-0000-4000-8000-000000000000
  metadata:
    title: Old plan
    oscal-version: 1.0.0
    roles: [{{id: system-owner, title: Owner}}, {{id: assessor, title: Assessor}}]
    parties:
      - {{uuid: {OWEN}, type: person, name: Owen, email-addresses: [owen@example.gov]}}
      - {{uuid: {OWEN}, type: person, name: Owen, email-addresses: [owen@example.gov]}}
      - {{uuid: {JUNO}, type: person, name: Juno}}
      - {{uuid: {JUNO}, type: person, name: Juno Styles}}
    responsible-parties:
      - {{role-id: system-owner, party-uuids: [{OWEN}]}}
      - {{role-id: assessor, party-uuids: [{JUNO}]}}
  system-characteristics:
    system-ids: [{{id: F-123}}]
    system-name: Old
    description: Scores grant applications
    date-authorized: 2021-01-04
    security-impact-level:
      security-objective-confidentiality: fips-199-high
      security-objective-integrity: fips-199-low
    status: {{state: disposition}}
"""
    result = run([SourceFile("old.yaml", text.encode())])
    people = [r for r in result.records if r.kind == "person"]
    # An identical repeat is one person; a differing repeat is kept for the loader to report.
    assert [(p.values["id"], p.values.get("name")) for p in people] == [
        (OWEN, "Owen"), (JUNO, "Juno"), (JUNO, "Juno Styles")]
    assert people[0].values["email"] == "owen@example.gov"
    system = of_kind(result, "system")["F-123"]
    assert (system["status"], system["risk_tier"]) == ("retired", "high")
    assert of_kind(result, "approval")["F-123/authorization"]["decided_at"] == "2021-01-04"
    assert [a["phase"] for a in of_kind(result, "assignment").values()] == ["validation"]


def test_organizations_as_vendors(samples: Samples) -> None:
    result = run(samples("oscal"), vendors=["IFA"])
    assert IFA in of_kind(result, "vendor") and not of_kind(result, "team")
    assert "teams" not in of_kind(result, "person")[OWEN]


def test_private_use_character_is_read_verbatim() -> None:
    text = ('{"system-security-plan": {"uuid": "u", "metadata": {"parties": [{"uuid": "p",'
            ' "type": "person", "name": "so\ue002ware lead"}]}, "system-characteristics":'
            ' {"system-name": "S"}}}')
    result = run([SourceFile("ssp.json", text.encode())])
    assert of_kind(result, "person")["p"]["name"] == "so\ue002ware lead"


def test_not_a_plan_is_skipped_and_bad_json_is_an_error() -> None:
    result = run([SourceFile("x.json", b'{"hello": 1}'),
                  SourceFile("ssp.json", b'{"system-security-plan": {"uuid": "u-1"}}')])
    skipped = next(f for f in result.findings if f.entity == "file:x.json")
    assert skipped.check == IMPORT_SKIPPED
    assert skipped.message == "x.json is not an OSCAL system security plan"
    with pytest.raises(InputError) as error:
        run([SourceFile("bad.json", b'{"system-security-plan": {,}}')])
    assert str(error.value).startswith("bad.json:1:")


def test_a_source_without_a_plan_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        run([SourceFile("people.csv", b"id,name\np-1,Ann\n")])
    assert str(caught.value) == ("people.csv:1:1: people.csv is not an OSCAL system security"
                                 " plan export (format oscal-ssp): it has no JSON or YAML file")
    with pytest.raises(InputError, match=r"^x.yaml:1:1: x.yaml is not an OSCAL system security"
                       r" plan export \(format oscal-ssp\): no JSON or YAML document in it has"
                       r" a top-level `system-security-plan`$"):
        run([SourceFile("x.yaml", b"- {id: p-1, name: Ann}\n")])
    results = SourceFile("oscal/ar.json", b'{"assessment-results": {"uuid": "u"}}')
    # Several files: located at the source entry (the manifest's, when it has positions).
    with pytest.raises(InputError, match=r"^govcheck.yaml:1:1: oscal/ is not .*: it holds OSCAL"
                       r" assessment results, but no system security plan$"):
        run([results, SourceFile("oscal/README.md", b"notes")])


def test_a_plan_without_records_imports_nothing() -> None:
    # A real, if empty, plan: the notes say what is missing and the import succeeds.
    result = run([SourceFile("ssp.json", b'{"system-security-plan": {"uuid": "u-1"}}')])
    assert result.records == ()
    assert [f.check for f in result.findings] == [IMPORT_SKIPPED]
