"""The files of an inventory: a directory, or a `.tar.gz`/`.zip` snapshot read in memory.

Archives are never extracted to disk. Every member is checked before it is
read: no absolute paths, no `..`, no links or devices, no duplicates, and
member count, sizes and compression ratio within the limits. Hidden files
and folders (a leading dot, `__MACOSX`) are not part of an inventory.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from govcheck.errors import InputError
from govcheck.loaders.limits import MIB, Limits
from govcheck.model import Location

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")


@dataclass(frozen=True, slots=True)
class FileTree:
    """Relative POSIX paths of an inventory's files, sorted, and a way to read each."""

    paths: tuple[str, ...]
    read: Callable[[str], bytes]
    archive_sha256: str | None = None


def _hidden(parts: list[str]) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def open_tree(path: Path, limits: Limits) -> FileTree:
    """The files of the inventory at `path` (a directory or an archive).

    Raises InputError when the path does not exist, is neither a directory
    nor a supported archive, or the archive is unsafe or too large.
    """
    where = Location(str(path), 1, 1)
    if path.is_dir():
        return _directory(path, limits)
    if not path.exists():
        raise InputError("inventory not found: no such directory or archive", where)
    name = path.name.lower()
    if not name.endswith(ARCHIVE_SUFFIXES):
        raise InputError("an inventory is a directory or a .tar.gz, .tgz or .zip archive of one",
                         where)
    size = path.stat().st_size
    if size > limits.max_archive_bytes:
        raise InputError(f"archive is larger than the {_mib(limits.max_archive_bytes)} limit",
                         where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the archive: {exc.strerror}", where) from None
    members = _zip_members(data, where, limits) if name.endswith(".zip") else _tar_members(
        data, where, limits)
    files = _strip_top_folder(members)
    return FileTree(tuple(sorted(files)), _reader(files, where),
                    hashlib.sha256(data).hexdigest())


def _mib(size: int) -> str:
    return f"{size / MIB:g} MiB" if size >= MIB else f"{size} bytes"


def _reader(files: dict[str, bytes], where: Location) -> Callable[[str], bytes]:
    def read(relative: str) -> bytes:
        if relative not in files:
            raise InputError(f"no file '{relative}' in the archive", where)
        return files[relative]

    return read


_DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv")


def _directory(root: Path, limits: Limits) -> FileTree:
    real_root = root.resolve()
    found: list[str] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not _hidden([d]))
        for name in names:
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            if _hidden(relative.split("/")):
                continue
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(real_root):
                    raise InputError("symbolic link points outside the inventory; copy the file"
                                     " in instead", Location(relative, 1, 1))
            if full.is_file():
                found.append(relative)
            elif name.lower().endswith(_DATA_SUFFIXES):
                # A FIFO or device under a data file's name: reading it could block or never
                # end, and skipping it would silently lose that file (archives refuse them too).
                raise InputError("not a regular file (a FIFO, socket or device); an inventory"
                                 " holds plain files", Location(relative, 1, 1))

    def read(relative: str) -> bytes:
        full = root / relative
        where = Location(relative, 1, 1)
        try:
            if full.stat().st_size > limits.max_file_bytes:
                raise InputError(
                    f"file is larger than the {_mib(limits.max_file_bytes)} limit", where)
            return full.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", where) from None

    return FileTree(tuple(sorted(found)), read)


def member_name(raw: str, where: Location) -> str | None:
    """A member's normalised relative path; None for the archive's root folder itself.

    Raises InputError for names that could write or read outside the inventory.
    """
    if "\x00" in raw or "\\" in raw:
        raise InputError(f"archive member {raw!r} has a backslash or NUL in its name", where)
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise InputError(f"archive member {raw!r} has an absolute path", where)
    parts = [part for part in raw.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InputError(f"archive member {raw!r} climbs out of the archive with '..'", where)
    return "/".join(parts) or None


class _Budget:
    """Counts members and bytes of one archive against the limits."""

    def __init__(self, compressed: int, where: Location, limits: Limits) -> None:
        self.compressed = max(compressed, 1)
        self.where = where
        self.limits = limits
        self.members = 0
        self.total = 0
        self.names: set[str] = set()

    def member(self, name: str | None) -> None:
        self.members += 1
        if self.members > self.limits.max_archive_members:
            raise InputError(
                f"archive has more than {self.limits.max_archive_members} members", self.where)
        if name is not None and name in self.names:
            raise InputError(f"archive member '{name}' appears more than once", self.where)
        if name is not None:
            self.names.add(name)

    def file(self, name: str, size: int, packed: int | None) -> None:
        limits = self.limits
        if size > limits.max_file_bytes:
            raise InputError(f"archive member '{name}' is larger than the"
                             f" {_mib(limits.max_file_bytes)} limit", self.where)
        self.total += size
        if self.total > limits.max_archive_bytes:
            raise InputError("archive expands to more than the"
                             f" {_mib(limits.max_archive_bytes)} limit", self.where)
        suspicious = packed is not None and size >= limits.ratio_floor_bytes and (
            size > limits.max_compression_ratio * max(packed, 1))
        if suspicious or (self.total >= limits.ratio_floor_bytes
                          and self.total > limits.max_compression_ratio * self.compressed):
            raise InputError(
                f"archive member '{name}' expands more than {limits.max_compression_ratio:g}"
                " times its compressed size (a decompression bomb?)", self.where)


def _tar_members(data: bytes, where: Location, limits: Limits) -> dict[str, bytes]:
    budget = _Budget(len(data), where, limits)
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|gz") as archive:
            for member in _iterate(archive):
                name = member_name(member.name, where)
                budget.member(name)
                if member.isdir() or name is None:
                    continue
                if not member.isfile() or member.issparse():
                    raise InputError(f"archive member '{name}' is {_tar_type(member)}; only"
                                     " regular files and folders are allowed", where)
                budget.file(name, member.size, None)
                handle = archive.extractfile(member)
                content = handle.read(member.size + 1) if handle is not None else b""
                if len(content) != member.size:
                    raise InputError(f"archive member '{name}' is truncated", where)
                if not _hidden(name.split("/")):
                    files[name] = content
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise InputError(f"not a readable .tar.gz archive: {exc}", where) from None
    return files


def _iterate(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while True:
        member = archive.next()
        if member is None:
            return
        yield member


def _tar_type(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "a symbolic link"
    if member.islnk():
        return "a hard link"
    if member.isdev():
        return "a device or FIFO"
    if member.issparse():
        return "a sparse file"
    return "not a regular file"


def _zip_members(data: bytes, where: Location, limits: Limits) -> dict[str, bytes]:
    budget = _Budget(len(data), where, limits)
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = member_name(info.filename, where)
                budget.member(name)
                mode = info.external_attr >> 16
                kind = stat.S_IFMT(mode)
                if stat.S_ISLNK(mode):
                    raise InputError(f"archive member '{name}' is a symbolic link; only regular"
                                     " files and folders are allowed", where)
                if info.is_dir() or name is None:
                    continue
                if kind and kind != stat.S_IFREG:
                    raise InputError(f"archive member '{name}' is not a regular file", where)
                if info.flag_bits & 0x1:
                    raise InputError(f"archive member '{name}' is encrypted", where)
                budget.file(name, info.file_size, info.compress_size)
                with archive.open(info) as handle:
                    content = handle.read(info.file_size + 1)
                if len(content) != info.file_size:
                    raise InputError(f"archive member '{name}' is not the size it declares",
                                     where)
                if not _hidden(name.split("/")):
                    files[name] = content
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            ValueError) as exc:
        raise InputError(f"not a readable .zip archive: {exc}", where) from None
    return files


def _strip_top_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """Members all in one top-level folder are read with that folder as the root."""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return {name.split("/", 1)[1]: content for name, content in files.items()}
    return files
