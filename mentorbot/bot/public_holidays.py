"""Public holidays: the calendar of them a person keeps (a country, optionally a subdivision).

A calendar is written as Slack people would say it: an ISO country code, optionally with a
subdivision (`GB`, `US-CA`, `DE-BY`), or `none`. The dates come from the `holidays` library,
read lazily per year and kept per calendar for the life of the process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import holidays as holiday_data

NONE = "none"


class UnknownCalendar(ValueError):
    """A calendar the `holidays` library does not know; the message says which part (for
    operators' settings), `country` and `subdivision` name it (for people's replies, worded
    in a template)."""

    def __init__(self, message: str, *, country: str, subdivision: str | None = None) -> None:
        super().__init__(message)
        self.country, self.subdivision = country, subdivision


@dataclass(frozen=True)
class HolidayCalendar:
    """A country's public holidays, or a subdivision's (a state, a nation of the UK)."""

    country: str
    subdivision: str | None = None

    def __str__(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def holiday_on(self, day: date) -> str | None:
        """The holiday's name on a local date, None on an ordinary day."""
        dates, lock = _dates(self.country, self.subdivision)
        with lock:  # the library fills in a year on first use: one lane at a time
            name = dates.get(day)
        return str(name) if name else None


@lru_cache(maxsize=1024)
def parse_calendar(text: str) -> HolidayCalendar | None:
    """`GB`, `us-ca` or `none` (None); raises UnknownCalendar for what the library lacks.
    Kept per text: every availability the sender reads comes through here."""
    cleaned = text.strip().upper()
    if not cleaned or cleaned == NONE.upper():
        return None
    country, _, subdivision = cleaned.partition("-")
    known = holiday_data.list_supported_countries()
    if country not in known:
        raise UnknownCalendar(
            f"{country} is not a country code the holiday calendars know", country=country
        )
    if subdivision and subdivision not in known[country]:
        raise UnknownCalendar(
            f"{subdivision} is not a subdivision of {country}",
            country=country,
            subdivision=subdivision,
        )
    return HolidayCalendar(country, subdivision or None)


def calendar_or_none(text: str | None) -> HolidayCalendar | None:
    """A stored calendar, None when there is none or it is no longer known."""
    try:
        return parse_calendar(text or "")
    except UnknownCalendar:
        return None


@cache
def _dates(
    country: str, subdivision: str | None
) -> tuple[holiday_data.HolidayBase, threading.Lock]:
    return holiday_data.country_holidays(country, subdiv=subdivision), threading.Lock()
