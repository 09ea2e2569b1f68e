"""Turning an export's cell values into canonical ones: dates, enumerations, ids."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

_LETTER_PREFIX = re.compile(r"^[a-z]\)\s+")

# Date forms seen in real exports, tried in order; ISO 8601 passes through untouched.
_US_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%b %d, %Y",
    # Dotted dates are day-first wherever they are written (German, Swiss, Nordic exports).
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
# BambooHR and others write an all-zero date for "none".
_NO_DATE = frozenset({"0000-00-00", "00/00/0000", "0000-00-00 00:00:00"})


def canonical_date(text: str) -> str | None:
    """An export's date as ISO 8601 (`07/25/2024 12:00:00 AM` -> `2024-07-25`).

    Blank and all-zero dates are None (absent). A value in no known form is
    returned as written, so the loader reports it as INVENTORY-BAD-DATE at the row.
    """
    value = " ".join(text.split())
    if not value or value in _NO_DATE:
        return None
    if _ISO_START.match(value):
        return value
    for form in _US_FORMATS:
        try:
            moment = datetime.strptime(value, form)
        except ValueError:
            continue
        if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
            return moment.date().isoformat()
        return moment.isoformat()
    return value


def normalize_value(text: str) -> str:
    """A value as compared with a mapping table: case and whitespace folded, a form's
    `a) ` answer letter dropped (`a) Pre-deployment` reads `pre-deployment`)."""
    folded = " ".join(text.split()).casefold()
    return _LETTER_PREFIX.sub("", folded)


def map_value(raw: str, table: Mapping[str, str], overrides: Mapping[str, str]) -> str:
    """The canonical value for `raw`: the source's own `values:` first, then the
    importer's table; an unknown value is kept as written, so the loader's schema
    check reports it on the export's line instead of it vanishing."""
    key = normalize_value(raw)
    for candidates in (overrides, table):
        for known, value in candidates.items():
            if normalize_value(known) == key:
                return value
    return " ".join(raw.split())


def slug(text: str) -> str:
    """A readable id made from a name (`Google LLC` -> `google-llc`)."""
    return "-".join(re.findall(r"[0-9a-z]+", text.casefold())) or "unnamed"
