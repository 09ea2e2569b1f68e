"""The `govcheck` command line: a click group whose subcommands load on first use.

The CLI is the only place that touches stdout, the clock and exit codes.
Each subcommand lives in its own module here.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import NoReturn

import click

from govcheck import __version__

# Subcommand name -> "module:attribute" under govcheck.cli. Loaded lazily so that
# `govcheck --version` does not import networkx, celpy or jsonschema.
COMMANDS: dict[str, str] = {
    "check": "check:check",
    "validate": "validate:validate",
    "test": "test_cmd:test",
    "graph": "graph_cmd:graph",
    "controls": "controls_cmd:controls",
    "explain": "explain:explain",
    "who": "who:who",
    "import": "import_cmd:import_",
    "baseline": "baseline_cmd:baseline",
    "snapshot": "snapshot_cmd:snapshot",
    "diff": "diff_cmd:diff",
}

HELP = {
    "check": "Check an inventory against the policies and report findings.",
    "validate": "Report data-quality findings (INVENTORY-*) of an inventory.",
    "test": "Run the test cases of policy folders.",
    "graph": "Export the inventory graph (json, dot, graphml, mermaid).",
    "controls": "List the controls catalogue and the checks covering each control.",
    "explain": "Explain what a check checks, why, and how to fix it.",
    "who": "The assignment registry: who owns each phase of each system.",
    "import": "Convert an export (Backstage, OSCAL SSP, CSV) to canonical inventory files.",
    "baseline": "Create a baseline of accepted findings.",
    "snapshot": "Create or verify a frozen inventory snapshot.",
    "diff": "Compare two JSON reports: new, fixed and unchanged findings.",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        module = importlib.import_module(f"govcheck.cli.{module_name}")
        command: click.Command = getattr(module, attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing commands must not import them all; use the static help lines.
        with formatter.section("Commands"):
            formatter.write_dl([(name, HELP[name]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govcheck")
def cli() -> None:
    """govcheck: policy-as-code checks of ISO/IEC 42001 A.3.2 and A.9.2 over AI inventories."""


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point.

    A command is one short process: once its output is flushed, the `govcheck`
    process ends with `os._exit` instead of freeing every object of a large
    inventory one by one (a second or more at 10,000 systems). Called with
    `argv` (tests, library use), or under a tracer or profiler, it raises
    SystemExit as usual.
    """
    code = _run(argv)
    if argv is not None or sys.gettrace() is not None or sys.getprofile() is not None:
        # Library use, or under a debugger, coverage or a profiler: they write what
        # they gathered at exit, which os._exit would skip.
        sys.exit(code)
    _exit_now(code)


def _exit_now(code: int) -> NoReturn:
    """End the process at once: flush what was written, skip tearing down the heap."""
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream (None when the descriptor was closed at start):
        # nothing more can be shown there, and the exit status must not change.
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(code)


def _exit_code(error: SystemExit) -> int:
    """The status `sys.exit(value)` would give: None is 0, an int itself, text is 1."""
    if error.code is None:
        return 0
    if isinstance(error.code, int):
        return error.code
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"{error.code}\n")
    return 1


def _run(argv: list[str] | None) -> int:
    try:
        cli.main(args=argv, prog_name="govcheck", standalone_mode=True)
    except SystemExit as error:
        return _exit_code(error)
    except KeyboardInterrupt:
        sys.stderr.write("govcheck: interrupted\n")
        return 130
    except Exception as error:  # the last line of defence against tracebacks
        if os.environ.get("GOVCHECK_DEBUG"):
            raise
        sys.stderr.write(
            f"govcheck: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in govcheck; rerun with GOVCHECK_DEBUG=1 for the traceback"
            " and report it.\n"
        )
        return 2
    return 0
