"""Shared fixtures for the importer tests: the real sample exports and golden files.

The samples are read from ../shared/samples (never copied into the repo). Golden
canonical outputs live under golden/<case>/; regenerate them with
`GOVCHECK_REGEN_GOLDEN=1 pytest tests/importers` and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from govcheck.importers import ImportResult, SourceFile
from govcheck.importers.canonical_yaml import render_inventory
from govcheck.model import Finding

# ../shared beside the repository; GOVCHECK_SHARED points elsewhere (a checkout in another place).
_SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLES = Path(os.environ.get("GOVCHECK_SHARED", _SHARED)) / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = os.environ.get("GOVCHECK_REGEN_GOLDEN") == "1"


def sample_files(folder: str) -> list[SourceFile]:
    """Every file of a sample folder, paths relative to the samples root (POSIX)."""
    root = SAMPLES / folder
    if not root.exists():
        pytest.skip(f"sample exports not available at {root}")
    return [
        SourceFile(path.relative_to(SAMPLES).as_posix(), path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]


def finding_lines(findings: Sequence[Finding]) -> str:
    """Findings as the golden files hold them, one per line."""
    return "".join(
        f"{f.location}: {f.severity} {f.check} {f.entity}: {f.message}\n" for f in findings
    )


def check_golden(case: str, result: ImportResult) -> None:
    """Compare the canonical YAML and findings of `result` with golden/<case>/."""
    expected_files = render_inventory(result.records, f"golden output of case {case}")
    expected_files["findings.txt"] = finding_lines(result.findings)
    folder = GOLDEN / case
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            stale.unlink()
        for name, text in expected_files.items():
            (folder / name).write_text(text, encoding="utf-8", newline="\n")
    actual = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}
    assert sorted(actual) == sorted(expected_files), "golden files differ in names"
    for name, text in expected_files.items():
        assert actual[name] == text, f"golden/{case}/{name} differs; regenerate and review"


@pytest.fixture
def golden() -> Callable[[str, ImportResult], None]:
    """The golden-file comparison, as a fixture."""
    return check_golden


@pytest.fixture
def samples() -> Callable[[str], list[SourceFile]]:
    """The sample-file reader, as a fixture."""
    return sample_files
