"""`govcheck validate`: the data-quality findings (INVENTORY-*) of an inventory alone."""

from __future__ import annotations

import sys

import click

from govcheck.cli.check import render
from govcheck.cli.common import gating_exit_code, parse_as_of, reports_errors, write_output


@click.command()
@click.argument("inventory", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "markdown", "junit"]),
              default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--as-of", "as_of", metavar="T", help="Time stated in the report (default: now).")
@reports_errors
def validate(inventory: str, fmt: str, output: str | None, as_of: str | None) -> None:
    """Validate INVENTORY's files: schema, duplicate ids, dangling references, dates."""
    from govcheck.engine import CheckOptions, run_check

    report = run_check(CheckOptions(inventory=inventory, as_of=parse_as_of(as_of), rules=False))
    write_output(render(report, fmt, output), output)
    sys.exit(gating_exit_code(report.findings, "low", False))
