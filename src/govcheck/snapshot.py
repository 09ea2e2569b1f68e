"""Frozen inventory snapshots: a deterministic tar.gz with a manifest of every file's SHA-256.

An auditor snapshots the exports once (`govcheck snapshot create`), files the
archive's own SHA-256 with the report, and can later prove the archive still
holds exactly what was checked (`govcheck snapshot verify`). The archive is
byte-identical for the same files and as-of: members sorted, every mtime the
as-of, owners root with empty names, mode 0644, gzip header without a name or
a time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from govcheck import __version__
from govcheck.errors import InputError
from govcheck.model import Location

__all__ = [
    "MANIFEST_NAME",
    "MAX_MEMBER_BYTES",
    "SnapshotCheck",
    "create_snapshot",
    "inventory_files",
    "read_snapshot",
    "snapshot_manifest",
    "verify_snapshot",
]

MANIFEST_NAME = "govcheck-snapshot.json"
SNAPSHOT_FORMAT = 1
# Refuse members beyond this size when verifying: a snapshot of exports is
# small, and a hostile archive must not exhaust memory.
MAX_MEMBER_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SnapshotCheck:
    """What `verify` found: files changed, added or removed against the manifest."""

    archive_sha256: str
    as_of: str
    tool_version: str
    files: int
    modified: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """Whether the archive holds exactly the files its manifest lists."""
        return not (self.modified or self.added or self.removed)


def _stamp(as_of: datetime) -> str:
    return as_of.strftime("%Y-%m-%dT%H:%M:%SZ")


def inventory_files(root: Path, exclude: Path | None = None) -> dict[str, bytes]:
    """The inventory folder's files as relative POSIX path -> bytes.

    Dotfiles and dot-folders (`.git`) are skipped, as are `exclude` (the
    snapshot being written) and an old manifest at the root. A symbolic link
    stops the run: following it could take files from outside the inventory.
    """
    if not root.is_dir():
        raise InputError("INVENTORY must be a folder to snapshot (an archive is one already)",
                         Location(str(root)))
    excluded = exclude.resolve() if exclude is not None else None
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink():
            raise InputError(
                "symbolic links are not snapshotted; copy the file into the inventory instead",
                Location(relative.as_posix()),
            )
        if not path.is_file() or (excluded is not None and path.resolve() == excluded):
            continue
        name = relative.as_posix()
        if name == MANIFEST_NAME:
            continue
        try:
            files[name] = path.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read: {error.strerror or error}",
                             Location(str(path))) from None
    if not files:
        raise InputError("no files to snapshot", Location(str(root)))
    return files


def snapshot_manifest(files: Mapping[str, bytes], as_of: datetime) -> bytes:
    """The manifest member: format, tool, as-of and every file's SHA-256, as sorted JSON."""
    manifest = {
        "format": SNAPSHOT_FORMAT,
        "tool": {"name": "govcheck", "version": __version__},
        "as_of": _stamp(as_of),
        "files": {name: hashlib.sha256(files[name]).hexdigest() for name in sorted(files)},
    }
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def create_snapshot(files: Mapping[str, bytes], as_of: datetime) -> bytes:
    """The snapshot archive's bytes: the files plus the manifest, deterministic."""
    members = dict(files)
    members[MANIFEST_NAME] = snapshot_manifest(files, as_of)
    mtime = max(int(as_of.timestamp()), 0)
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(members):
            data = members[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of the output name and the clock.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(tar_buffer.getvalue())
    return out.getvalue()


def _safe_name(name: str, where: str) -> str:
    path = PurePosixPath(name)
    if name.startswith("/") or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise InputError(f"unsafe member '{name}' (absolute or outside the archive)",
                         Location(where))
    return path.as_posix()


def read_snapshot(archive: bytes, where: str) -> dict[str, bytes]:
    """Every regular file of a snapshot tar.gz as name -> bytes, read in memory.

    Links, devices, absolute paths, `..`, duplicate names and oversized members
    stop the run with an InputError located at the archive.
    """
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for info in tar:
                if info.isdir():
                    continue
                if not info.isreg():
                    raise InputError(
                        f"unsafe member '{info.name}' (links and devices are refused)",
                        Location(where),
                    )
                name = _safe_name(info.name, where)
                if name in members:
                    raise InputError(f"duplicate member '{name}'", Location(where))
                if info.size > MAX_MEMBER_BYTES:
                    raise InputError(f"member '{name}' is too large ({info.size} bytes)",
                                     Location(where))
                handle = tar.extractfile(info)
                members[name] = handle.read() if handle is not None else b""
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"not a readable tar.gz archive: {detail}", Location(where)) from None
    return members


def _manifest(members: Mapping[str, bytes], where: str) -> dict[str, Any]:
    data = members.get(MANIFEST_NAME)
    if data is None:
        raise InputError(f"no {MANIFEST_NAME} at the archive root: not a govcheck snapshot",
                         Location(where))
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"{MANIFEST_NAME} is not valid JSON: {error}", Location(where)) from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise InputError(f"{MANIFEST_NAME} has no 'files' map of path to sha256",
                         Location(where))
    result: dict[str, Any] = manifest
    return result


def verify_snapshot(archive: bytes, where: str) -> SnapshotCheck:
    """Recompute every member's SHA-256 and compare with the manifest."""
    members = read_snapshot(archive, where)
    manifest = _manifest(members, where)
    expected: dict[str, str] = manifest["files"]
    actual = {
        name: hashlib.sha256(data).hexdigest()
        for name, data in members.items()
        if name != MANIFEST_NAME
    }
    tool = manifest.get("tool")
    version = tool.get("version", "") if isinstance(tool, dict) else ""
    return SnapshotCheck(
        archive_sha256=hashlib.sha256(archive).hexdigest(),
        as_of=str(manifest.get("as_of", "")),
        tool_version=str(version),
        files=len(expected),
        modified=tuple(sorted(n for n in actual if n in expected and actual[n] != expected[n])),
        added=tuple(sorted(n for n in actual if n not in expected)),
        removed=tuple(sorted(n for n in expected if n not in actual)),
    )
