"""Escalations: coordinators hear of quiet pairs in one note a day at most, each pair once
per quiet spell, never their own pair, never what anyone wrote."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select, update

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import Member, OutboundMessage, Pair, Workspace
from mentorbot.bot.services.checkins import record_quick_checkin
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM

COORD = "U0COORD"  # configured in the test settings
PRIYA = "U0PRIYA"  # a second coordinator, in Kolkata
# Monday 8 March 2027, 09:00 UTC: in working hours in London, 14:30 in Kolkata.
MONDAY_9 = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def seed_quiet_pairs(
    runtime: Runtime, standin: SlackStandin, count: int, *, due: datetime
) -> list[int]:
    """`count` pairs in Spring, all fallen quiet so that coordinators hear at `due`."""
    standin.add_user(COORD, "cora", tz="Europe/London")
    standin.add_user(PRIYA, "priya", tz="Asia/Kolkata")
    with unit_of_work(runtime.sessions) as session:
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name="Spring",
            channel_id="C0COHORT",
            starts_on=date(2027, 1, 4),
            weeks=20,
            cadence="biweekly",
            created_by=COORD,
            now=due - 40 * DAY,
        )
        planned = [Planned(f"U0MR{i:04d}", f"U0ME{i:04d}") for i in range(count)]
        for plan in planned:
            for user_id in (plan.mentor_id, plan.mentee_id):
                session.add(Member(team_id=TEAM, user_id=user_id, profile_refreshed_at=due))
        pairs = create_pairs(
            session, cohort=cohort, planned=planned, now=due - 40 * DAY, kickoff=False
        )
        session.flush()
        ids = [pair.id for pair in pairs]
        session.execute(
            update(Pair)
            .where(Pair.id.in_(ids))
            .values(quiet_since=due - 31 * DAY, escalate_at=due, nudge_at=None, prompt_at=None)
        )
        session.add(Member(team_id=TEAM, user_id=PRIYA, tz="Asia/Kolkata", is_coordinator=True))
        session.add(Member(team_id=TEAM, user_id=COORD, tz="Europe/London"))
        for user_id in (COORD, PRIYA):
            session.execute(
                update(Member).where(Member.user_id == user_id).values(profile_refreshed_at=due)
            )
        return ids


def tick(runtime: Runtime, at: datetime) -> None:
    with freeze_time(at):
        run_tick(runtime.sessions, runtime.client, at)


def notes(runtime: Runtime) -> list[OutboundMessage]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.dedupe_key.like("escalations:%"))
                .order_by(OutboundMessage.id)
            )
        )


def test_many_quiet_pairs_are_one_note_per_coordinator_within_slacks_limits(
    runtime: Runtime, standin: SlackStandin
) -> None:
    """The trial's quiet week: 138 pairs fell due at once; each coordinator gets one DM."""
    seed_quiet_pairs(runtime, standin, 138, due=MONDAY_9 - timedelta(hours=1))
    for minute in range(0, 180, 20):
        tick(runtime, MONDAY_9 + timedelta(minutes=minute))
    found = notes(runtime)
    assert sorted(note.target_id for note in found) == [COORD, PRIYA]
    assert {note.status for note in found} == {"sent"}
    for note in found:
        blocks = note.payload["blocks"]
        assert len(blocks) <= 50
        text = json.dumps(note.payload)
        assert note.payload["text"] == "138 pairs in Spring may need a hand."
        assert text.count("mentors <@") == 25  # named; the rest counted, with where to look
        assert "and 113 more pairs in *Spring*" in text
        assert "/mentoring cohort show Spring" in text and "/mentoring report Spring" in text
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
    # Slack got one post per coordinator for escalations, not 138 each.
    posted = [
        call
        for call in standin.calls_to("chat.postMessage")
        if "may need a hand" in str(call.args.get("text"))
    ]
    assert len(posted) == 2


def test_a_pair_is_listed_once_per_quiet_spell_and_later_ones_wait_for_the_next_day(
    runtime: Runtime, standin: SlackStandin
) -> None:
    _first, second, third = seed_quiet_pairs(runtime, standin, 3, due=MONDAY_9 - timedelta(hours=1))
    with unit_of_work(runtime.sessions) as session:
        # The second pair falls due Monday afternoon, the third on Tuesday.
        session.execute(
            update(Pair).where(Pair.id == second).values(escalate_at=MONDAY_9 + timedelta(hours=5))
        )
        session.execute(update(Pair).where(Pair.id == third).values(escalate_at=MONDAY_9 + DAY))
    moment = MONDAY_9
    while moment < MONDAY_9 + 4 * DAY:
        tick(runtime, moment)
        moment += timedelta(hours=1)
    mine = [note for note in notes(runtime) if note.target_id == COORD]
    per_day = Counter(note.dedupe_key.rsplit(":", 1)[1] for note in mine)
    assert per_day == {"2027-03-08": 1, "2027-03-09": 1}  # Monday's, Tuesday's; then nothing
    # Tuesday's lists the second and the third; the first is not listed again.
    assert [json.dumps(n.payload).count("mentors <@") for n in mine] == [1, 2]
    assert all(note.sent_at and 9 <= note.sent_at.hour < 18 for note in mine)


def test_a_pair_that_checked_in_is_not_listed_and_is_listed_again_when_quiet_again(
    runtime: Runtime, standin: SlackStandin
) -> None:
    [pair_id] = seed_quiet_pairs(runtime, standin, 1, due=MONDAY_9 + DAY)  # due on Tuesday
    with unit_of_work(runtime.sessions) as session:
        pair = session.get(Pair, pair_id)
        assert pair is not None
        record_quick_checkin(
            session,
            team_id=TEAM,
            author_id=pair.mentee_id,
            text="back on track",
            source="slash",
            now=MONDAY_9,
        )
    tick(runtime, MONDAY_9 + DAY + timedelta(hours=1))
    assert notes(runtime) == []
    with runtime.sessions() as session:
        pair = session.get(Pair, pair_id)
        assert pair is not None and pair.escalate_at is not None
        again = pair.escalate_at  # two cycles and the grace days after that check-in
    assert again > MONDAY_9 + 28 * DAY
    tick(runtime, again + timedelta(hours=1))
    day = again + timedelta(hours=1)
    while not notes(runtime) and day < again + 4 * DAY:  # the coordinator's next hours
        day += timedelta(hours=1)
        tick(runtime, day)
    assert {note.target_id for note in notes(runtime)} == {COORD, PRIYA}


def test_a_coordinators_own_pair_is_not_listed_to_them(
    runtime: Runtime, standin: SlackStandin
) -> None:
    [pair_id] = seed_quiet_pairs(runtime, standin, 1, due=MONDAY_9 - timedelta(hours=1))
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(Pair).where(Pair.id == pair_id).values(mentor_id=PRIYA))
    tick(runtime, MONDAY_9)
    assert [note.target_id for note in notes(runtime)] == [COORD]


def test_the_note_is_written_in_the_coordinators_hours_not_before(
    runtime: Runtime, standin: SlackStandin
) -> None:
    seed_quiet_pairs(runtime, standin, 2, due=MONDAY_9 - timedelta(hours=12))
    with unit_of_work(runtime.sessions) as session:
        session.execute(
            update(Workspace).values(settings={"timezone": "UTC", "coordinators": [COORD]})
        )
    tick(runtime, MONDAY_9 - timedelta(hours=10))  # 23:00 in London, 04:30 in Kolkata
    assert notes(runtime) == []
    tick(runtime, MONDAY_9 - timedelta(hours=4))  # 10:30 in Kolkata
    assert [note.target_id for note in notes(runtime)] == [PRIYA]
