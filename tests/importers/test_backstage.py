"""Backstage importer on the real acme example catalog: counts, golden output, every quirk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from govcheck.errors import InputError
from govcheck.importers import (
    IMPORT_INCONSISTENT,
    IMPORT_SKIPPED,
    IMPORT_UNRESOLVED_REF,
    ImportResult,
    SourceFile,
    run_importer,
)
from govcheck.importers.backstage import EntityRef, canonical_id, parse_ref
from govcheck.importers.parsing import parse_documents

Samples = Callable[[str], list[SourceFile]]

# Selects the AI-relevant entities of the sample: APIs tagged `ai`, every AiResource,
# and Components of type service (so owner forms and name collisions are exercised).
AI_RULE = {"kinds": ["Component", "API", "AiResource"], "tags": ["ai"],
           "types": ["service", "skill", "rule", "plugin", "marketplace"]}


def run(files: list[SourceFile], **options: object) -> ImportResult:
    return run_importer({"format": "backstage", "path": "backstage/", **options}, files)


def by_id(result: ImportResult, kind: str) -> dict[str, dict[str, object]]:
    return {str(r.values["id"]): dict(r.values) for r in result.records if r.kind == kind}


def messages(result: ImportResult, check: str) -> dict[str, str]:
    return {f.entity: f.message for f in result.findings if f.check == check}


def test_record_counts_match_the_catalog(samples: Samples) -> None:
    files = samples("backstage")
    kinds: Counter[str] = Counter()
    for file in files:
        for doc, _ in parse_documents(file):
            kinds[doc["kind"]] += 1
    assert sum(kinds.values()) == 72
    result = run(files)
    counts = Counter(r.kind for r in result.records)
    assert counts == {"person": kinds["User"], "team": kinds["Group"]} == {
        "person": 17, "team": 9}


def test_golden_default_rule(samples: Samples, golden: Callable[[str, ImportResult], None]
                             ) -> None:
    golden("backstage-default", run(samples("backstage")))


def test_golden_ai_rule(samples: Samples, golden: Callable[[str, ImportResult], None]) -> None:
    golden("backstage-ai-rule", run(samples("backstage"), **AI_RULE))


def test_default_rule_selects_no_system_and_says_so(samples: Samples) -> None:
    result = run(samples("backstage"))
    assert not by_id(result, "system")
    note = messages(result, IMPORT_SKIPPED)["source:backstage/"]
    assert "tags ai-system" in note


def test_ai_rule_counts_selected_entities(samples: Samples) -> None:
    result = run(samples("backstage"), **AI_RULE)
    systems = by_id(result, "system")
    refs = Counter(str(s["backstage_ref"]).split(":")[0] for s in systems.values())
    # 10 service Components (2 websites and a library are not), 2 APIs tagged ai, 4 AiResources.
    assert refs == {"component": 10, "api": 2, "airesource": 4}


def test_multi_document_files_keep_each_documents_line(samples: Samples) -> None:
    result = run(samples("backstage"))
    in_team_a = [r for r in result.records
                 if r.location.path == "backstage/acme/team-a-group.yaml"]
    assert [(r.kind, r.values["id"], r.location.line) for r in in_team_a] == [
        ("team", "team-a", 1), ("person", "breanna.davison", 15), ("person", "janelle.dawe", 26),
        ("person", "nigel.manning", 37), ("person", "guest", 51),
        ("person", "development/guest", 64),
    ]


def test_namespaced_users_stay_two_people(samples: Samples) -> None:
    people = by_id(run(samples("backstage")), "person")
    assert people["guest"]["teams"] == ["team-a"]
    # `memberOf: [group:default/team-a]` in namespace development names the default team.
    assert people["development/guest"]["teams"] == ["team-a"]
    assert "breanna.davison" in people and "name" not in people["breanna.davison"]


def test_owner_forms(samples: Samples) -> None:
    systems = by_id(run(samples("backstage"), **AI_RULE), "system")
    assert systems["artist-lookup"]["owner"] == "team:team-a"     # bare group name
    assert systems["searcher"]["owner"] == "person:guest"          # user:guest
    # A bare owner is a group in Backstage: `guest` is group guest, which does not exist,
    # so the loader reports it dangling; it must not silently become the user guest.
    assert systems["playback-order"]["owner"] == "team:guest"


def test_owner_of_unselected_entity_dangles_with_a_hint(samples: Samples) -> None:
    result = run(samples("backstage"))
    message = messages(result, IMPORT_UNRESOLVED_REF)["backstage:component:default/playback-order"]
    assert "group:default/guest" in message and "user:guest" in message
    finding = next(f for f in result.findings
                   if f.entity == "backstage:component:default/playback-order")
    assert (finding.location.path, finding.location.line) == (
        "backstage/components/playback-order-component.yaml", 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("user:frank.tiernan", EntityRef("user", "default", "frank.tiernan")),
        ("acme-corp", EntityRef("group", "default", "acme-corp")),
        ("group:team-a", EntityRef("group", "default", "team-a")),
        ("user:development/guest", EntityRef("user", "development", "guest")),
        ("guest", EntityRef("group", "default", "guest")),
    ],
)
def test_reference_forms(text: str, expected: EntityRef) -> None:
    assert parse_ref(text, "group", "default") == expected


def test_reference_namespace_defaults_to_the_referrers() -> None:
    ref = parse_ref("team-a", "group", "development")
    assert ref is not None and ref.canonical_id == "development/team-a"
    assert canonical_id("default", "guest") == "guest"
    assert parse_ref("a/b/c", "group", "default") is None


def test_dangling_references_are_located(samples: Samples) -> None:
    result = run(samples("backstage"))
    unresolved = messages(result, IMPORT_UNRESOLVED_REF)
    plugin = unresolved["backstage:airesource:default/code-review-plugin"]
    assert "typescript-best-practices" in plugin and "security-review" in plugin
    assert "testing-plugin" in unresolved["backstage:airesource:default/company-ai-tools"]
    assert "swapi-graphql.yaml" in unresolved["backstage:location:default/example-apis"]
    assert "petstore-webhook.oas.yaml" in unresolved["backstage:api:default/petstore-webhook"]
    location_finding = next(f for f in result.findings
                            if f.entity == "backstage:location:default/example-apis")
    assert (location_finding.location.path, location_finding.location.line) == (
        "backstage/all-apis.yaml", 16)


def test_same_name_in_two_kinds_gives_two_systems(samples: Samples) -> None:
    result = run(samples("backstage"), kinds=["Component", "API"], tags=[],
                 types=["service", "openapi"])
    systems = by_id(result, "system")
    for name in ("petstore", "wayback-archive", "wayback-search"):
        assert systems[name]["backstage_ref"] == f"component:default/{name}"
        assert systems[f"{name}@api"]["backstage_ref"] == f"api:default/{name}"
    # acme-corp is a Group and a Location: one team, the Location is not a record.
    assert list(by_id(result, "team")).count("acme-corp") == 1


def test_hierarchy_inconsistency_is_noted(samples: Samples) -> None:
    result = run(samples("backstage"))
    teams = by_id(result, "team")
    assert teams["team-e"]["parent"] == "boxoffice"
    note = messages(result, IMPORT_INCONSISTENT)
    assert list(note) == ["team:team-e"]
    assert "team-c, team-d" in note["team:team-e"]
    people = by_id(result, "person")
    assert not [p for p in people.values() if "team-e" in p.get("teams", [])]  # type: ignore[operator]


def test_entity_name_not_file_name_is_the_id(samples: Samples) -> None:
    systems = by_id(run(samples("backstage"), **AI_RULE), "system")
    assert {"local-inference-server", "company-ai-tools"} <= set(systems)
    assert "local-ai-model-server" not in systems and "company-ai-marketplace" not in systems
    result = run(samples("backstage"), kinds=["Component"], tags=[], types=["library"])
    assert list(by_id(result, "system")) == ["playback-sdk"]


def test_lifecycle_values_map_to_status(samples: Samples) -> None:
    systems = by_id(run(samples("backstage"), kinds=["Component", "API", "Resource"],
                        tags=[], types=["*"]), "system")
    assert systems["artist-lookup"]["status"] == "development"    # experimental
    assert systems["searcher"]["status"] == "deployed"            # production
    assert systems["hello-world"]["status"] == "deployed"         # deprecated: still running
    assert "status" not in systems["artists-db"]                  # Resource has no lifecycle
    overridden = by_id(run(samples("backstage"), kinds=["API"], tags=[], types=["grpc"],
                           lifecycle={"deprecated": "retired"}), "system")
    assert overridden["hello-world"]["status"] == "retired"


def test_unknown_lifecycle_is_kept_for_the_schema_check() -> None:
    doc = (b"kind: Component\nmetadata: {name: x, tags: [ai-system]}\n"
           b"spec: {lifecycle: beta, owner: team-a}\n")
    systems = by_id(run([SourceFile("c.yaml", doc)]), "system")
    assert systems["x"]["status"] == "beta"


def test_ai_resources_and_unreferenced_files_are_read(samples: Samples) -> None:
    systems = by_id(run(samples("backstage"), kinds=["AiResource"], tags=[], types=["*"]),
                    "system")
    # company-ai-marketplace.yaml is referenced by no Location; it is still imported.
    assert sorted(systems) == ["code-review-plugin", "company-ai-tools", "frontend-design",
                               "use-internal-apis"]
    assert systems["company-ai-tools"]["version"] == "1.0.0"


def test_stray_text_in_inline_definition_does_not_matter(samples: Samples) -> None:
    systems = by_id(run(samples("backstage"), kinds=["API"], tags=[], types=["grpc"]), "system")
    assert systems["hello-world"]["owner"] == "team:team-c"


def test_api_version_group_is_not_filtered() -> None:
    doc = (b"apiVersion: fork.example.com/v1\nkind: User\nmetadata: {name: ann}\n"
           b"spec: {profile: {displayName: Ann}}\n")
    assert by_id(run([SourceFile("u.yaml", doc)]), "person")["ann"]["name"] == "Ann"


def test_non_entities_and_templates_are_skipped_with_a_note() -> None:
    files = [
        SourceFile("notes.yaml", b"just: data\n---\n- a list\n"),
        SourceFile("tmpl.yaml", b"kind: Template\nmetadata: {name: new-service}\n"),
        SourceFile("skeleton/catalog-info.yaml",
                   b"kind: Component\nmetadata:\n  name: ${{ values.name }}\n"),
        SourceFile("broken-skeleton.yaml", b"{% if x %}\nkind: [\n"),
        SourceFile("README.md", b"# not read\n"),
    ]
    result = run(files)
    assert not result.records
    notes = messages(result, IMPORT_SKIPPED)
    assert {"file:notes.yaml", "file:tmpl.yaml", "file:skeleton/catalog-info.yaml",
            "file:broken-skeleton.yaml"} <= set(notes)
    assert "README.md" not in result.consumed


def test_unparseable_catalog_file_is_an_input_error() -> None:
    with pytest.raises(InputError) as error:
        run([SourceFile("bad.yaml", b"kind: User\nmetadata: [\n")])
    assert str(error.value).startswith("bad.yaml:")


def test_group_members_and_governance_annotations() -> None:
    doc = b"""kind: Group
metadata: {name: ml}
spec: {type: team, members: [ann, ghost]}
---
kind: User
metadata: {name: ann}
spec: {}
---
kind: Component
metadata:
  name: scorer
  annotations:
    govcheck.io/ai-system: "true"
    govcheck.io/risk-tier: high
    govcheck.io/intended-use: Credit scoring
    govcheck.io/regulations: EU AI Act, GDPR
    govcheck.io/cost-owner: ann
spec: {owner: user:ann, lifecycle: production}
"""
    result = run([SourceFile("cat.yaml", doc)])
    assert by_id(result, "person")["ann"]["teams"] == ["ml"]
    scorer = by_id(result, "system")["scorer"]
    assert scorer["risk_tier"] == "high" and scorer["intended_use"] == "Credit scoring"
    assert scorer["regulations"] == ["EU AI Act", "GDPR"]
    assert scorer["cost_owner"] == "person:ann" and scorer["owner"] == "person:ann"
    assert "ghost" in messages(result, IMPORT_UNRESOLVED_REF)["team:ml"]
    record = next(r for r in result.records if r.kind == "system")
    assert record.field_locations["risk_tier"].line == 14


def test_unknown_option_is_an_input_error() -> None:
    with pytest.raises(InputError, match="tag"):
        run([], tag=["ai"])


def test_a_source_with_no_entity_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        run([SourceFile("people.csv", b"id,name\np-1,Ann\n")])
    assert str(caught.value) == ("people.csv:1:1: people.csv is not a Backstage catalog export"
                                 " (format backstage): it has no YAML or JSON file")
    with pytest.raises(InputError, match=r"^people.yaml:1:1: people.yaml is not a Backstage"
                       r" catalog export \(format backstage\): no YAML or JSON document in it"
                       r" is a Backstage entity \(kind and metadata.name\)$"):
        run([SourceFile("people.yaml", b"- {id: p-1, name: Ann}\n")])


def test_a_catalog_with_no_ai_system_is_a_real_import() -> None:
    user = b"kind: User\nmetadata: {name: ann}\n"
    result = run([SourceFile("u.yaml", user)])
    assert [r.kind for r in result.records] == ["person"]
    assert "no Backstage entity matched the AI-system rule" in messages(
        result, IMPORT_SKIPPED)["source:backstage/"]
    # Only templates: still a Backstage catalog, with nothing to import.
    templates = run([SourceFile("t.yaml", b"kind: Template\nmetadata: {name: new}\n")])
    assert templates.records == ()
