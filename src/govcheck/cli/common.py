"""What every subcommand shares: error reporting, the clock, output files, gating."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import click

from govcheck.errors import GovcheckError
from govcheck.model import Finding, Severity

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FAIL_ON_CHOICES = ("low", "medium", "high", "critical", "never")


def fail(message: str) -> NoReturn:
    """Print a located error to stderr and exit 2."""
    click.echo(message, err=True)
    sys.exit(EXIT_ERROR)


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn govcheck's own errors into `location: message` on stderr and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GovcheckError as error:
            fail(str(error))
        except RecursionError:
            fail("govcheck: input nested too deeply to process")
        except MemoryError:
            fail("govcheck: input too large to process")

    return wrapper


def parse_as_of(value: str | None) -> datetime:
    """`--as-of` as an aware UTC datetime; a date is 00:00 UTC; absent means the clock now."""
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not an RFC 3339 date or date-time (e.g. 2026-06-30 or"
            " 2026-06-30T12:00:00Z)",
            param_hint="--as-of",
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(
            f"'{value}' has no UTC offset; add Z or +hh:mm", param_hint="--as-of"
        )
    return parsed.astimezone(UTC)


def write_output(text: str, output: str | None) -> None:
    """Write to `-o FILE` (atomically, via a temporary sibling) or to stdout."""
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    target = Path(output)
    tmp = target.with_name(f".{target.name}.govcheck-tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, target)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        fail(f"{output}: cannot write output: {error.strerror or error}")


def gating_exit_code(findings: Iterable[Finding], fail_on: str, exit_zero: bool) -> int:
    """0 when nothing gating is at or above `fail_on`, else 1; `--exit-zero` always 0."""
    if exit_zero or fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    for finding in findings:
        if finding.result.gates and finding.severity.rank >= threshold:
            return EXIT_FINDINGS
    return EXIT_OK


def is_terminal(stream: Any) -> bool:
    """Whether a stream is an interactive terminal (colour and progress only then)."""
    return bool(getattr(stream, "isatty", lambda: False)())
