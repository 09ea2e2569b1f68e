"""Shared fixtures for the loader tests: small inventories written to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

MakeInventory = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def make_inventory(tmp_path: Path) -> MakeInventory:
    """Write {relative path: text or bytes} under a fresh folder and return the folder."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / "inventory"
        for relative, content in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make
