"""`govcheck graph`: export the inventory graph, to debug rules and to see who is wired to what."""

from __future__ import annotations

import click

from govcheck.cli.common import reports_errors, write_output


@click.command()
@click.argument("inventory", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "dot", "graphml", "mermaid"]),
              default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@reports_errors
def graph(inventory: str, fmt: str, output: str | None) -> None:
    """Export INVENTORY's graph: nodes (kind:id), their attributes and typed edges."""
    from govcheck.engine import load_and_build
    from govcheck.graph import GRAPH_FORMATS

    run = load_and_build(inventory)
    write_output(GRAPH_FORMATS[fmt](run.graph), output)
