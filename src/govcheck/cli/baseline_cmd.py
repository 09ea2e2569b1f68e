"""`govcheck baseline create`: record today's findings so CI gates only on new ones."""

from __future__ import annotations

from pathlib import Path

import click

from govcheck.cli.common import parse_as_of, reports_errors, write_output


@click.group()
def baseline() -> None:
    """Create a baseline of accepted findings (a JSON report)."""


@baseline.command()
@click.argument("inventory", default=".", type=click.Path())
@click.option("-o", "--output", default="govcheck-baseline.json", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the baseline.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra policy folder (repeatable), as for `check`.")
@click.option("--no-builtin", is_flag=True, help="Drop the built-in rules (INVENTORY-* stay).")
@click.option("--as-of", "as_of", metavar="T",
              help="Evaluation time, RFC 3339 date or date-time (default: now, UTC).")
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file (default: govcheck-waivers.yaml at the inventory root).")
@reports_errors
def create(
    inventory: str,
    output: str,
    policy_dirs: tuple[Path, ...],
    no_builtin: bool,
    as_of: str | None,
    waivers: str | None,
) -> None:
    """Check INVENTORY and write its findings as a baseline JSON report.

    `govcheck check --baseline FILE` then reports only findings that are not
    in it. Waived findings are not part of a baseline.
    """
    from govcheck.engine import CheckOptions, run_check
    from govcheck.formatters.json_format import format_report

    report = run_check(CheckOptions(
        inventory=inventory,
        as_of=parse_as_of(as_of),
        policy_dirs=policy_dirs,
        builtin=not no_builtin,
        waivers=waivers,
    ))
    write_output(format_report(report), output)
    accepted = sum(1 for f in report.findings if f.result.value != "waived")
    if output not in ("-",):
        click.echo(f"{output}: baseline of {accepted} findings", err=True)
