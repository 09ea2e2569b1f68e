"""Snapshots: deterministic archives; verify names every modified, added and removed file."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcheck.cli import cli

AS_OF = "2026-06-30"


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    root = tmp_path / "inv"
    (root / "events").mkdir(parents=True)
    (root / "people.yaml").write_text("- id: p-1\n  name: Ada\n", encoding="utf-8")
    (root / "systems.yaml").write_text("- id: s-1\n  status: deployed\n", encoding="utf-8")
    (root / "events" / "log.json").write_text("[]\n", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    return root


def create(inventory: Path, output: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["snapshot", "create", str(inventory), "-o", str(output),
                                      "--as-of", AS_OF, *extra])
    assert result.exit_code == 0, result.output


def verify(archive: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["snapshot", "verify", str(archive)])
    return result.exit_code, result.output


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}  # type: ignore[union-attr]


def rewrite(archive: Path, files: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(buffer.getvalue())


def test_create_twice_is_byte_identical(inventory: Path, tmp_path: Path) -> None:
    create(inventory, tmp_path / "a.tar.gz")
    create(inventory, tmp_path / "b.tar.gz")
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()


def test_archive_layout(inventory: Path, tmp_path: Path) -> None:
    # The output inside the inventory is not snapshotted into itself.
    archive = inventory / "snap.tar.gz"
    create(inventory, archive)
    create(inventory, archive)
    raw = archive.read_bytes()
    assert raw[4:8] == b"\x00\x00\x00\x00"  # gzip header mtime 0
    assert raw[3] & 0x08 == 0  # no file name in the gzip header
    with tarfile.open(archive, "r:gz") as tar:
        infos = tar.getmembers()
    assert [i.name for i in infos] == ["events/log.json", "govcheck-snapshot.json",
                                       "people.yaml", "systems.yaml"]
    for info in infos:
        assert (info.uid, info.gid, info.uname, info.gname, info.mode) == (0, 0, "", "", 0o644)
        assert info.mtime == 1782777600  # 2026-06-30T00:00:00Z
    manifest = json.loads(members(archive)["govcheck-snapshot.json"])
    assert manifest["as_of"] == "2026-06-30T00:00:00Z"
    assert manifest["tool"] == {"name": "govcheck", "version": "0.1.0"}
    assert sorted(manifest["files"]) == ["events/log.json", "people.yaml", "systems.yaml"]
    assert len(gzip.decompress(raw)) % 512 == 0


def test_verify_clean(inventory: Path, tmp_path: Path) -> None:
    create(inventory, tmp_path / "s.tar.gz")
    code, output = verify(tmp_path / "s.tar.gz")
    assert code == 0 and "ok: 3 files match the manifest" in output


def test_verify_names_a_one_byte_change(inventory: Path, tmp_path: Path) -> None:
    archive = tmp_path / "s.tar.gz"
    create(inventory, archive)
    files = members(archive)
    files["people.yaml"] = files["people.yaml"].replace(b"Ada", b"Adb")
    rewrite(archive, files)
    code, output = verify(archive)
    assert code == 1
    assert f"{archive}: modified: people.yaml" in output
    assert "systems.yaml" not in output


def test_verify_names_added_and_removed(inventory: Path, tmp_path: Path) -> None:
    archive = tmp_path / "s.tar.gz"
    create(inventory, archive)
    files = members(archive)
    del files["systems.yaml"]
    files["extra.csv"] = b"id\n"
    rewrite(archive, files)
    code, output = verify(archive)
    assert code == 1
    assert "added: extra.csv" in output and "removed: systems.yaml" in output


@pytest.mark.parametrize("content", [b"not an archive", b""])
def test_unreadable_archive_exits_2(tmp_path: Path, content: bytes) -> None:
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(content)
    result = CliRunner().invoke(cli, ["snapshot", "verify", str(archive)])
    assert result.exit_code == 2
    assert result.output.startswith(f"{archive}:1:1: not a readable tar.gz archive")


def test_unsafe_members_and_missing_manifest_exit_2(tmp_path: Path) -> None:
    archive = tmp_path / "s.tar.gz"
    rewrite(archive, {"../escape.yaml": b"x", "govcheck-snapshot.json": b'{"files": {}}'})
    code, output = verify(archive)
    assert code == 2 and "unsafe member '../escape.yaml'" in output
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        link = tarfile.TarInfo("people.yaml")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    archive.write_bytes(buffer.getvalue())
    code, output = verify(archive)
    assert code == 2 and "links and devices are refused" in output
    rewrite(archive, {"people.yaml": b"x"})
    code, output = verify(archive)
    assert code == 2 and "not a govcheck snapshot" in output


def test_create_refuses_links_and_missing_folders(inventory: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["snapshot", "create", str(tmp_path / "nope"), "-o",
                                      str(tmp_path / "s.tar.gz")])
    assert result.exit_code == 2 and "nope" in result.output
    (inventory / "link.yaml").symlink_to(inventory / "people.yaml")
    result = CliRunner().invoke(cli, ["snapshot", "create", str(inventory), "-o",
                                      str(tmp_path / "s.tar.gz")])
    assert result.exit_code == 2 and "link.yaml:1:1: symbolic links" in result.output
    assert not (tmp_path / "s.tar.gz").exists()
