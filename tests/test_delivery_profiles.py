"""Time zones refreshed before DMs go out: a page of people at a time where many are stale,
person by person where few are."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.delivery.profiles import IN_PAGES_FROM
from mentorbot.bot.models import Member
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from tests.factories import TEAM

MONDAY_9_UTC = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


def dm_everyone(runtime: Runtime, standin: SlackStandin, people: list[str]) -> int:
    for user in people:
        standin.add_user(user, user.lower(), tz="Europe/Lisbon")
    with unit_of_work(runtime.sessions) as session:
        enqueue_many(
            session,
            [Outgoing(TEAM, f"dm:{u}", "user", u, {"text": "hi"}, MONDAY_9_UTC) for u in people],
            now=MONDAY_9_UTC,
        )
    with freeze_time(MONDAY_9_UTC):
        return deliver_due(runtime.sessions, runtime, MONDAY_9_UTC).sent


def zones(runtime: Runtime, people: list[str]) -> set[str | None]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Member.tz).where(Member.user_id.in_(people))))


def test_many_stale_profiles_are_read_a_page_at_a_time(
    runtime: Runtime, standin: SlackStandin
) -> None:
    for n in range(150):  # other members of the workspace, listed first
        standin.add_user(f"U0OTHER{n:03d}", f"other{n}", tz="Asia/Tokyo")
    people = [f"U0M{n:03d}" for n in range(100)]
    assert dm_everyone(runtime, standin, people) == 100
    pages = standin.calls_to("users.list")
    assert len(pages) == 2 and all(int(call.args["limit"]) == 200 for call in pages)
    assert standin.calls_to("users.info") == []
    assert zones(runtime, people) == {"Europe/Lisbon"}


def test_a_few_stale_profiles_are_read_one_by_one(runtime: Runtime, standin: SlackStandin) -> None:
    people = [f"U0F{n}" for n in range(IN_PAGES_FROM - 1)]
    assert dm_everyone(runtime, standin, people) == len(people)
    assert standin.calls_to("users.list") == []
    assert sorted(call.args["user"] for call in standin.calls_to("users.info")) == people
    assert zones(runtime, people) == {"Europe/Lisbon"}
