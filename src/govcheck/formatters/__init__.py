"""Output formats: each is one module with a pure `format_report(report) -> str`.

A new format is one file here and one line in `FORMAT_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from govcheck.model import Report

Formatter = Callable[[Report], str]

# Format name -> module under govcheck.formatters; imported only when used, so start-up stays small.
FORMAT_MODULES: dict[str, str] = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "markdown": "markdown",
    "junit": "junit",
    "html": "html",
    "oscal": "oscal",
}


def get_formatter(name: str) -> Formatter:
    """The formatter for a format name (one of `FORMAT_MODULES`)."""
    module = importlib.import_module(f"govcheck.formatters.{FORMAT_MODULES[name]}")
    formatter: Formatter = module.format_report
    return formatter
