"""When a person may receive a DM: their working hours and workdays, in their own time zone,
on days that are not public holidays in their own calendar, and not while their Slack
status says they are away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentorbot.bot.public_holidays import HolidayCalendar, calendar_or_none
from mentorbot.bot.settings import WorkingHours, parse_workdays, parse_working_hours
from mentorbot.bot.timeutil import as_utc

# How far ahead a DM may wait for a working day (a run of holidays and a weekend is shorter).
HORIZON_DAYS = 31
# A DM to someone away with no end to their status is looked at again this often (a status
# cleared in Slack lets it go at once, through `user_change`).
AWAY_RECHECK = timedelta(minutes=30)


@dataclass(frozen=True)
class Availability:
    """A person's zone, daily window, workdays (Monday is 0) and public holidays."""

    zone: ZoneInfo
    hours: WorkingHours
    workdays: frozenset[int]
    holidays: HolidayCalendar | None = None
    # Their Slack status says they are away (and they did not ask for messages anyway),
    # until `away_until` (None: until it changes).
    away: bool = False
    away_until: datetime | None = None

    def away_at(self, moment: datetime) -> bool:
        """Whether the person's status says they are away at `moment`."""
        return self.away and (self.away_until is None or as_utc(moment) < self.away_until)

    def allows(self, moment: datetime) -> bool:
        """True when `moment` falls inside the person's working hours on a working day."""
        local = as_utc(moment).astimezone(self.zone)
        return (
            self.is_working_day(local.date())
            and self.hours.start <= local.time().replace(tzinfo=None) < self.hours.end
        )

    def is_working_day(self, day: date) -> bool:
        """A workday that is not a public holiday in the person's calendar (a local date)."""
        return day.weekday() in self.workdays and self.holiday_on(day) is None

    def holiday_on(self, day: date) -> str | None:
        """The public holiday's name on this local date in the person's calendar, if any."""
        return self.holidays.holiday_on(day) if self.holidays else None

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself when allowed, else the next start of working hours on a working day
        (aware UTC). A month without one (a calendar of nothing but holidays) lets it go.
        While the person is away, the answer is the end of their away status (or, with no
        end, a moment soon when it is looked at again)."""
        if self.away_at(moment):
            if self.away_until is None:
                return as_utc(moment) + AWAY_RECHECK
            moment = self.away_until
        if self.allows(moment) or not self.workdays:
            return as_utc(moment)
        local_date = as_utc(moment).astimezone(self.zone).date()
        for offset in range(HORIZON_DAYS + 1):
            day = local_date + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            start = wall_clock(day, self.hours.start, self.zone)
            if start > moment:
                return start
            end = wall_clock(day, self.hours.end, self.zone)
            if moment < end:  # inside today's window after all (a DST edge): now is fine
                return as_utc(moment)
        return as_utc(moment)


def next_allowed_for_all(people: list[Availability], moment: datetime) -> datetime:
    """The first moment from `moment` on that suits everyone (a group DM).

    People whose hours never overlap (Tokyo and New York, say) still hear from the bot: the
    first person's next allowed moment is taken when no common one comes within a week. No
    one hears while anyone among them is away.
    """
    if not people:
        return as_utc(moment)
    candidate = as_utc(moment)
    if any(p.away_at(candidate) and p.away_until is None for p in people):
        return candidate + AWAY_RECHECK  # someone is away with no end: look again soon
    # A week to find a common moment, from the end of the longest away spell among them.
    back = max(
        (p.away_until for p in people if p.away_at(candidate) and p.away_until), default=None
    )
    horizon = max(candidate, back or candidate) + timedelta(days=7)
    while candidate <= horizon:
        latest = max(person.next_allowed(candidate) for person in people)
        if latest == candidate:
            return candidate
        candidate = latest
    # None within the week: the first person's next moment, once everyone is back.
    return people[0].next_allowed(back or moment)


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant a wall clock in `zone` shows `at` on `day`.

    A time skipped by a DST change (e.g. 02:30 on a spring-forward night) is read with the
    offset before the change, i.e. an hour later in the new offset, never earlier.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def availability(
    *,
    tz: str | None,
    hours: str | None,
    workdays: str | list[int] | None,
    default_tz: str,
    default_hours: str,
    default_workdays: str | list[int],
    holidays: str | None = None,
    default_holidays: str | None = None,
    away_until: datetime | None = None,
    away: bool = False,
) -> Availability:
    """Build an Availability from a person's own values, falling back to the defaults. A
    person's holiday calendar `none` means none, whatever the workspace's."""
    zone = zone_for(tz, default_tz)
    window = parse_working_hours(hours or default_hours, "working hours")
    days = workdays if workdays not in (None, "", []) else default_workdays
    day_set = (
        parse_workdays(days, "workdays")
        if isinstance(days, str)
        else frozenset(int(d) for d in days)
    )
    calendar = calendar_or_none(holidays if holidays else default_holidays)
    return Availability(
        zone=zone,
        hours=window,
        workdays=day_set,
        holidays=calendar,
        away=away,
        away_until=as_utc(away_until) if away_until else None,
    )


def zone_for(own: str | None, workspace_default: str | None) -> ZoneInfo:
    """The one rule for the time zone a person is shown and reached in: their own (Slack's
    `tz`), else their workspace's default (MENTORBOT_TIMEZONE when the workspace was recorded),
    else UTC. Every reader comes here: workspaces.zone_of for one person, `availability` for
    the sender and the services that also need working hours."""
    return zone_or_none(own) or zone_or_none(workspace_default) or ZoneInfo("UTC")


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The named IANA zone, or None when the name is empty or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None
