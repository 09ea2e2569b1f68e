"""Helpers for the rule engine tests: policies written to a temporary folder, graphs from data."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govcheck.graph import Graph, build_graph
from govcheck.loaders import inventory_from_mapping
from govcheck.model import CheckRun, Finding
from govcheck.rules import evaluate, load_policies
from govcheck.settings import merge_settings

DATA = Path(__file__).parent / "data"
AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
BACKENDS = ("fast", "reference")


def graph_of(inventory: Mapping[str, Any], settings: Mapping[str, Any] | None = None) -> Graph:
    """The graph of canonical records given as data."""
    loaded = inventory_from_mapping(inventory)
    graph, _ = build_graph(loaded.records, merge_settings(settings))
    return graph


def write_policy(folder: Path, text: str, name: str = "policy.yaml") -> Path:
    """Write a policy file (dedented) and return its folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def run_policy(folder: Path, inventory: Mapping[str, Any], backend: str, *,
               params: Mapping[str, Mapping[str, Any]] | None = None,
               now: datetime = AS_OF) -> tuple[list[Finding], list[CheckRun]]:
    """Load the folder's policies and evaluate them over the inventory."""
    rules = load_policies([folder])
    settings = merge_settings(None)
    return evaluate(rules, graph_of(inventory), now=now, settings=settings,
                    params_overrides=params or {}, backend=backend)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test runs on the fast path and on the reference interpreter."""
    value: str = request.param
    return value
