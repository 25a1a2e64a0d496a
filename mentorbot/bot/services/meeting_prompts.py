"""Meeting prompts (a tick producer): before each meeting the mentor gets the mentee's open
goals and latest *shared* check-in, and the mentee a prep prompt; after it, the mentee is
asked how it went. Then the pair's rhythm moves on to the next meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import languages, message_kinds
from mentorbot.bot.models import Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.goals import open_goals_of
from mentorbot.bot.services.languages import languages_of_people
from mentorbot.bot.services.meetings import Clocks, regular_after, set_next_meeting
from mentorbot.bot.services.privacy import latest_shared_with_mentors
from mentorbot.bot.timeutil import as_utc
from mentorbot.bot.working_hours import Availability

# The "how did it go?" prompt comes this long after a meeting starts...
FOLLOW_UP_AFTER = timedelta(hours=1)
# ...unless the tick learns of the meeting later than this (after downtime): then no prompt.
FOLLOW_UP_LATEST = timedelta(days=2)


@dataclass(frozen=True)
class MeetingHoliday:
    """A meeting that falls on a public holiday in one person's own calendar and zone."""

    user_id: str
    day: datetime  # the meeting, in that person's zone
    name: str


def holidays_at(meeting: datetime, people: list[tuple[str, Availability]]) -> list[MeetingHoliday]:
    """The public holidays the meeting falls on, for each person (their id, availability)."""
    found = []
    for user_id, person in people:
        local = as_utc(meeting).astimezone(person.zone)
        name = person.holiday_on(local.date())
        if name:
            found.append(MeetingHoliday(user_id, local, name))
    return found


@dataclass(frozen=True)
class MeetingAway:
    """Someone whose Slack status says they are away at the meeting, until `until`."""

    user_id: str
    until: datetime | None


def away_at(meeting: datetime, people: list[tuple[str, Availability]]) -> list[MeetingAway]:
    """The people (their id, availability) away at the meeting's time."""
    return [
        MeetingAway(user_id, person.away_until)
        for user_id, person in people
        if person.away_at(meeting)
    ]


def produce_meeting_prompts(session: Session, now: datetime) -> int:
    """Follow up meetings that have passed and move pairs on; prompt meetings coming up.

    Each query asks only for pairs with work due, so a quiet tick costs two index lookups.
    After downtime, a passed meeting gets no late prompt, only a follow-up if recent.
    """
    return _follow_up(session, now) + _prompt(session, now)


def _follow_up(session: Session, now: datetime) -> int:
    pairs = session.scalars(
        select(Pair).where(Pair.status == "active", Pair.next_meeting_at <= now - FOLLOW_UP_AFTER)
    ).all()
    clocks = Clocks(session, pairs)
    spoken = languages_of_people(session, [(pair.team_id, pair.mentee_id) for pair in pairs])
    outgoing = []
    for pair in pairs:
        meeting = pair.next_meeting_at
        assert meeting is not None
        following = regular_after(session, pair, now, clocks)
        if now - meeting <= FOLLOW_UP_LATEST:
            with languages.speaking(spoken[(pair.team_id, pair.mentee_id)]):
                follow_up = render_json(
                    "meeting_prompts/follow_up.json.j2", pair=pair, meeting=meeting
                )
            outgoing.append(
                Outgoing(
                    team_id=pair.team_id,
                    dedupe_key=message_kinds.followup(pair, meeting),
                    target_kind="user",
                    target_id=pair.mentee_id,
                    payload=follow_up,
                    not_before=meeting + FOLLOW_UP_AFTER,
                    # "How did it go?" is about this meeting: not once the next one is near.
                    expires_at=min(meeting + FOLLOW_UP_LATEST, following),
                )
            )
        pair.last_meeting_at = meeting
        set_next_meeting(session, pair, following, now=now, clocks=clocks)
    return enqueue_many(session, outgoing, now=now)


def _prompt(session: Session, now: datetime) -> int:
    # Only `prompt_at` in the query: with `next_meeting_at > now` as well, SQLite may walk
    # the (status, next_meeting_at) index over every coming meeting. A meeting that passed
    # unprompted (downtime) is the follow-up's, within the hour.
    due = session.scalars(select(Pair).where(Pair.status == "active", Pair.prompt_at <= now)).all()
    pairs = [pair for pair in due if pair.next_meeting_at and pair.next_meeting_at > now]
    clocks = Clocks(session, pairs)
    goals = open_goals_of(session, pairs)
    shared = latest_shared_with_mentors(session, pairs)
    spoken = languages_of_people(
        session,
        [(pair.team_id, user) for pair in pairs for user in (pair.mentor_id, pair.mentee_id)],
    )
    outgoing = []
    for pair in pairs:
        meeting = pair.next_meeting_at
        assert meeting is not None
        pair.prompt_at = None
        people = clocks.of(pair)
        when = clocks.prompt_times(pair, meeting)
        both = [(pair.mentor_id, people["mentor"]), (pair.mentee_id, people["mentee"])]
        holidays = holidays_at(meeting, both)
        away = away_at(meeting, both)
        with languages.speaking(spoken[(pair.team_id, pair.mentor_id)]):
            mentor_prompt = render_json(
                "meeting_prompts/mentor_before_meeting.json.j2",
                pair=pair,
                meeting=meeting,
                zone=people["mentor"].zone,
                goals=goals.get(pair.id, []),
                shared=shared.get(pair.id),
                holidays=holidays,
                away=away,
                reader=pair.mentor_id,
            )
        with languages.speaking(spoken[(pair.team_id, pair.mentee_id)]):
            mentee_prompt = render_json(
                "meeting_prompts/mentee_prep.json.j2",
                pair=pair,
                meeting=meeting,
                zone=people["mentee"].zone,
                holidays=holidays,
                away=away,
                reader=pair.mentee_id,
            )
        for key, user_id, payload, role in (
            (message_kinds.prompt(pair, meeting), pair.mentor_id, mentor_prompt, "mentor"),
            (message_kinds.prep(pair, meeting), pair.mentee_id, mentee_prompt, "mentee"),
        ):
            outgoing.append(
                Outgoing(
                    team_id=pair.team_id,
                    dedupe_key=key,
                    target_kind="user",
                    target_id=user_id,
                    payload=payload,
                    not_before=max(now, when[role]),
                    # A reminder of a meeting that has begun is no reminder: it is dropped
                    # when its reader's hours only begin after the meeting (outbox.claim_due).
                    expires_at=meeting,
                )
            )
    return enqueue_many(session, outgoing, now=now)
