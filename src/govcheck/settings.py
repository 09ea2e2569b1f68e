"""Shared settings read by the graph builder and by several checks (DESIGN.md)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from govcheck.kinds import PHASES

DEFAULT_SETTINGS: dict[str, Any] = {
    "required_phases": {
        "proposed": list(PHASES),
        "development": list(PHASES),
        "validation": list(PHASES),
        "deployed": list(PHASES),
        "retired": ["retirement"],
    },
    "phase_authority": {
        "validation": "sign-off-test",
        "deployment": "approve-go-live",
        "monitoring": "halt",
        "retirement": "sign-off-retirement",
    },
    "waiver_max_days": 180,
}


def merge_settings(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults with `overrides` merged over them; mapping values merge one level deep."""
    merged = copy.deepcopy(DEFAULT_SETTINGS)
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key].update(copy.deepcopy(dict(value)))
        else:
            merged[key] = copy.deepcopy(value)
    return merged
