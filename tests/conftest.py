"""Options shared by the whole test suite."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="Rewrite golden files instead of comparing with them.")


@pytest.fixture(autouse=True, scope="session")
def _private_tree_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The suite's parse-tree cache lives in a temporary folder, never in the user's home."""
    import os

    os.environ["GOVCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("govcheck-cache"))
