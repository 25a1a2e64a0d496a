"""What a person's calendar feed holds, as iCalendar (RFC 5545, built with `icalendar`).

- Each of their pairs' meetings: one recurring event per rhythm (`meeting_history`), in the
  mentee's time zone (`TZID`; meetings keep the mentee's wall clock), `RRULE` from the
  cadence, `EXDATE` for meetings inside a pause, an overriding instance (`RECURRENCE-ID`)
  for a moved meeting, and `UNTIL` at the cohort's end (or the pair's, if sooner).
- A mentee's open goals with a due date, as all-day events.
- A coordinator's running cohorts' phase dates, as all-day events.

Only names, the agreement's "where" and a link back to Slack are written: never a check-in,
a concern or anything else someone wrote to the bot. The feed depends on the data alone
(not the time it is asked), so an unchanged feed keeps its ETag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Conversation, Goal, Member, Pair, Workspace
from mentorbot.bot.rendering import template_words
from mentorbot.bot.services.cohorts import PHASES, phase_dates, phase_days
from mentorbot.bot.services.meeting_history import MeetingHistory, Rhythm, history_of
from mentorbot.bot.services.meetings import regular_meetings
from mentorbot.bot.timeutil import as_utc
from mentorbot.bot.working_hours import zone_for

WORDS = "calendar_feeds/events.txt.j2"
# A meeting's length as the calendar shows it (agreements keep a time, not a length).
MEETING_LENGTH = timedelta(hours=1)
# Pairs the feed shows: running ones, and ended ones (their past meetings stay put).
SHOWN = ("active", "paused", "ended")
CADENCE_WORDS = {7: "weekly", 14: "fortnightly", 28: "four-weekly"}


@dataclass(frozen=True)
class Meeting:
    """One meeting in a rhythm: when it is held, or None when a pause skipped it."""

    regular: datetime
    held_at: datetime | None


def rhythm_meetings(rhythm: Rhythm, zone: ZoneInfo, end: datetime) -> Iterator[datetime]:
    """The rhythm's regular meetings before `end`, stepped as the prompts' are."""
    return takewhile(
        lambda moment: moment < end, regular_meetings(rhythm.first, rhythm.every, zone)
    )


def meetings_of(
    history: MeetingHistory, rhythm: Rhythm, zone: ZoneInfo, end: datetime
) -> list[Meeting]:
    """The rhythm's meetings before `end` (the earliest of its close, the pair's end and the
    cohort's), as the bot prompts for them: a moved one at its new time, none in a pause."""
    until = min(end, rhythm.until) if rhythm.until else end
    found = []
    for regular in rhythm_meetings(rhythm, zone, until):
        held = history.moves.get(regular, regular)
        if history.paused_at(held) or held >= end:
            found.append(Meeting(regular, None))
        else:
            found.append(Meeting(regular, held))
    return found


# Built once, run with parameters (see pairs._ACTIVE_PAIRS): a feed is read often.
_WORKSPACE = select(Workspace).where(Workspace.team_id == bindparam("team_id"))
# One statement per role: each walks its own index (an OR of both would walk the team's).
_PAIRS_AS = {
    role: select(Pair, Cohort)
    .join(Cohort, Cohort.id == Pair.cohort_id)
    .where(
        Pair.team_id == bindparam("team_id"),
        column == bindparam("user_id"),
        Pair.status.in_(SHOWN),
    )
    for role, column in (("mentee", Pair.mentee_id), ("mentor", Pair.mentor_id))
}
_PEOPLE = select(Member.user_id, Member.name, Member.tz).where(
    Member.team_id == bindparam("team_id"), Member.user_id.in_(bindparam("people", expanding=True))
)
# By pair alone (the pair's index); open goals with a due date are picked out in Python.
_GOALS = select(Goal).where(Goal.pair_id.in_(bindparam("pairs", expanding=True)))
_DM = select(Conversation.channel_id).where(
    Conversation.team_id == bindparam("team_id"), Conversation.users == bindparam("users")
)
_RUNNING = (
    select(Cohort)
    .where(Cohort.team_id == bindparam("team_id"), Cohort.phase != "ended")
    .order_by(Cohort.starts_on, Cohort.id)
)


def feed_for(session: Session, *, team_id: str, user_id: str, coordinator: bool) -> bytes:
    """The person's feed, as the bytes of an iCalendar file. A coordinator's (granted the
    role, `coordinator`, or named in MENTORBOT_COORDINATORS) has their cohorts' dates."""
    workspace = session.scalar(_WORKSPACE, {"team_id": team_id})
    defaults = (workspace.settings if workspace else None) or {}
    coordinator = coordinator or user_id in (defaults.get("coordinators") or [])
    zone = zone_for(None, defaults.get("timezone"))
    slack_link = _slack_link(session, team_id, user_id)
    calendar = Calendar()
    calendar.add("prodid", "-//mentorbot//feeds//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    words = template_words(WORDS)
    calendar.add("x-wr-calname", words.calendar_name(workspace.name if workspace else None))
    asked = {"team_id": team_id, "user_id": user_id}
    rows = sorted(
        (row for statement in _PAIRS_AS.values() for row in session.execute(statement, asked)),
        key=lambda row: row[0].id,
    )
    people = sorted({p for pair, _ in rows for p in (pair.mentor_id, pair.mentee_id)})
    names: dict[str, str | None] = {}
    zones: dict[str, ZoneInfo] = {}
    if people:
        for person, name, tz in session.execute(_PEOPLE, {"team_id": team_id, "people": people}):
            names[person] = name
            zones[person] = zone_for(tz, defaults.get("timezone"))
    for pair, cohort in rows:
        end = phase_dates(cohort.starts_on, cohort.ends_on, zone)["ended"]
        if pair.ended_at is not None:
            end = min(end, as_utc(pair.ended_at))
        as_mentee = pair.mentee_id == user_id
        other_id = pair.mentor_id if as_mentee else pair.mentee_id
        unnamed = words.your_mentor() if as_mentee else words.your_mentee()
        other = names.get(other_id) or str(unnamed)
        mentee_zone = zones.get(pair.mentee_id) or zone
        for event in _meeting_events(pair, mentee_zone, end, other, as_mentee, slack_link):
            calendar.add_component(event)
    mentee_pairs = {pair.id: pair for pair, _ in rows if pair.mentee_id == user_id}
    if mentee_pairs:
        goals = session.scalars(_GOALS, {"pairs": list(mentee_pairs)})
        due = sorted(
            (g for g in goals if g.status == "open" and g.due_on is not None),
            key=lambda g: (g.due_on, g.id),
        )
        for goal in due:
            mentor = names.get(mentee_pairs[goal.pair_id].mentor_id) or str(words.your_mentor())
            calendar.add_component(_goal_event(team_id, goal, mentor, slack_link))
    if coordinator:
        for cohort in session.scalars(_RUNNING, {"team_id": team_id}):
            for event in _phase_events(cohort, slack_link):
                calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _meeting_events(
    pair: Pair, zone: ZoneInfo, end: datetime, other: str, as_mentee: bool, slack_link: str | None
) -> Iterator[Event]:
    history = history_of(pair)
    words = template_words(WORDS)
    title = words.meeting_title(other)
    stamp = as_utc(history.changed_at or pair.created_at)
    for index, rhythm in enumerate(history.rhythms):
        meetings = meetings_of(history, rhythm, zone, end)
        if not meetings:
            continue  # a rhythm replaced before its first meeting
        uid = f"pair-{pair.id}-{index}-{pair.team_id}@mentorbot"
        description = words.meeting_description(
            other,
            as_mentee,
            CADENCE_WORDS.get(rhythm.every.days) or str(words.every_days(rhythm.every.days)),
            pair.meeting_channel,
            slack_link,
        )
        first = rhythm.first.astimezone(zone)
        series = _event(uid, history.sequence, stamp, title, description, pair, slack_link)
        series.add("dtstart", first)
        series.add("dtend", first + MEETING_LENGTH)
        last = meetings[-1].regular
        rule = {"freq": "weekly", "interval": rhythm.every.days // 7}
        if rhythm.every.days % 7:
            rule = {"freq": "daily", "interval": rhythm.every.days}
        series.add("rrule", vRecur({**rule, "until": as_utc(last)}))
        skipped = [m.regular.astimezone(zone) for m in meetings if m.held_at is None]
        if skipped:
            series.add("exdate", skipped)
        yield series
        for meeting in meetings:
            if meeting.held_at is None or meeting.held_at == meeting.regular:
                continue
            moved = _event(uid, history.sequence, stamp, title, description, pair, slack_link)
            moved.add("recurrence-id", meeting.regular.astimezone(zone))
            held = meeting.held_at.astimezone(zone)
            moved.add("dtstart", held)
            moved.add("dtend", held + MEETING_LENGTH)
            yield moved


def _event(
    uid: str,
    sequence: int,
    stamp: datetime,
    title: str,
    description: str,
    pair: Pair,
    slack_link: str | None,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("last-modified", stamp.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("summary", title)
    event.add("description", description)
    if pair.meeting_channel:
        event.add("location", pair.meeting_channel)
    if slack_link:
        event.add("url", slack_link)
    event.add("transp", "OPAQUE")
    return event


def _goal_event(team_id: str, goal: Goal, mentor: str, slack_link: str | None) -> Event:
    assert goal.due_on is not None
    words = template_words(WORDS)
    event = Event()
    event.add("uid", f"goal-{goal.id}-{team_id}@mentorbot")
    event.add("dtstamp", as_utc(goal.created_at))
    event.add("summary", words.goal_title(goal.title))
    event.add("description", words.goal_description(mentor, slack_link))
    _all_day(event, goal.due_on)
    return event


def _phase_events(cohort: Cohort, slack_link: str | None) -> Iterator[Event]:
    words = template_words(WORDS)
    days = {"kickoff": cohort.starts_on, **phase_days(cohort.starts_on, cohort.ends_on)}
    for phase in PHASES:
        event = Event()
        event.add("uid", f"cohort-{cohort.id}-{phase}-{cohort.team_id}@mentorbot")
        event.add("dtstamp", as_utc(cohort.phase_changed_at or cohort.created_at))
        event.add("summary", words.phase_title(cohort.name, phase))
        event.add("description", words.phase_description(cohort.name, slack_link))
        _all_day(event, days[phase])
        yield event


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def _slack_link(session: Session, team_id: str, user_id: str) -> str | None:
    """A link that opens the person's DM with mentorbot (Slack's `app_redirect` to a
    conversation), once mentorbot has opened that DM; else None."""
    channel = session.scalar(_DM, {"team_id": team_id, "users": user_id})
    if channel is None:
        return None
    return f"https://slack.com/app_redirect?channel={channel}&team={team_id}"
