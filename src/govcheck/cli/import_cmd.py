"""`govcheck import`: convert an export to canonical inventory files and report what it lacks."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import click

from govcheck.cli.common import FAIL_ON_CHOICES, fail, gating_exit_code, reports_errors
from govcheck.errors import InputError, UsageError
from govcheck.importers import FORMAT_MODULES, ImportResult, SourceFile, run_importer
from govcheck.importers.canonical_yaml import render_inventory
from govcheck.importers.parsing import parse_documents
from govcheck.loaders.located import LocatedDict
from govcheck.model import Finding, Location

# An export folder bigger than this is almost certainly the wrong folder.
MAX_FILES = 20_000
MAX_BYTES = 512 * 1024 * 1024


def _read_files(src: str) -> list[SourceFile]:
    """Every file of SRC (a file or a folder, hidden entries skipped), paths as typed."""
    root = Path(src)
    if root.is_file():
        return [SourceFile(PurePosixPath(Path(src)).as_posix(), root.read_bytes())]
    files: list[SourceFile] = []
    total = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            total += len(data)
            if len(files) >= MAX_FILES or total > MAX_BYTES:
                raise InputError(f"export too large (over {MAX_FILES} files or"
                                 f" {MAX_BYTES // 2**20} MiB)", src)
            files.append(SourceFile(PurePosixPath(path).as_posix(), data))
    return files


def _config(config: str | None, fmt: str) -> dict[str, Any]:
    """Options from `--config`: a mapping of options, or a govcheck.yaml whose first
    `sources:` entry of this format is used."""
    if config is None:
        return {}
    parsed = parse_documents(SourceFile(config, Path(config).read_bytes()))
    documents = [doc for doc, _ in parsed if doc is not None]
    data = documents[0] if documents else {}
    if not isinstance(data, Mapping):
        raise InputError("config must be a mapping of source options", Location(config))
    sources = data.get("sources")
    if isinstance(sources, list):
        for entry in sources:
            if isinstance(entry, Mapping) and entry.get("format") == fmt:
                data = entry
                break
        else:
            raise InputError(f"config has no `sources:` entry of format {fmt!r}",
                             Location(config))
    options = {k: v for k, v in data.items() if k not in ("format", "path")}
    located = LocatedDict(options, location=getattr(data, "location", Location(config)),
                          key_locations=dict(getattr(data, "key_locations", {})))
    return located


def _export_findings(result: ImportResult) -> list[Finding]:
    """What the loader would report on this export alone: bad values and dates, repeated
    ids (INVENTORY-SCHEMA, -BAD-DATE, -DUPLICATE-ID) and references that name nothing
    within it (the pipeline resolves them across every source; a converted export on its
    own should still show its gaps)."""
    from govcheck.graph import build_graph
    from govcheck.loaders.records import RawItem, normalise
    from govcheck.settings import merge_settings

    items = [RawItem(r.kind, r.values, r.location, r.values, dict(r.field_locations))
             for r in result.records]
    normalised = normalise(items)
    _, dangling = build_graph(list(normalised.records), merge_settings(None))
    return [*normalised.findings, *dangling]


def _line(finding: Finding) -> str:
    return (f"{finding.location}: {finding.severity} {finding.check} {finding.entity}:"
            f" {finding.message}")


@click.command("import")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMAT_MODULES)), required=True,
              help="The export's format.")
@click.argument("src", type=click.Path(exists=True))
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False), required=True,
              help="Folder to write the canonical inventory files to.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False),
              help="YAML file of source options (or a govcheck.yaml with `sources:`).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="medium",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@reports_errors
def import_(fmt: str, src: str, output_dir: str, config: str | None, fail_on: str) -> None:
    """Convert SRC (a Backstage catalog, OSCAL SSP, federal AI inventory CSV or HR CSV)
    to canonical inventory YAML in OUTPUT, and print what the export lacks."""
    options = _config(config, fmt)
    source = LocatedDict({"format": fmt, "path": src, **options},
                         location=getattr(options, "location", Location(config or src)),
                         key_locations=dict(getattr(options, "key_locations", {})))
    files = _read_files(src)
    if not files:
        raise UsageError(f"{src}: no files to import")
    result = run_importer(source, files)
    findings = sorted([*result.findings, *_export_findings(result)], key=Finding.sort_key)
    out = Path(output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        header = (f"Converted by `govcheck import --format {fmt}` from {src};"
                  " edit the export, not this file.")
        written = render_inventory(result.records, header)
        for name, text in written.items():
            (out / name).write_text(text, encoding="utf-8", newline="\n")
    except OSError as error:
        fail(f"{output_dir}: cannot write: {error.strerror or error}")
    for finding in findings:
        click.echo(_line(finding))
    per_kind = Counter(r.kind for r in result.records)
    counts = ", ".join(f"{kind}: {per_kind[kind]}" for kind in sorted(per_kind))
    click.echo(f"govcheck import: {counts or 'no records'} written to {output_dir};"
               f" {len(findings)} finding(s)", err=True)
    sys.exit(gating_exit_code(findings, fail_on, False))
