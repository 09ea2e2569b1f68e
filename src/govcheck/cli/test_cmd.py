"""`govcheck test [POLICY_DIR]...`: run the test cases of policy folders (default: built-in)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from govcheck.cli.common import EXIT_FINDINGS, EXIT_OK, reports_errors


@click.command("test")
@click.argument("policy_dirs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", "checks", multiple=True, metavar="CHECK",
              help="Run only this check's cases (repeatable).")
@reports_errors
def test(policy_dirs: tuple[Path, ...], checks: tuple[str, ...]) -> None:
    """Run each check's test cases; fail when a case fails or a check lacks a pass or fail case.

    With no POLICY_DIR, the built-in policy pack is tested. Each failing case
    is printed as `file:line: check: case: expected [...] got [...]`. Exit 0
    when everything passes, 1 otherwise, 2 when a policy does not load.
    """
    from govcheck.builtin import builtin_policies_dir
    from govcheck.errors import UsageError
    from govcheck.rules import load_policies
    from govcheck.rules.testing import run_tests

    rules = load_policies(list(policy_dirs) or [builtin_policies_dir()])
    if checks:
        unknown = sorted(set(checks) - {rule.info.id for rule in rules})
        if unknown:
            raise UsageError(f"--check: no check {', '.join(unknown)} in these policies")
        rules = tuple(rule for rule in rules if rule.info.id in checks)
    report = run_tests(rules)
    for result in report.results:
        if not result.passed:
            click.echo(result.describe())
    for gap in report.gaps:
        click.echo(gap.describe())
    click.echo(report.summary())
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)
