"""`govcheck import` run as a user would, through click's CliRunner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from govcheck.cli import cli

_SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLES = Path(os.environ.get("GOVCHECK_SHARED", _SHARED)) / "samples"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["import", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _need_samples() -> None:
    if not SAMPLES.exists():
        pytest.skip("sample exports not available")


def test_backstage_writes_people_and_teams(tmp_path: Path) -> None:
    code, out, err = invoke("--format", "backstage", str(SAMPLES / "backstage"),
                            "-o", str(tmp_path))
    assert code == 0, err                       # only low notes: below --fail-on medium
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.yaml", "teams.yaml"]
    people = yaml.safe_load((tmp_path / "people.yaml").read_text())
    assert len(people) == 17
    assert "IMPORT-UNRESOLVED-REF" in out and "playback-order-component.yaml:12:3" in out
    assert "person: 17, team: 9" in err


def test_fail_on_low_and_config_with_sources(tmp_path: Path) -> None:
    config = tmp_path / "govcheck.yaml"
    config.write_text("sources:\n  - format: backstage\n    path: catalog/\n"
                      "    kinds: [Component]\n    types: [service]\n    tags: []\n")
    out_dir = tmp_path / "out"
    code, out, _ = invoke("--format", "backstage", str(SAMPLES / "backstage"), "-o",
                          str(out_dir), "--config", str(config), "--fail-on", "medium")
    systems = yaml.safe_load((out_dir / "systems.yaml").read_text())
    assert len(systems) == 10
    # Within this export, owner team:guest names no team: the loader's dangling-ref finding.
    assert code == 1
    assert "INVENTORY-DANGLING-REF system:playback-order" in out


def test_oscal_and_federal_csv(tmp_path: Path) -> None:
    code, _, err = invoke("--format", "oscal-ssp", str(SAMPLES / "oscal"), "-o",
                          str(tmp_path / "o"))
    assert code == 0, err
    assert len(yaml.safe_load((tmp_path / "o" / "assignments.yaml").read_text())) == 3
    code, out, err = invoke("--format", "federal-csv",
                            str(SAMPLES / "us-ai-inventory" /
                                "dot-2025-ai-use-case-inventory.csv"), "-o", str(tmp_path / "f"))
    assert (code, out) == (0, ""), err
    text = (tmp_path / "f" / "systems.yaml").read_text()
    assert len(yaml.safe_load(text)) == 70
    assert "# " + str(SAMPLES / "us-ai-inventory" / "dot-2025-ai-use-case-inventory.csv") in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        invoke("--format", "oscal-ssp", str(SAMPLES / "oscal"), "-o", str(tmp_path / name))
    for file in (tmp_path / "a").iterdir():
        assert file.read_bytes() == (tmp_path / "b" / file.name).read_bytes()


def test_bad_input_exits_2_with_location(tmp_path: Path) -> None:
    bad = tmp_path / "catalog"
    bad.mkdir()
    (bad / "x.yaml").write_text("kind: User\nmetadata: [\n")
    code, _, err = invoke("--format", "backstage", str(bad), "-o", str(tmp_path / "o"))
    assert code == 2 and err.startswith(f"{bad}/x.yaml:")
    config = tmp_path / "c.yaml"
    config.write_text("typo: 1\n")
    code, _, err = invoke("--format", "hr-csv", str(bad), "-o", str(tmp_path / "o"),
                          "--config", str(config))
    assert code == 2 and "typo" in err and str(config) in err
    code, _, err = invoke("--format", "nope", str(bad), "-o", str(tmp_path / "o"))
    assert code == 2


def test_hr_example(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "hr"
    code, out, _ = invoke("--format", "hr-csv", str(example / "workers.csv"), "-o",
                          str(tmp_path), "--config", str(example / "govcheck.yaml"))
    assert code == 1
    assert out.startswith(f"{example}/workers.csv:7:1: medium INVENTORY-DANGLING-REF")
    people = yaml.safe_load((tmp_path / "people.yaml").read_text())
    assert [p["id"] for p in people][:2] == ["000101", "000102"]   # leading zeros kept


@pytest.mark.parametrize(
    ("fmt", "name", "text", "export"),
    [
        ("oscal-ssp", "people.csv", "id,name\np-1,Ann\n", "an OSCAL system security plan"),
        ("federal-csv", "people.yaml", "- {id: p-1, name: Ann}\n",
         "a federal AI use case inventory"),
        ("hr-csv", "people.yaml", "- {id: p-1, name: Ann}\n", "an HR"),
        ("backstage", "people.csv", "id,name\np-1,Ann\n", "a Backstage catalog"),
    ],
)
def test_a_file_of_another_format_exits_2(tmp_path: Path, fmt: str, name: str, text: str,
                                          export: str) -> None:
    source = tmp_path / name
    source.write_text(text)
    code, out, err = invoke("--format", fmt, str(source), "-o", str(tmp_path / "imp"))
    assert code == 2 and out == ""
    assert err.startswith(f"{source}:1:1: {source} is not {export} export (format {fmt}): ")
    assert not (tmp_path / "imp").exists()


def test_a_folder_of_another_format_exits_2_at_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.yaml").write_text("- {id: p-1}\n")
    (folder / "b.yaml").write_text("- {id: p-2}\n")
    code, _, err = invoke("--format", "oscal-ssp", str(folder), "-o", str(tmp_path / "imp"))
    assert code == 2
    assert err.startswith(f"{folder}:1:1: {folder} is not an OSCAL system security plan export")


def test_a_real_export_with_nothing_selected_exits_0(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("kind: Component\nmetadata: {name: web}\nspec: {owner: team-a}\n")
    code, _, err = invoke("--format", "backstage", str(catalog), "-o", str(tmp_path / "imp"))
    assert code == 0, err
    assert "no records written" in err
