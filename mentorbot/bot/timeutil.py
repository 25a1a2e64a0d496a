"""Aware-UTC time helpers: UTC inside, the reader's own zone outside."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime (the only clock the code reads)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; refuse naive datetimes, which are ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware datetime")
    return moment.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse ISO-8601; a value without an offset is read as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(moment: datetime, zone: str) -> datetime:
    """`moment` as seen on a wall clock in `zone`."""
    return as_utc(moment).astimezone(ZoneInfo(zone))


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock moment `months` calendar months later (the 31st becomes the
    month's last day when the month is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def from_unix_seconds(value: object) -> datetime | None:
    """A moment Slack gives in Unix seconds (a profile's `updated`, a status's expiry), or
    None when it gave no usable one (0, a string, a number out of range)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
