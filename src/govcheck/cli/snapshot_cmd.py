"""`govcheck snapshot create|verify`: freeze an inventory, and prove later it is unchanged."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import click

from govcheck.cli.common import EXIT_FINDINGS, EXIT_OK, fail, parse_as_of, reports_errors
from govcheck.errors import InputError
from govcheck.model import Location


@click.group()
def snapshot() -> None:
    """Create or verify a frozen inventory snapshot (a deterministic tar.gz)."""


def _write_bytes(data: bytes, output: Path) -> None:
    """Write atomically via a temporary sibling, so a failed run leaves no half archive."""
    tmp = output.with_name(f".{output.name}.govcheck-tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, output)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        fail(f"{output}: cannot write snapshot: {error.strerror or error}")


@snapshot.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write (e.g. snapshot.tar.gz).")
@click.option("--as-of", "as_of", metavar="T",
              help="When the snapshot is taken, RFC 3339 (default: now, UTC); recorded in the"
              " manifest and used as every member's mtime.")
@reports_errors
def create(inventory: Path, output: Path, as_of: str | None) -> None:
    """Snapshot the INVENTORY folder into a deterministic tar.gz with a SHA-256 manifest."""
    from govcheck.snapshot import create_snapshot, inventory_files

    moment = parse_as_of(as_of)
    if not inventory.exists():
        raise InputError("no such inventory folder", Location(str(inventory)))
    files = inventory_files(inventory, exclude=output)
    data = create_snapshot(files, moment)
    _write_bytes(data, output)
    click.echo(
        f"{output}: {len(files)} files, as of {moment.strftime('%Y-%m-%dT%H:%M:%SZ')},"
        f" sha256 {hashlib.sha256(data).hexdigest()}",
        err=True,
    )


@snapshot.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def verify(archive: Path) -> None:
    """Check that ARCHIVE holds exactly the files its manifest lists (exit 1 if not)."""
    from govcheck.snapshot import verify_snapshot

    try:
        data = archive.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", Location(str(archive))) \
            from None
    result = verify_snapshot(data, str(archive))
    for label, names in (("modified", result.modified), ("added", result.added),
                         ("removed", result.removed)):
        for name in names:
            click.echo(f"{archive}: {label}: {name}")
    if result.clean:
        click.echo(
            f"{archive}: ok: {result.files} files match the manifest (as of {result.as_of},"
            f" govcheck {result.tool_version}); archive sha256 {result.archive_sha256}"
        )
        sys.exit(EXIT_OK)
    changed = len(result.modified) + len(result.added) + len(result.removed)
    click.echo(f"{archive}: {changed} file(s) differ from the manifest; archive sha256"
               f" {result.archive_sha256}")
    sys.exit(EXIT_FINDINGS)
