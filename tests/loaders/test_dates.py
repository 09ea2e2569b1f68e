"""govcheck.dates: ISO 8601 text and Python dates to aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from govcheck.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-30", datetime(2026, 6, 30, tzinfo=UTC)),
        ("2026-06-30T09:15:00Z", datetime(2026, 6, 30, 9, 15, tzinfo=UTC)),
        ("2026-06-30T09:15:00+02:00", datetime(2026, 6, 30, 7, 15, tzinfo=UTC)),
        ("2026-06-30T01:00-0300", datetime(2026, 6, 30, 4, 0, tzinfo=UTC)),
        ("2026-06-30 09:15", datetime(2026, 6, 30, 9, 15, tzinfo=UTC)),
        ("2026-06-30T09:15:00.5Z", datetime(2026, 6, 30, 9, 15, 0, 500000, tzinfo=UTC)),
        ("2026-06-30T09:15:00.123456789Z", datetime(2026, 6, 30, 9, 15, 0, 123456, tzinfo=UTC)),
        (" 2026-06-30 ", datetime(2026, 6, 30, tzinfo=UTC)),
        ("2026-01-01T00:30:00+01:00", datetime(2025, 12, 31, 23, 30, tzinfo=UTC)),
    ],
)
def test_iso_text_parses_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "2026-13-01", "31/12/2025", "20260630", "2026-W01", "yesterday", "",
     "2026-06-30T25:00", "2026-06-30T09:00+24:00", "2026-06-30X", "0001-01-01T00:00+01:00",
     "2" * 100, 20260630, 1.5, True, None, ["2026-06-30"]],
)
def test_anything_else_is_none(value: object) -> None:
    assert parse_date(value) is None


def test_python_dates_are_accepted() -> None:
    assert parse_date(date(2026, 6, 30)) == datetime(2026, 6, 30, tzinfo=UTC)
    assert parse_date(datetime(2026, 6, 30, 9)) == datetime(2026, 6, 30, 9, tzinfo=UTC)
    offset = timezone(timedelta(hours=5))
    assert parse_date(datetime(2026, 6, 30, 9, tzinfo=offset)) == datetime(2026, 6, 30, 4,
                                                                            tzinfo=UTC)
