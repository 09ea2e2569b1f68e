"""Where the built-in policy pack (`policies/`) and controls catalogue (`controls/`) are.

In a wheel they are data packages `govcheck.builtin_policies` and
`govcheck.builtin_controls` (pyproject maps the top-level folders there); in a
source checkout or editable install they are the repository's own folders.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def _data_dir(package: str, folder: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location)
            if candidate.is_dir():
                return candidate
    return _SOURCE_ROOT / folder


def builtin_policies_dir() -> Path:
    """The folder holding the built-in policy pack."""
    return _data_dir("govcheck.builtin_policies", "policies")


def builtin_controls_dir() -> Path:
    """The folder holding the controls catalogue."""
    return _data_dir("govcheck.builtin_controls", "controls")
