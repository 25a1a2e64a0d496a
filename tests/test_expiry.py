"""Expiry: a message about a moment (a meeting, a due date, a phase) is never delivered from
that moment on. It ends "expired", is logged, and counts among the messages that did not go
out in cohort health."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.models import Goal, Member, OutboundMessage, Pair
from mentorbot.bot.outbox import EXPIRED, enqueue
from mentorbot.bot.services.cohorts import find_cohort
from mentorbot.bot.services.health import cohort_health
from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM, seed_pair
from tests.rhythm import sent

# Monday 10:00 in Kolkata: Sunday 21:30 in Los Angeles.
MEETING = datetime(2027, 3, 8, 4, 30, tzinfo=UTC)
MENTOR, MENTEE = "U0LAMENTOR", "U0KOLMENTEE"


def tick(runtime: Runtime, at: datetime) -> None:
    with freeze_time(at):  # the wall clock (leases) agrees with the tick's `now`
        run_tick(runtime.sessions, runtime.client, at)


def statuses(runtime: Runtime) -> dict[str, tuple[str, str | None]]:
    with runtime.sessions() as session:
        return {
            row.dedupe_key.split(":")[0] + ":" + row.target_id: (row.status, row.last_error)
            for row in session.scalars(select(OutboundMessage))
        }


def seed_la_and_kolkata(runtime: Runtime, standin: SlackStandin, *, now: datetime) -> Pair:
    """A mentor in Los Angeles and a mentee in Kolkata, both known to Slack and cached."""
    standin.add_user(MENTOR, "lee", tz="America/Los_Angeles")
    standin.add_user(MENTEE, "priya", tz="Asia/Kolkata")
    pair = seed_pair(runtime.sessions, now=now, mentor=MENTOR, mentee=MENTEE, meeting_at=MEETING)
    with unit_of_work(runtime.sessions) as session:
        for user_id, tz in ((MENTOR, "America/Los_Angeles"), (MENTEE, "Asia/Kolkata")):
            session.execute(
                update(Member)
                .where(Member.user_id == user_id)
                .values(tz=tz, profile_refreshed_at=now)
            )
    return pair


def test_a_prompt_its_reader_cannot_get_before_the_meeting_is_dropped_not_held(
    runtime: Runtime, standin: SlackStandin
) -> None:
    """The trial's case: the pause ends on the Monday of a 04:30 UTC meeting; the mentor in
    Los Angeles has no working hours between then and the meeting (it is Sunday evening
    there), so their prompt would have arrived 11.5 hours after the meeting."""
    paused_at = MEETING - timedelta(days=10)
    pair = seed_la_and_kolkata(runtime, standin, now=paused_at)
    pause_ends = datetime(2027, 3, 7, 18, 30, tzinfo=UTC)  # Monday 00:00 in Kolkata
    with unit_of_work(runtime.sessions) as session:
        session.execute(
            update(Pair)
            .where(Pair.id == pair.id)
            .values(status="paused", paused_until=pause_ends, prompt_at=None)
        )
    moment = pause_ends
    while moment <= MEETING + timedelta(hours=20):
        tick(runtime, moment)
        moment += timedelta(minutes=30)

    found = statuses(runtime)
    assert found[f"prompt:{MENTOR}"] == ("expired", EXPIRED)
    # The mentee's hours (from 09:00 in Kolkata, 03:30 UTC) begin before the meeting.
    [prep] = sent(runtime.sessions, "prep")
    assert prep.to == MENTEE and prep.at < MEETING
    assert sent(runtime.sessions, "prompt") == []
    assert not [m for m in standin.messages_in(standin.dm_channel_for(MENTOR)) if "meeting" in m]


def test_prompts_held_through_downtime_are_never_delivered_after_their_meeting(
    runtime: Runtime, standin: SlackStandin
) -> None:
    """Slack fails when the prompts are due; mentorbot is then down until after the
    meeting. On its return the retries are past their moment: they expire, unsent."""
    standin.add_user("U0MENTOR", "mo", tz="UTC")
    standin.add_user("U0MENTEE", "mia", tz="UTC")
    meeting = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # a Wednesday
    created = meeting - timedelta(days=6)
    seed_pair(runtime.sessions, now=created, meeting_at=meeting)
    standin.fail_next("chat.postMessage", status=503, times=2)
    tick(runtime, meeting - timedelta(hours=24))  # both prompts fail once, retried later
    found = statuses(runtime)
    assert found["prompt:U0MENTOR"] == found["prep:U0MENTEE"] == ("pending", "service_unavailable")
    tick(runtime, meeting + timedelta(hours=2))  # back after the meeting
    found = statuses(runtime)
    assert found["prompt:U0MENTOR"] == ("expired", EXPIRED)
    assert found["prep:U0MENTEE"] == ("expired", EXPIRED)
    assert found["followup:U0MENTEE"][0] == "sent"  # "how did it go?" is still timely
    assert sent(runtime.sessions, "prompt") == sent(runtime.sessions, "prep") == []


def test_a_follow_up_not_delivered_by_the_next_meeting_expires(
    runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0MENTOR", "mo", tz="UTC")
    standin.add_user("U0MENTEE", "mia", tz="UTC")
    meeting = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    seed_pair(runtime.sessions, now=meeting - timedelta(days=6), meeting_at=meeting)
    standin.fail_next("chat.postMessage", status=503, times=1)
    tick(runtime, meeting + timedelta(hours=1))  # the follow-up fails; retried later
    tick(runtime, meeting + timedelta(days=3))  # down for three days: two is its limit
    assert statuses(runtime)["followup:U0MENTEE"] == ("expired", EXPIRED)


def remind_of_a_goal_due_wednesday(runtime: Runtime, standin: SlackStandin) -> None:
    """A goal due on Wednesday; Monday's reminder meets a Slack error and waits to retry."""
    standin.add_user("U0MENTEE", "mia", tz="UTC")
    now = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
    pair = seed_pair(runtime.sessions, now=now)
    with unit_of_work(runtime.sessions) as session:
        session.add(Goal(team_id=TEAM, pair_id=pair.id, title="Talk", due_on=date(2027, 3, 10)))
    standin.fail_next("chat.postMessage", status=503, times=1)
    tick(runtime, now)
    assert statuses(runtime)["goaldue:U0MENTEE"][0] == "pending"


def test_a_goal_reminder_is_still_delivered_on_the_due_day(
    runtime: Runtime, standin: SlackStandin
) -> None:
    remind_of_a_goal_due_wednesday(runtime, standin)
    tick(runtime, datetime(2027, 3, 10, 17, 0, tzinfo=UTC))  # the due day, in hours: goes
    assert statuses(runtime)["goaldue:U0MENTEE"][0] == "sent"


def test_a_goal_reminder_retried_past_its_due_day_expires(
    runtime: Runtime, standin: SlackStandin
) -> None:
    remind_of_a_goal_due_wednesday(runtime, standin)
    tick(runtime, datetime(2027, 3, 11, 9, 0, tzinfo=UTC))
    assert statuses(runtime)["goaldue:U0MENTEE"] == ("expired", EXPIRED)
    assert standin.messages_in(standin.dm_channel_for("U0MENTEE")) == []


@pytest.mark.parametrize("reader", ["U0TOKYO", "U0NYC"])
def test_a_group_dm_expires_when_no_common_moment_comes_before_it(
    runtime: Runtime, standin: SlackStandin, reader: str
) -> None:
    standin.add_user("U0TOKYO", "aiko", tz="Asia/Tokyo")
    standin.add_user("U0NYC", "sam", tz="America/New_York")
    group = f"{reader},{'U0NYC' if reader == 'U0TOKYO' else 'U0TOKYO'}"
    friday_evening_nyc = datetime(2027, 3, 12, 23, 0, tzinfo=UTC)  # Saturday 08:00 in Tokyo
    with unit_of_work(runtime.sessions) as session:
        enqueue(
            session,
            team_id=TEAM,
            dedupe_key="moved:pair1:x",
            target_kind="group",
            target_id=group,
            payload={"text": "Your meeting moved"},
            not_before=friday_evening_nyc,
            expires_at=friday_evening_nyc + timedelta(days=1),
            now=friday_evening_nyc,
        )
    with freeze_time(friday_evening_nyc):
        report = deliver_due(runtime.sessions, runtime.client, friday_evening_nyc)
    assert report.expired == 1 and report.sent == 0 and report.held == 0
    assert statuses(runtime)[f"moved:{group}"] == ("expired", EXPIRED)


def test_a_message_without_expiry_still_waits_for_working_hours(
    runtime: Runtime, standin: SlackStandin
) -> None:
    standin.add_user("U0NYC", "sam", tz="America/New_York")
    saturday = datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
    with unit_of_work(runtime.sessions) as session:
        enqueue(
            session,
            team_id=TEAM,
            dedupe_key="celebrate:pair1:m1",
            target_kind="user",
            target_id="U0NYC",
            payload={"text": "Well done"},
            not_before=saturday,
            now=saturday,
        )
    with freeze_time(saturday):
        report = deliver_due(runtime.sessions, runtime.client, saturday)
    assert report.held == 1 and report.expired == 0
    assert statuses(runtime)["celebrate:U0NYC"] == ("pending", None)


def test_cohort_health_counts_expired_messages_among_those_not_delivered(
    runtime: Runtime, standin: SlackStandin
) -> None:
    paused_at = MEETING - timedelta(days=10)
    pair = seed_la_and_kolkata(runtime, standin, now=paused_at)
    with unit_of_work(runtime.sessions) as session:
        session.execute(
            update(Pair)
            .where(Pair.id == pair.id)
            .values(status="paused", paused_until=MEETING - timedelta(hours=10), prompt_at=None)
        )
    tick(runtime, MEETING - timedelta(hours=10))
    assert statuses(runtime)[f"prompt:{MENTOR}"][0] == "expired"
    with runtime.sessions() as session:
        cohort = find_cohort(session, team_id=TEAM, name="Spring")
        [health] = cohort_health(session, cohorts=[cohort], now=MEETING)
    assert health.failed.expired == 1 and health.failed.total == 1
