"""govcheck's own date rules: ISO 8601 text to timezone-aware UTC datetimes.

Inventory dates are strings (the YAML loader resolves no implicit timestamps),
so YAML, JSON and CSV copies of one export read the same. A date without a
time is 00:00 UTC that day; a date-time with an offset is converted to UTC; a
date-time without an offset is taken as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["parse_date"]

# ISO 8601 extended calendar format only (what exports and people write); the
# basic (`20260630`) and week/ordinal forms are rejected as likely typos.
_ISO = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    (?:
        [Tt\ ]
        (?P<hour>\d{2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
        (?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    )?
    """,
    re.VERBOSE | re.ASCII,
)

# Anything longer is not a date; bounding it keeps hostile values cheap.
_MAX_DATE_TEXT = 64


def parse_date(value: object) -> datetime | None:
    """The instant `value` names as an aware UTC datetime, or None when it is not a date.

    Accepts ISO 8601 strings (`2026-06-30`, `2026-06-30T09:00:00+02:00`,
    `2026-06-30 09:00Z`), `datetime` (naive ones are taken as UTC) and `date`
    (00:00 UTC). Everything else, including numbers and booleans, gives None.
    """
    if isinstance(value, datetime):
        return _to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str):
        return None
    # Inventories repeat the same few dates thousands of times; datetimes are
    # immutable, so one parse per distinct text can be shared by every record.
    if value in _PARSED:
        return _PARSED[value]
    moment = _parse_text(value)
    if len(value) > _MAX_DATE_TEXT:
        return moment  # long texts are not kept alive by the cache
    if len(_PARSED) >= _MAX_CACHED:
        _PARSED.clear()  # bounded: a hostile inventory of distinct texts costs no memory
    _PARSED[value] = moment
    return moment


# Text -> parse_date's answer (None included) for texts already seen.
_PARSED: dict[str, datetime | None] = {}
_MAX_CACHED = 4096


def _parse_text(value: str) -> datetime | None:
    text = value.strip()
    if len(text) > _MAX_DATE_TEXT:
        return None
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    try:
        return _from_match(match)
    except (ValueError, OverflowError):
        return None


def _from_match(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    # Nanosecond fractions are truncated to microseconds, which is all datetime holds.
    micro = int((fraction + "000000")[:6]) if fraction else 0
    tz: timezone | None = None
    if zone is not None:
        if zone in ("Z", "z"):
            tz = UTC
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or "0")
            if hours > 23 or minutes > 59:
                return None
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                      int(second or 0), micro, tzinfo=tz)
    return _to_utc(moment)


def _to_utc(moment: datetime) -> datetime | None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None

