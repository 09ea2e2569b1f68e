"""Archives read in memory: top folder, digests, and every unsafe member refused."""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from govcheck.errors import InputError
from govcheck.loaders import Limits, load_inventory

FILES = {"people.csv": b"id,name\np-1,Ada\n", "systems/s-1.yaml": b"id: s-1\nowner: p-1\n"}


def make_tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


def make_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".zip"])
@pytest.mark.parametrize("prefix", ["", "example-org/", "./"])
def test_archives_read_like_the_directory(tmp_path: Path, suffix: str, prefix: str) -> None:
    members = [(prefix + name, data) for name, data in FILES.items()]
    path = tmp_path / f"inv{suffix}"
    if suffix == ".zip":
        make_zip(path, list(members))
    else:
        make_tar(path, list(members))
    inventory = load_inventory(path)
    assert [(r.key, str(r.location)) for r in inventory.records] == [
        ("person:p-1", "people.csv:2:1"), ("system:s-1", "systems/s-1.yaml:1:1")]
    assert [i.path for i in inventory.inputs] == ["people.csv", "systems/s-1.yaml"]
    assert inventory.archive_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inventory.root == str(path)


def test_nothing_is_written_to_disk(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "inv.zip", list(FILES.items()))
    before = sorted(p.name for p in tmp_path.iterdir())
    load_inventory(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (("../evil.csv", b"id\nx\n"), "climbs out"),
        (("a/../../evil.csv", b"id\nx\n"), "climbs out"),
        (("/etc/people.csv", b"id\nx\n"), "absolute path"),
        (("C:/people.csv", b"id\nx\n"), "absolute path"),
        (("dir\\people.csv", b"id\nx\n"), "backslash"),
        (special("teams.yaml", tarfile.SYMTYPE, "/etc/passwd"), "symbolic link"),
        (special("teams.yaml", tarfile.LNKTYPE, "people.csv"), "hard link"),
        (special("dev.csv", tarfile.CHRTYPE), "device"),
        (special("fifo.csv", tarfile.FIFOTYPE), "device"),
        (("people.csv", b"id\ny\n"), "appears more than once"),
    ],
)
def test_unsafe_tar_members_are_refused(
    tmp_path: Path, member: tarfile.TarInfo | tuple[str, bytes], message: str
) -> None:
    path = make_tar(tmp_path / "inv.tar.gz", [*FILES.items(), member])
    with pytest.raises(InputError, match=message) as caught:
        load_inventory(path)
    assert str(caught.value).startswith(f"{path}:1:1: ")


def zip_symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (("../evil.csv", b"id\n"), "climbs out"),
        (("/abs.csv", b"id\n"), "absolute path"),
        ((zip_symlink("teams.yaml"), b"/etc/passwd"), "symbolic link"),
        (("people.csv", b"id\n"), "appears more than once"),
    ],
)
def test_unsafe_zip_members_are_refused(
    tmp_path: Path, member: tuple[str | zipfile.ZipInfo, bytes], message: str
) -> None:
    path = tmp_path / "inv.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we plant
        make_zip(path, [*FILES.items(), member])
    with pytest.raises(InputError, match=message):
        load_inventory(path)


def test_zip_bomb_ratio_is_refused_quickly(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bomb.zip", [*FILES.items(), ("people.json", b"\0" * 20_000_000)])
    assert path.stat().st_size < 100_000
    started = time.monotonic()
    with pytest.raises(InputError, match="decompression bomb"):
        load_inventory(path)
    assert time.monotonic() - started < 5


def test_tar_bomb_ratio_is_refused(tmp_path: Path) -> None:
    path = make_tar(tmp_path / "bomb.tgz", [*FILES.items(), ("pad.csv", b"\0" * 5_000_000)])
    with pytest.raises(InputError, match="decompression bomb"):
        load_inventory(path)


def test_size_and_member_limits(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "inv.zip", list(FILES.items()))
    with pytest.raises(InputError, match="more than 1 members"):
        load_inventory(path, Limits(max_archive_members=1))
    with pytest.raises(InputError, match="larger than the"):
        load_inventory(path, Limits(max_file_bytes=10))
    big = make_zip(tmp_path / "big.zip", [("people.csv", b"id\n" + b"p-1\n" * 5000)])
    with pytest.raises(InputError, match="expands to more than the 10000 bytes limit"):
        load_inventory(big, Limits(max_archive_bytes=10_000))


def test_corrupt_archives_are_input_errors(tmp_path: Path) -> None:
    for name in ("bad.zip", "bad.tar.gz"):
        path = tmp_path / name
        path.write_bytes(b"PK\x03\x04 not really an archive" * 10)
        with pytest.raises(InputError, match="not a readable"):
            load_inventory(path)
