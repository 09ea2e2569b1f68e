"""load_inventory: file conventions, normalisation, every INVENTORY-* finding, accounting."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govcheck import quality
from govcheck.errors import InputError
from govcheck.loaders import load_inventory
from govcheck.model import Finding, Inventory, Location

# The `make_inventory` fixture (conftest.py): write {path: content}, get the folder.
MakeInventory = Callable[[Mapping[str, str | bytes]], Path]
DATA = Path(__file__).resolve().parents[1] / "data" / "loaders"


def located(inventory: Inventory) -> dict[str, Location]:
    return {record.key: record.location for record in inventory.records}


def finding_rows(findings: tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    return [(f.check, f.entity, str(f.location)) for f in findings]


def test_basic_inventory_records_and_locations() -> None:
    inventory = load_inventory(DATA / "basic")
    assert located(inventory) == {
        "assignment:a-1": Location("assignments.json", 2, 4),
        "assignment:a-2": Location("assignments.json", 4, 4),
        "person:p-001": Location("people.csv", 2, 1),
        "person:p-002": Location("people.csv", 3, 1),
        "person:p-003": Location("people.csv", 5, 1),
        "system:s-2": Location("systems/chat.yaml", 1, 1),
        "system:s-1": Location("systems/credit.yaml", 1, 1),
        "team:t-1": Location("teams.yaml", 2, 3),
        "team:t-2": Location("teams.yaml", 5, 4),
    }
    assert [r.location for r in inventory.records] == sorted(r.location for r in inventory.records)
    assert finding_rows(inventory.findings) == [
        (quality.DUPLICATE_ID, "assignment:a-1", "assignments.json:5:4"),
        (quality.UNKNOWN_FILE, "file:notes.yaml", "notes.yaml:1:1"),
        (quality.BAD_DATE, "person:p-003", "people.csv:5:1"),
        (quality.SCHEMA, "system:s-2", "systems/chat.yaml:1:1"),
    ]
    duplicate = inventory.findings[0]
    assert duplicate.related == (Location("assignments.json", 2, 4),)
    assert inventory.root == str(DATA / "basic")


def test_basic_inventory_values_are_canonical() -> None:
    records = {r.key: r for r in load_inventory(DATA / "basic").records}
    ada = records["person:p-001"].fields
    assert ada["authorities"] == ["approve-go-live", "halt"]
    assert ada["teams"] == ["t-1"]
    assert "end_date" not in ada and "manager" not in ada  # empty cells are absent
    assert records["person:p-002"].fields["name"] == "Grace\nHopper"
    assert "end_date" not in records["person:p-003"].fields
    assert records["person:p-003"].raw["end_date"] == "31/12/2025"
    a1 = records["assignment:a-1"].fields
    assert a1["accepted_at"] == datetime(2026, 1, 2, 8, tzinfo=UTC)
    assert records["system:s-1"].fields["areas"] == {"risk": "p-001", "security": "p-002"}
    assert records["system:s-2"].fields["risk_tier"] == "severe"  # kept as read
    assert records["team:t-1"].field_locations["lead"] == Location("teams.yaml", 4, 3)


def test_inputs_are_every_file_read_with_its_digest() -> None:
    inventory = load_inventory(DATA / "basic")
    paths = [i.path for i in inventory.inputs]
    assert paths == ["assignments.json", "notes.yaml", "people.csv", "systems/chat.yaml",
                     "systems/credit.yaml", "teams.yaml"]
    digest = hashlib.sha256((DATA / "basic" / "people.csv").read_bytes()).hexdigest()
    assert inventory.inputs[2].sha256 == digest


EXPORT_YAML = """\
- id: s-1
  name: Credit scoring
  status: deployed
  risk_tier: high
  owner: p-1
  go_live: 2026-01-15
  version: "2.1"
  regulations: [EU-AI-Act, GDPR]
  areas: {risk: p-1, privacy: p-2}
  enabled: yes
  budget: 1200
- id: s-2
  status: retired
  retired_at: 2025-12-31T18:00:00+01:00
  owner:
"""
EXPORT_JSON = """[
 {"id": "s-1", "name": "Credit scoring", "status": "deployed", "risk_tier": "high",
  "owner": "p-1", "go_live": "2026-01-15", "version": "2.1",
  "regulations": ["EU-AI-Act", "GDPR"], "areas": {"risk": "p-1", "privacy": "p-2"},
  "enabled": "yes", "budget": 1200},
 {"id": "s-2", "status": "retired", "retired_at": "2025-12-31T18:00:00+01:00", "owner": null}
]
"""
EXPORT_CSV = """\
id,name,status,risk_tier,owner,go_live,version,regulations,areas.risk,areas.privacy,enabled
s-1,Credit scoring,deployed,high,p-1,2026-01-15,2.1,EU-AI-Act;GDPR,p-1,p-2,yes
s-2,,retired,,,,,,,,
"""


def test_yaml_json_and_csv_copies_give_identical_records(make_inventory: MakeInventory) -> None:
    root = make_inventory({"y/systems.yaml": EXPORT_YAML, "j/systems.json": EXPORT_JSON,
                           "c/systems.csv": EXPORT_CSV.replace(",,,,,,,,", ",2025-12-31T18:00"
                                                               ":00+01:00,,,,,,,")})
    from_yaml = load_inventory(root / "y")
    from_json = load_inventory(root / "j")
    assert [(r.id, r.fields, r.raw) for r in from_yaml.records] == [
        (r.id, r.fields, r.raw) for r in from_json.records]
    assert from_yaml.findings == () and from_json.findings == ()
    assert from_yaml.records[1].fields["retired_at"] == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert "owner" not in from_yaml.records[1].fields  # null means absent


def test_csv_copy_matches_apart_from_numbers(make_inventory: MakeInventory) -> None:
    csv = ("id,name,status,risk_tier,owner,go_live,version,regulations,areas.risk,areas.privacy\n"
           "s-1,Credit scoring,deployed,high,p-1,2026-01-15,2.1,EU-AI-Act;GDPR,p-1,p-2\n")
    yaml = EXPORT_YAML.split("  enabled")[0]
    root = make_inventory({"c/systems.csv": csv, "y/systems.yaml": yaml})
    assert load_inventory(root / "c").records[0].fields == load_inventory(
        root / "y").records[0].fields


def test_folder_named_after_a_kind_gives_the_kind(make_inventory: MakeInventory) -> None:
    root = make_inventory({"systems/training.yaml": "id: s-1\n",
                           "data/people/team-a.csv": "id\np-1\n",
                           "exports/teams.json": '[{"id": "t-1"}]'})
    assert sorted(r.key for r in load_inventory(root).records) == [
        "person:p-1", "system:s-1", "team:t-1"]


def test_single_mapping_and_multi_document_files(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": "id: p-1\n---\n- id: p-2\n- id: p-3\n---\nid: p-4\n",
                           "team.json": '{"id": "t-1"}'})
    inventory = load_inventory(root)
    assert located(inventory) == {
        "person:p-1": Location("people.yaml", 1, 1), "person:p-2": Location("people.yaml", 3, 3),
        "person:p-3": Location("people.yaml", 4, 3), "person:p-4": Location("people.yaml", 6, 1),
        "team:t-1": Location("team.json", 1, 2)}


def schema_messages(inventory: Inventory) -> dict[str, tuple[str, str]]:
    return {f.entity: (str(f.location), f.message) for f in inventory.findings
            if f.check == quality.SCHEMA}


def test_schema_findings_list_every_violation(make_inventory: MakeInventory) -> None:
    root = make_inventory({
        "systems.yaml": "- id: s-9\n  risk_tier: severe\n  status: live\n  regulations: GDPR\n"
                        "- id: s-8\n  name: [a]\n  owner: ''\n",
        "assignments.yaml": "- id: a-1\n  system: s-9\n",
        "people.yaml": "- id: 7\n- id: p-1\n  email: not-an-address\n",
    })
    messages = schema_messages(load_inventory(root))
    assert messages == {
        "system:s-9": ("systems.yaml:1:3",
                       "system 's-9': regulations must be a list, not string 'GDPR'; risk_tier"
                       " 'severe' is not one of low, medium, high, critical; status 'live' is"
                       " not one of proposed, development, validation, deployed, retired"),
        "system:s-8": ("systems.yaml:5:3",
                       "system 's-8': name must be a string, not list [\"a\"]; owner must not"
                       " be empty"),
        "assignment:a-1": ("assignments.yaml:1:3",
                           "assignment 'a-1': person is required; phase is required"),
        "person:p-1": ("people.yaml:2:3",
                       "person 'p-1': email 'not-an-address' is not an email address"),
    }


def test_schema_failing_records_are_kept(make_inventory: MakeInventory) -> None:
    root = make_inventory({"systems.yaml": "- id: s-9\n  risk_tier: severe\n"})
    (record,) = load_inventory(root).records
    assert record.fields["risk_tier"] == "severe"


def test_duplicate_key_is_reported_at_that_key(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": "- id: p-1\n  name: A\n  status: active\n  name: B\n",
                           "teams.json": '[{"id": "t-1",\n  "lead": "p-1", "lead": "p-2"}]'})
    inventory = load_inventory(root)
    messages = schema_messages(inventory)
    assert messages["person:p-1"][0] == "people.yaml:4:3"
    assert "key 'name' appears more than once" in messages["person:p-1"][1]
    assert messages["team:t-1"][0] == "teams.json:2:18"
    records = {r.key: r for r in inventory.records}
    assert records["person:p-1"].fields["name"] == "A"
    assert records["team:t-1"].fields["lead"] == "p-1"


def test_records_without_an_id_are_reported_not_kept(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": "- name: No Id\n- id: ''\n- just a string\n- [1]\n"
                                          "- id: p-1\n- id: true\n"})
    inventory = load_inventory(root)
    assert [r.key for r in inventory.records] == ["person:p-1"]
    (finding,) = inventory.findings
    assert (finding.check, finding.entity, str(finding.location)) == (
        quality.SCHEMA, "file:people.yaml", "people.yaml:1:3")
    assert finding.related == tuple(Location("people.yaml", line, 3) for line in (2, 3, 4, 6))
    assert finding.message == (
        "5 items are not read: at line 1: person record has no usable id (it is missing);"
        " at line 2: person record has no usable id ('' is not a non-empty string);"
        " at line 3: expected a person record (a mapping), found the value 'just a string';"
        " at line 4: expected a person record (a mapping), found a list;"
        " at line 6: person record has no usable id (true is not a non-empty string)")


def test_duplicates_keep_the_first_in_path_order(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": "- id: p-1\n  name: B\n",
                           "b/people.csv": "id,name\np-1,A\n",
                           "people.json": '[{"id": "p-1", "name": "C"}, {"id": "p-1"}]'})
    inventory = load_inventory(root)
    assert [(r.key, r.fields["name"]) for r in inventory.records] == [("person:p-1", "A")]
    (finding,) = inventory.findings
    assert finding.check == quality.DUPLICATE_ID
    assert finding.location == Location("people.json", 1, 3)
    assert finding.related == (Location("b/people.csv", 2, 1), Location("people.json", 1, 31),
                               Location("people.yaml", 1, 3))
    assert finding.message.startswith("person 'p-1' is defined 4 times; the first, at"
                                      " b/people.csv:2:1, is kept")


def test_bad_dates_give_one_finding_per_record(make_inventory: MakeInventory) -> None:
    root = make_inventory({"assignments.yaml": (
        "- id: a-1\n  system: s\n  phase: monitoring\n  person: p\n"
        "  assigned_at: 2026-02-30\n  accepted_at: soon\n  reviewed_at: 2026-03-01\n")})
    inventory = load_inventory(root)
    (finding,) = inventory.findings
    assert (finding.check, finding.entity, str(finding.location)) == (
        quality.BAD_DATE, "assignment:a-1", "assignments.yaml:1:3")
    assert finding.message == ("assignment 'a-1': assigned_at '2026-02-30' is not an ISO 8601"
                               " date; accepted_at 'soon' is not an ISO 8601 date")
    fields = inventory.records[0].fields
    assert "assigned_at" not in fields and "accepted_at" not in fields
    assert fields["reviewed_at"] == datetime(2026, 3, 1, tzinfo=UTC)


def test_a_bad_required_date_is_not_also_a_schema_finding(make_inventory: MakeInventory) -> None:
    root = make_inventory({"events.json": json.dumps(
        [{"seq": 1, "at": "noon", "prev_hash": "0" * 64, "hash": "x"}])})
    assert [f.check for f in load_inventory(root).findings] == [quality.BAD_DATE]


def test_unknown_data_files_are_findings_others_ignored(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.csv": "id\np-1\n", "misc/stuff.csv": "a\n1\n",
                           "config.yml": "x: 1\n", "README.md": "# hi\n", "logo.png": b"\x89PNG",
                           ".git/config.yaml": "x: 1\n", "notes.txt": "x"})
    inventory = load_inventory(root)
    assert finding_rows(inventory.findings) == [
        (quality.UNKNOWN_FILE, "file:config.yml", "config.yml:1:1"),
        (quality.UNKNOWN_FILE, "file:misc/stuff.csv", "misc/stuff.csv:1:1")]
    assert inventory.findings[0].severity.value == "medium"


def test_cp1252_csv_is_read_and_reported(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.csv": "id,name\np-1,Jürgen\n".encode("cp1252")})
    inventory = load_inventory(root)
    assert inventory.records[0].fields["name"] == "Jürgen"
    (finding,) = inventory.findings
    assert (finding.check, finding.entity, str(finding.location), finding.severity.value) == (
        quality.ENCODING, "file:people.csv", "people.csv:1:1", "low")


def test_bidi_controls_are_a_schema_finding(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.yaml": "- id: p-1\n  name: \"Ada \u202eevil\u202c\"\n"})
    inventory = load_inventory(root)
    (finding,) = inventory.findings
    assert finding.check == quality.SCHEMA and finding.entity == "person:p-1"
    assert "name holds bidirectional control characters (U+202C" in finding.message
    assert "\u202e" not in finding.message


def test_events_one_log_ids_are_seq(make_inventory: MakeInventory) -> None:
    events = [{"seq": 1, "at": "2026-01-01T00:00:00Z", "actor": "p-1", "action": "x",
               "detail": {"b": 1.0, "a": [1, "é"]}, "prev_hash": "0" * 64, "hash": "h1"},
              {"seq": 1, "at": "2026-01-02", "prev_hash": "h1", "hash": "h2"}]
    root = make_inventory({"events.json": json.dumps(events, ensure_ascii=False)})
    inventory = load_inventory(root)
    assert [r.id for r in inventory.records] == ["1", "1"]  # a repeated seq is not a duplicate
    assert inventory.findings == ()
    assert inventory.records[0].raw == events[0]
    assert inventory.records[0].fields["at"] == datetime(2026, 1, 1, tzinfo=UTC)


def test_events_several_logs_ids_are_prefixed(make_inventory: MakeInventory) -> None:
    event = {"seq": 1, "at": "2026-01-01", "prev_hash": "0" * 64, "hash": "h"}
    root = make_inventory({"events/app.json": json.dumps([event]),
                           "events/ops.json": json.dumps([event]), "people.csv": "id\np\n"})
    assert sorted(r.id for r in load_inventory(root).records if r.kind == "event") == [
        "app/1", "ops/1"]


def test_own_files_are_kept_aside(make_inventory: MakeInventory) -> None:
    root = make_inventory({"people.csv": "id\np-1\n", "govcheck-waivers.yaml": "waivers: []\n",
                           "govcheck-baseline.json": "{}", "govcheck-snapshot.json": "{}",
                           "govcheck.yaml": "settings: {waiver_max_days: 90}\n"})
    inventory = load_inventory(root)
    assert inventory.own_files == {"govcheck-waivers.yaml": b"waivers: []\n",
                                   "govcheck-baseline.json": b"{}",
                                   "govcheck-snapshot.json": b"{}"}
    assert [i.path for i in inventory.inputs] == [
        "govcheck-baseline.json", "govcheck-waivers.yaml", "govcheck.yaml", "people.csv"]
    assert inventory.manifest.settings == {"waiver_max_days": 90}
    assert inventory.findings == ()


@pytest.mark.parametrize(
    ("files", "location", "message"),
    [
        ({"README.md": "x"}, "{root}:1:1", "no inventory data file found"),
        ({"notes.yaml": "- a: 1\n"}, "{root}:1:1", "no inventory data file found"),
        ({"people.yaml": "just a string\n"}, "people.yaml:1:1", "found a single value"),
        ({"people.yaml": "- id: [\n"}, "people.yaml:2:1", "not valid YAML"),
        ({"people.json": '[{"id": }]'}, "people.json:1:9", "not valid JSON"),
        ({"people.json": b"\xff\xfe[]"}, "people.json:1:1", "not utf-8 text"),
        ({"people.csv": 'id\n"p-1\n'}, "people.csv:2:1", "not valid CSV"),
    ],
)
def test_unreadable_inventories_are_located_input_errors(
    make_inventory: MakeInventory, files: dict[str, Any], location: str, message: str
) -> None:
    root = make_inventory(files)
    with pytest.raises(InputError, match=message) as caught:
        load_inventory(root)
    assert str(caught.value.location) == location.format(root=root)


def test_missing_inventory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inventory not found"):
        load_inventory(tmp_path / "nope")
    (tmp_path / "people.csv").write_text("id\n")
    with pytest.raises(InputError, match=r"directory or a \.tar\.gz"):
        load_inventory(tmp_path / "people.csv")


def test_symlink_out_of_the_inventory_is_refused(make_inventory: MakeInventory,
                                                 tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("- id: x\n")
    root = make_inventory({"people.csv": "id\np\n"})
    (root / "teams.yaml").symlink_to(secret)
    with pytest.raises(InputError, match="symbolic link points outside") as caught:
        load_inventory(root)
    assert str(caught.value.location) == "teams.yaml:1:1"


def test_nothing_is_silently_dropped(make_inventory: MakeInventory) -> None:
    """Every item read is either a kept record or a reported one."""
    root = make_inventory({
        "people.yaml": "- id: p-1\n- id: p-1\n- name: x\n- 42\n- id: p-2\n  status: gone\n",
        "people.csv": "id,name\np-1,A\n,nameless\np-3,C\n",
        "systems.json": '[{"id": "s-1"}, {"id": "s-1"}, {"id": "s-1"}, null, {"id": "s-2"}]',
    })
    items_read = 5 + 3 + 5
    inventory = load_inventory(root)
    unidentified = sum(1 + len(f.related) for f in inventory.findings
                       if f.entity.startswith("file:"))
    duplicated = sum(len(f.related) for f in inventory.findings
                     if f.check == quality.DUPLICATE_ID)
    assert len(inventory.records) == 5
    assert items_read == len(inventory.records) + unidentified + duplicated


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
def test_an_empty_json_file_does_not_parse(make_inventory: MakeInventory, text: str) -> None:
    root = make_inventory({"systems.json": text, "people.csv": "id\np-1\n"})
    with pytest.raises(InputError, match="not valid JSON: the file is empty") as caught:
        load_inventory(root)
    assert caught.value.location == Location("systems.json", 1, 1)


def test_empty_yaml_and_csv_files_hold_no_records(make_inventory: MakeInventory) -> None:
    root = make_inventory({"systems.yaml": "", "teams.yaml": "# none yet\n", "people.csv": "",
                           "vendors.json": "[]"})
    inventory = load_inventory(root)
    assert inventory.records == () and inventory.findings == ()
    assert [i.path for i in inventory.inputs] == ["people.csv", "systems.yaml", "teams.yaml",
                                                  "vendors.json"]


def test_govcheck_reports_and_sarif_logs_are_not_data(make_inventory: MakeInventory) -> None:
    report = {"tool": {"name": "govcheck", "version": "0.1.0"}, "findings": [], "inputs": []}
    sarif = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
             "runs": [{"tool": {"driver": {"name": "govcheck"}}, "results": []}]}
    root = make_inventory({
        "people.csv": "id\np-1\n",
        "report.json": json.dumps(report, indent=2),
        "out/scan.json": "\ufeff" + json.dumps(sarif),
        "other.json": json.dumps({"tool": {"name": "other"}, "findings": []}),
        "broken.json": '{"tool": {"name": "govcheck"}, "findings": [',
        "systems/report.json": json.dumps(report),  # a kind folder: still data
    })
    inventory = load_inventory(root)
    assert finding_rows(inventory.findings) == [
        (quality.UNKNOWN_FILE, "file:broken.json", "broken.json:1:1"),
        (quality.UNKNOWN_FILE, "file:other.json", "other.json:1:1"),
        (quality.SCHEMA, "file:systems/report.json", "systems/report.json:1:2"),
    ]
    assert [i.path for i in inventory.inputs] == ["broken.json", "other.json", "people.csv",
                                                  "systems/report.json"]
