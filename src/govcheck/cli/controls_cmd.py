"""`govcheck controls`: the catalogue, the checks covering each control, what stays manual."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import click

from govcheck.cli.common import reports_errors, write_output
from govcheck.model import CheckInfo, ControlInfo

FORMATS = ("text", "json", "markdown", "oscal-catalog")


@dataclass(frozen=True, slots=True)
class CatalogueView:
    """The catalogue with, per control, the checks that cover it."""

    controls: tuple[ControlInfo, ...]
    covering: Mapping[str, tuple[str, ...]]


def build_view(catalogue: Sequence[ControlInfo], checks: Sequence[CheckInfo]) -> CatalogueView:
    """Add controls that checks name but the catalogue lacks, and each control's covering checks.

    A catalogue entry may list a check the loaded policies do not have (a
    check removed or renamed); it is kept, so the listing shows what the
    catalogue claims.
    """
    from govcheck.controls import control_sort_key, covering_checks

    entries = {c.id: c for c in catalogue}
    for info in checks:
        for control_id in info.controls:
            entries.setdefault(control_id, ControlInfo(control_id, control_id, ""))
    ordered = tuple(entries[k] for k in sorted(entries, key=control_sort_key))
    covering = {c.id: covering_checks(c.id, c.checks, checks) for c in ordered}
    return CatalogueView(ordered, covering)


def format_text(view: CatalogueView) -> str:
    """Each control with its requirement, covering checks and manual evidence."""
    blocks = []
    for control in view.controls:
        checks = view.covering[control.id]
        lines = [f"{control.id}  {control.title}"]
        if control.requirement:
            lines += textwrap.wrap(" ".join(control.requirement.split()), width=88,
                                   initial_indent="  requirement: ", subsequent_indent="    ")
        if checks:
            lines.append(f"  covered by ({len(checks)}):")
            lines += [f"    - {check}" for check in checks]
        else:
            lines.append("  covered by: nothing automated (manual)")
        if control.manual_evidence:
            lines.append("  inspect by hand:")
            for item in control.manual_evidence:
                lines += textwrap.wrap(" ".join(item.split()), width=88,
                                       initial_indent="    - ", subsequent_indent="      ")
        blocks.append("\n".join(lines))
    manual = sum(1 for c in view.controls if not view.covering[c.id])
    summary = f"{len(view.controls)} control(s); {manual} with nothing automated"
    return "\n\n".join([*blocks, summary]) + "\n"


def format_json(view: CatalogueView) -> str:
    """The catalogue as a JSON list, each control with `checks` (covering) and `manual`."""
    data = [
        {
            "id": c.id,
            "title": c.title,
            "requirement": c.requirement,
            "guidance": list(c.guidance),
            "checks": list(view.covering[c.id]),
            "manual": not view.covering[c.id],
            "manual_evidence": list(c.manual_evidence),
        }
        for c in view.controls
    ]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def format_markdown(view: CatalogueView) -> str:
    """One section per control, for a wiki or an audit file."""
    lines = ["# Controls catalogue", ""]
    lines += ["| Control | Title | Checks | Manual evidence |", "|---|---|---|---|"]
    for c in view.controls:
        checks = view.covering[c.id]
        lines.append(f"| `{c.id}` | {_md(c.title)} | {len(checks) or 'manual'} |"
                     f" {len(c.manual_evidence)} item(s) |")
    for c in view.controls:
        lines += ["", f"## {c.id} — {_md(c.title)}", ""]
        if c.requirement:
            lines += [_md(c.requirement), ""]
        checks = view.covering[c.id]
        lines.append("**Covered by:** " + (", ".join(f"`{k}`" for k in checks)
                                           if checks else "nothing automated (manual)"))
        if c.guidance:
            lines += ["", "**Guidance:**", *(f"- {_md(g)}" for g in c.guidance)]
        if c.manual_evidence:
            lines += ["", "**Inspect by hand:**", *(f"- {_md(m)}" for m in c.manual_evidence)]
    return "\n".join(lines) + "\n"


def loaded_checks() -> tuple[CheckInfo, ...]:
    """Every check govcheck runs by default: the built-in rules and the data-quality checks."""
    from govcheck.builtin import builtin_policies_dir
    from govcheck.quality import QUALITY_CHECKS
    from govcheck.rules import load_policies

    rules = load_policies([builtin_policies_dir()])
    infos = {info.id: info for info in QUALITY_CHECKS.values()}
    infos.update((rule.info.id, rule.info) for rule in rules)
    return tuple(infos[k] for k in sorted(infos))


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@reports_errors
def controls(fmt: str, output: str | None) -> None:
    """List the controls catalogue: which checks cover each control and what stays manual."""
    from govcheck import __version__
    from govcheck.builtin import builtin_controls_dir
    from govcheck.controls import load_catalogue

    view = build_view(load_catalogue(builtin_controls_dir()), loaded_checks())
    if fmt == "oscal-catalog":
        from govcheck.formatters.oscal import catalog_document

        text = catalog_document(view.controls, view.covering, __version__)
    else:
        text = {"text": format_text, "json": format_json,
                "markdown": format_markdown}[fmt](view)
    write_output(text, output)
