"""`govcheck check`: evaluate the policies over an inventory and report findings."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from govcheck.cli.common import (
    FAIL_ON_CHOICES,
    gating_exit_code,
    is_terminal,
    parse_as_of,
    reports_errors,
    write_output,
)
from govcheck.formatters import FORMAT_MODULES, get_formatter
from govcheck.model import Report


def parse_param(text: str) -> tuple[str, str, Any]:
    """`CHECK.KEY=VALUE` -> (check, key, value); VALUE is JSON, a YAML flow list/map, or text."""
    name, sep, raw = text.partition("=")
    check, dot, key = name.rpartition(".")
    if not sep or not dot or not check or not key:
        raise click.BadParameter(
            f"'{text}' is not CHECK.KEY=VALUE (e.g. A.3.2-ASSIGNMENT-REVIEWED."
            "assignment_review_days=180)",
            param_hint="--param",
        )
    value: Any
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
        if raw.strip().startswith(("[", "{")):
            try:
                value = yaml.safe_load(raw)
            except yaml.YAMLError:
                raise click.BadParameter(
                    f"'{raw}' is not a valid list or map", param_hint="--param"
                ) from None
    return check, key, value


def params_from_cli(values: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """All `--param` options as {check: {key: value}}."""
    params: dict[str, dict[str, Any]] = {}
    for text in values:
        check, key, value = parse_param(text)
        params.setdefault(check, {})[key] = value
    return params


def repository_prefix(inventory: str) -> str | None:
    """The inventory folder's path from its git repository's root (`""` at the root).

    GitHub code scanning places an alert by the file's path from the repository
    root, whatever folder govcheck ran in. None when the inventory is not a
    folder inside a git work tree (an archive, or no `.git` above it).
    """
    folder = Path(inventory).resolve()
    if not folder.is_dir():
        return None
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            relative = folder.relative_to(candidate).as_posix()
            return "" if relative == "." else relative + "/"
    return None


def progress_printer() -> Callable[[str], None]:
    """Progress lines to stderr, only when stderr is a terminal (never in CI logs or files)."""
    if not is_terminal(sys.stderr):
        return lambda _: None
    return lambda text: click.echo(f"govcheck: {text}...", err=True)


def render(
    report: Report,
    fmt: str,
    output: str | None,
    *,
    sarif_root: str | None = None,
    sarif_category: str | None = None,
) -> str:
    """The report in one format; text gets colour only when it goes to a terminal."""
    if fmt == "sarif":
        from govcheck.formatters.sarif import automation_category
        from govcheck.formatters.sarif import format_report as format_sarif

        if sarif_root is None:
            sarif_root = repository_prefix(report.inventory)
            if sarif_root is not None and sarif_category is None:
                sarif_category = automation_category(sarif_root.rstrip("/") or ".")
        return format_sarif(report, uri_prefix=sarif_root, category=sarif_category)
    if fmt == "text":
        from govcheck.formatters.text import format_report as format_text

        colour = output in (None, "-") and is_terminal(sys.stdout)
        return format_text(report, colour=colour)
    formatter = get_formatter(fmt)
    return formatter(report)


@click.command()
@click.argument("inventory", default=".", type=click.Path())
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra policy folder (repeatable); added to the built-in pack.")
@click.option("--no-builtin", is_flag=True, help="Drop the built-in rules (INVENTORY-* stay).")
@click.option("--only", multiple=True, metavar="CHECK",
              help="Run only these checks (id or glob; repeatable).")
@click.option("--skip", multiple=True, metavar="CHECK", help="Skip these checks (id or glob).")
@click.option("--param", "param_values", multiple=True, metavar="CHECK.KEY=VALUE",
              help="Override a check parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMAT_MODULES)), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--as-of", "as_of", metavar="T",
              help="Evaluation time, RFC 3339 date or date-time (default: now, UTC).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="low", show_default=True,
              help="Lowest severity that fails the run (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the run itself fails.")
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file (default: govcheck-waivers.yaml at the inventory root).")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="Baseline JSON report; findings it holds are 'baselined'.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Evaluate rules in N processes (output is identical).")
@click.option("--sarif-root", metavar="PREFIX",
              help="SARIF: the inventory's path from the repository root, prefixed to URIs"
              " (default: the inventory path when it is a relative folder).")
@click.option("--sarif-category", metavar="ID",
              help="SARIF: automationDetails.id (default: govcheck/<inventory>/).")
@reports_errors
def check(
    inventory: str,
    policy_dirs: tuple[Path, ...],
    no_builtin: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    param_values: tuple[str, ...],
    fmt: str,
    output: str | None,
    as_of: str | None,
    fail_on: str,
    exit_zero: bool,
    waivers: str | None,
    baseline: str | None,
    jobs: int,
    sarif_root: str | None,
    sarif_category: str | None,
) -> None:
    """Check INVENTORY (a folder, .tar.gz or .zip; default: the current folder)."""
    from govcheck.engine import CheckOptions, run_check

    options = CheckOptions(
        inventory=inventory,
        as_of=parse_as_of(as_of),
        policy_dirs=policy_dirs,
        builtin=not no_builtin,
        only=only,
        skip=skip,
        params=params_from_cli(param_values),
        waivers=waivers,
        baseline=baseline,
        jobs=jobs,
    )
    report = run_check(options, progress=progress_printer())
    text = render(report, fmt, output, sarif_root=sarif_root, sarif_category=sarif_category)
    write_output(text, output)
    sys.exit(gating_exit_code(report.findings, fail_on, exit_zero))
