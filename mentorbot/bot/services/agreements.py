"""The mentorship agreement: how a pair will meet, what they expect, the mentee's first goal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.errors import InvalidForm, NotAllowed, NotFound
from mentorbot.bot.models import Goal, Member, Pair
from mentorbot.bot.outbox import cancel_queued, enqueue_many, to_pair
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import CADENCES, LIVE_PAIR
from mentorbot.bot.services.languages import speaking_to_pair
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.meeting_history import start_rhythm
from mentorbot.bot.services.meetings import MEETING_MESSAGES, set_next_meeting
from mentorbot.bot.services.nudges import schedule_nudges
from mentorbot.bot.services.workspaces import availabilities_for, availability_for
from mentorbot.bot.usertext import clean_user_text, is_whole_number
from mentorbot.bot.working_hours import Availability, wall_clock

# Where a pair meets (what each is called: agreements/_choices.j2).
PLACES = ("video", "in_person", "huddle")
MAX_NOTE = 1000
MAX_GOAL = 300


@dataclass(frozen=True)
class Agreement:
    """What a pair agreed; times are the mentee's local wall clock."""

    cadence: str
    weekday: int
    at: time
    place: str
    expectations: str
    boundaries: str
    first_goal: str
    # Ticked "That time is fine for both of us": a time outside the other's hours may stand.
    outside_hours_ok: bool = False

    def stored(self, *, by: str, now: datetime, version: int) -> dict[str, Any]:
        """The JSON kept on the pair."""
        data = asdict(self)
        data.update(at=self.at.strftime("%H:%M"), agreed_by=by, agreed_at=now.isoformat())
        data["version"] = version
        return data


def read_form(values: dict[str, str | None]) -> Agreement:
    """Check the modal's fields; InvalidForm names the first field that is wrong."""
    cadence = values.get("cadence") or ""
    if cadence not in CADENCES:
        raise InvalidForm("cadence", "agreements/pick_cadence")
    weekday = values.get("weekday") or ""
    if not is_whole_number(weekday) or int(weekday) > 6:
        raise InvalidForm("weekday", "agreements/pick_weekday")
    clock = values.get("time") or ""
    try:
        at = time.fromisoformat(clock)
        if len(clock) != 5:
            raise ValueError(clock)
    except ValueError:
        raise InvalidForm("time", "agreements/not_a_time", clock=clock) from None
    place = values.get("place") or ""
    if place not in PLACES:
        raise InvalidForm("place", "agreements/pick_place")
    notes = {}
    for name, limit in (("expectations", MAX_NOTE), ("boundaries", MAX_NOTE), ("goal", MAX_GOAL)):
        text = clean_user_text(values.get(name) or "")
        if len(text) > limit:
            raise InvalidForm(name, "agreements/too_long", limit=limit, length=len(text))
        notes[name] = text
    return Agreement(
        cadence=cadence,
        weekday=int(weekday),
        at=at,
        place=place,
        expectations=notes["expectations"],
        boundaries=notes["boundaries"],
        first_goal=notes["goal"],
        outside_hours_ok=bool(values.get("outside_hours_ok")),
    )


@dataclass(frozen=True)
class LocalTime:
    """A meeting as one person of the pair sees it: on their own clock, in their own hours?"""

    user_id: str
    role: str
    name: str | None
    zone: ZoneInfo
    at: datetime
    in_hours: bool
    # Their working hours on the mentee's clock (where the agreement's time is picked).
    hours_for_mentee: tuple[time, time]


@dataclass(frozen=True)
class BothTimes:
    """One meeting for the mentee and the mentor, each in their own time zone."""

    mentee: LocalTime
    mentor: LocalTime

    def other_than(self, user_id: str) -> LocalTime:
        """The person of the pair who is not `user_id`."""
        return self.mentor if user_id == self.mentee.user_id else self.mentee


def both_times(session: Session, pair: Pair, meeting: datetime) -> BothTimes:
    """The meeting at `meeting` (aware UTC) on each person's own clock and working hours."""
    people = availabilities_for(
        session, team_id=pair.team_id, user_ids=[pair.mentor_id, pair.mentee_id]
    )
    names = {
        user_id: name
        for user_id, name in session.execute(
            select(Member.user_id, Member.name).where(
                Member.team_id == pair.team_id,
                Member.user_id.in_([pair.mentor_id, pair.mentee_id]),
            )
        )
    }
    mentee_zone = people[pair.mentee_id].zone

    def local(user_id: str, role: str) -> LocalTime:
        person = people[user_id]
        return LocalTime(
            user_id=user_id,
            role=role,
            name=names.get(user_id),
            zone=person.zone,
            at=meeting.astimezone(person.zone),
            in_hours=person.allows(meeting),
            hours_for_mentee=_hours_on(person, mentee_zone, meeting),
        )

    return BothTimes(mentee=local(pair.mentee_id, "mentee"), mentor=local(pair.mentor_id, "mentor"))


def _hours_on(person: Availability, zone: ZoneInfo, day: datetime) -> tuple[time, time]:
    """The person's daily window, on `day` in their zone, as another `zone`'s clock shows it."""
    local_day = day.astimezone(person.zone).date()
    start = wall_clock(local_day, person.hours.start, person.zone)
    length = datetime.combine(local_day, person.hours.end) - datetime.combine(
        local_day, person.hours.start
    )
    if person.hours.end == time.max:  # until midnight
        length += timedelta(microseconds=1)
    return (start.astimezone(zone).time(), (start + length).astimezone(zone).time())


def pair_for_agreement(session: Session, *, team_id: str, pair_id: int, user_id: str) -> Pair:
    """The pair, if this person is its mentor or mentee and it is still going."""
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    if pair.status not in LIVE_PAIR:
        raise NotFound("agreements/ended")
    if user_id not in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("agreements/pair_only")
    return pair


def mentee_zone(session: Session, pair: Pair) -> ZoneInfo:
    """The mentee's time zone: agreements are kept in it."""
    return availability_for(session, team_id=pair.team_id, user_id=pair.mentee_id).zone


def next_meeting(weekday: int, at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first `weekday` at `at` (wall clock in `zone`) after `after`, in UTC."""
    day: date = after.astimezone(zone).date()
    for offset in range(8):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() == weekday:
            moment = wall_clock(candidate, at, zone)
            if moment > after:
                return moment
    raise AssertionError("a weekday comes round within eight days")  # pragma: no cover


def record_agreement(
    session: Session, *, pair: Pair, agreement: Agreement, by: str, now: datetime
) -> dict[str, Any]:
    """Keep the agreement, set the pair's rhythm and next meeting, and show it to both.

    Returns the message both people get, so the person who submitted can see it at once.
    """
    version = int((pair.agreement or {}).get("version", 0)) + 1
    zone = mentee_zone(session, pair)
    first = next_meeting(agreement.weekday, agreement.at, zone, now)
    times = both_times(session, pair, first)
    other = times.other_than(by)
    if not other.in_hours and not agreement.outside_hours_ok:
        # Their own hours are theirs to bend; the other person's are checked.
        raise InvalidForm("time", "agreements/outside_hours", other=other)
    pair.agreement = agreement.stored(by=by, now=now, version=version)
    pair.cadence = agreement.cadence
    schedule_nudges(session, pair)  # the quiet clock counts in the agreed cadence
    pair.meeting_weekday = agreement.weekday
    pair.meeting_time = agreement.at
    pair.meeting_channel = agreement.place
    cancel_queued(session, team_id=pair.team_id, pair_id=pair.id, kinds=MEETING_MESSAGES)
    start_rhythm(pair, first, now)
    set_next_meeting(session, pair, first, now=now)
    if agreement.first_goal and not session.scalar(
        select(Goal.id).where(Goal.pair_id == pair.id, Goal.title == agreement.first_goal)
    ):
        session.add(
            Goal(team_id=pair.team_id, pair_id=pair.id, title=agreement.first_goal, created_at=now)
        )

    def agreed() -> Any:
        return render_json(
            "agreements/agreed.json.j2",
            pair=pair,
            agreement=agreement,
            by=by,
            version=version,
            zone=zone,
            times=times,
            other=other,
        )

    with speaking_to_pair(session, pair):
        payload = agreed()
    enqueue_many(
        session, [to_pair(pair, message_kinds.agreement(pair, version), payload, now)], now=now
    )
    session.flush()
    return dict(agreed())  # (shown to whoever agreed, in their own language)


def current_terms(pair: Pair) -> dict[str, Any]:
    """What the agreement form starts with: the pair's agreement, or the cohort's rhythm."""
    stored = pair.agreement or {}
    return {
        "cadence": stored.get("cadence", pair.cadence),
        "weekday": stored.get("weekday"),
        "at": stored.get("at"),
        "place": stored.get("place"),
        "expectations": stored.get("expectations", ""),
        "boundaries": stored.get("boundaries", ""),
        "first_goal": stored.get("first_goal", ""),
        "outside_hours_ok": bool(stored.get("outside_hours_ok")),
    }


@dataclass(frozen=True)
class AgreementForm:
    """What the agreement modal shows: the terms that hold now, and the agreed time (or,
    before there is one, the working hours) as each of the pair sees it."""

    pair: Pair
    current: dict[str, Any]
    zone: ZoneInfo
    times: BothTimes
    agreed: bool


def agreement_form(session: Session, pair: Pair, now: datetime) -> AgreementForm:
    """The agreement form for this pair, filled in with what holds now."""
    current = current_terms(pair)
    zone = mentee_zone(session, pair)
    agreed = None
    if current["weekday"] is not None and current["at"]:
        agreed = next_meeting(current["weekday"], time.fromisoformat(current["at"]), zone, now)
    return AgreementForm(
        pair=pair,
        current=current,
        zone=zone,
        times=both_times(session, pair, agreed or now),
        agreed=agreed is not None,
    )
