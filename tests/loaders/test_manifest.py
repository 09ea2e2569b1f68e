"""The manifest: file kinds, column renames, value maps, CSV options, sources, located errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from govcheck import quality
from govcheck.errors import InputError
from govcheck.loaders import load_inventory
from govcheck.model import Finding, Location

# The `make_inventory` fixture (conftest.py): write {path: content}, get the folder.
MakeInventory = Callable[[Mapping[str, str | bytes]], Path]


HR_MANIFEST = """\
files:
  hr/workers.csv:
    kind: person
    columns: {Employee ID: id, Worker: name, Manager ID: manager, Roles: authorities,
              State: status, Remote: remote}
    values:
      status: {Active: active, On Leave: leave, Terminated: terminated}
      remote: {Y: true, N: false}
      authorities: {GoLive: approve-go-live}
    list_separator: "|"
    encoding: cp1252
    defaults: {email: unknown@example.org}
  exports/*.json: {kind: system}
ignore: [tools/*]
params:
  A.3.2-TRAINING-CURRENT: {required_courses: [ai-basics]}
"""


def test_manifest_maps_a_real_hr_export(make_inventory: MakeInventory) -> None:
    root = make_inventory({
        "govcheck.yaml": HR_MANIFEST,
        "hr/workers.csv": ("Employee ID;Worker;Manager ID;Roles;State;Remote\n"
                           "e-1;Jürgen;;GoLive|halt;Active;Y\n"
                           "e-2;Ann;e-1;;On Leave;N\n").encode("cp1252"),
        "exports/register.json": '[{"id": "s-1"}]',
        "tools/ci.yaml": "jobs: {}\n",
    })
    inventory = load_inventory(root)
    records = {r.key: r for r in inventory.records}
    assert records["person:e-1"].fields == {
        "id": "e-1", "name": "Jürgen", "authorities": ["approve-go-live", "halt"],
        "status": "active", "remote": True, "email": "unknown@example.org"}
    assert records["person:e-2"].fields["status"] == "leave"
    assert records["person:e-2"].fields["manager"] == "e-1"
    assert records["person:e-2"].raw["Employee ID"] == "e-2"
    assert records["person:e-2"].location == Location("hr/workers.csv", 3, 1)
    assert "system:s-1" in records
    assert inventory.findings == ()  # declared cp1252 is no fallback; tools/ is ignored
    assert inventory.manifest.params == {"A.3.2-TRAINING-CURRENT": {"required_courses":
                                                                    ["ai-basics"]}}
    assert inventory.manifest.location == Location("govcheck.yaml", 1, 1)


def test_delimiter_and_empty_cell_options(make_inventory: MakeInventory) -> None:
    root = make_inventory({
        "govcheck.yaml": "files:\n  people.csv: {delimiter: '|', empty_cell: empty-string}\n",
        "people.csv": "id|name,first|email\np-1|Ada, A.|\n",
    })
    (record,) = load_inventory(root).records
    assert record.fields == {"id": "p-1", "name,first": "Ada, A.", "email": ""}


def test_yaml_keys_are_renamed_too(make_inventory: MakeInventory) -> None:
    root = make_inventory({
        "govcheck.yaml": "files:\n  register.yaml: {kind: system, columns: {Owner: owner}}\n",
        "register.yaml": "- id: s-1\n  Owner: p-1\n",
    })
    (record,) = load_inventory(root).records
    assert record.fields == {"id": "s-1", "owner": "p-1"}
    assert record.field_locations["owner"] == Location("register.yaml", 2, 3)


@pytest.mark.parametrize(
    ("manifest", "location", "message"),
    [
        ("files:\n  people.csv:\n    kind: persn\n", "govcheck.yaml:3:5",
         "files.people.csv.kind 'persn' is not one of person"),
        ("files:\n  people.csv:\n    colums: {}\n", "govcheck.yaml:2:3", "colums"),
        ("sources:\n  - {format: backstage}\n", "govcheck.yaml:2:6", "path is required"),
        ("setings: {}\n", "govcheck.yaml:1:1", "setings"),
        ("files:\n  missing.csv: {kind: person}\n", "govcheck.yaml:2:3", "no such file"),
        ("files:\n  people.csv: {encoding: klingon}\n", "govcheck.yaml:2:16",
         "unknown encoding"),
        ("- a\n", "govcheck.yaml:1:1", "must be a mapping"),
        ("files: {}\nfiles: {}\n", "govcheck.yaml:2:1", "appears more than once"),
        ("files: [\n", "govcheck.yaml:2:1", "not valid YAML"),
        ("params: {X: 1}\n", "govcheck.yaml:1:10", "params.X must be a mapping"),
    ],
)
def test_manifest_errors_are_located(
    make_inventory: MakeInventory, manifest: str, location: str, message: str
) -> None:
    root = make_inventory({"govcheck.yaml": manifest, "people.csv": "id\np-1\n"})
    with pytest.raises(InputError, match=message) as caught:
        load_inventory(root)
    assert str(caught.value.location) == location


@dataclass(frozen=True, slots=True)
class FakeRecord:
    kind: str
    values: Mapping[str, Any]
    location: Location
    field_locations: Mapping[str, Location] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FakeResult:
    records: tuple[FakeRecord, ...]
    findings: tuple[Finding, ...]
    consumed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FakeFile:
    path: str
    data: bytes


def test_sources_go_to_the_importer_and_through_normalisation(
    make_inventory: MakeInventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[dict[str, Any], list[str]]] = []

    def run_importer(source: Mapping[str, Any], files: Sequence[FakeFile]) -> FakeResult:
        calls.append((dict(source), [f.path for f in files]))
        where = Location("catalog/a.yaml", 3, 5)
        return FakeResult(
            (FakeRecord("system", {"id": "s-1", "go_live": "someday", "risk_tier": "x"}, where),
             FakeRecord("system", {"id": "s-1"}, Location("catalog/b.yaml", 1, 1))),
            (), ("extra/lookup.csv",))

    monkeypatch.setattr("govcheck.importers.run_importer", run_importer)
    monkeypatch.setattr("govcheck.importers.SourceFile", FakeFile)
    root = make_inventory({
        "govcheck.yaml": "sources:\n  - {format: fake, path: catalog/}\n",
        "catalog/a.yaml": "kind: Component\n", "catalog/b.yaml": "kind: Component\n",
        "extra/lookup.csv": "x\n1\n",
    })
    inventory = load_inventory(root)
    assert calls == [({"format": "fake", "path": "catalog/"},
                      ["catalog/a.yaml", "catalog/b.yaml"])]
    assert [r.key for r in inventory.records] == ["system:s-1"]
    assert [(f.check, str(f.location)) for f in inventory.findings] == [
        (quality.BAD_DATE, "catalog/a.yaml:3:5"), (quality.SCHEMA, "catalog/a.yaml:3:5"),
        (quality.DUPLICATE_ID, "catalog/b.yaml:1:1")]
    assert "catalog/a.yaml" in [i.path for i in inventory.inputs]
