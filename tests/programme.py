"""Shared set-up for the coordinator tests: people in the stand-in, counting rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import Announcement, Cohort, Member, OutboundMessage, Pair
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.payloads import strings_in

COORD = "U0COORD"  # a coordinator through MENTORBOT_COORDINATORS (see conftest)
ANA, BEN, CAT, DAN, EVE = "U0ANA", "U0BEN", "U0CAT", "U0DAN", "U0EVE"
OUTSIDER = "U0OUT"
ROBOT = "U0ROBOT"
CHANNEL = "C0SPRING"


def add_people(standin: SlackStandin) -> None:
    """The coordinator, five people in three time zones, an outsider and an app."""
    standin.add_user(COORD, "priya", tz="Europe/London", email="priya@example.com")
    standin.add_user(ANA, "ana", tz="Asia/Tokyo", email="ana@example.com")
    standin.add_user(BEN, "ben", tz="America/New_York", email="ben@example.com")
    standin.add_user(CAT, "cat", tz="Europe/London", email="cat@example.com")
    standin.add_user(DAN, "dan", tz="Europe/London", email="dan@example.com")
    standin.add_user(EVE, "eve", tz="Europe/London", email="eve@example.com")
    standin.add_user(OUTSIDER, "olly", tz="Europe/London")
    standin.add_user(ROBOT, "robot", is_bot=True)
    standin.add_channel(CHANNEL, "mentoring-spring", members=[COORD, ANA, BEN])


def mention(user_id: str, name: str | None = None) -> str:
    """A mention as Slack escapes it in a slash command."""
    return f"<@{user_id}|{name or user_id.lower()}>"


def mentoring(slack: SignedSlackClient, text: str, user_id: str = COORD) -> str:
    """Run `/mentoring text` and return the ephemeral reply's text."""
    response = slack.command("/mentoring", text, user_id=user_id)
    assert response.status == 200, response.body
    return str(response.json().get("text", "")) if response.body else ""


def words_of(message: dict[str, Any]) -> str:
    """All a message's words: its text and its blocks', one per line."""
    return "\n".join([str(message.get("text", "")), *strings_in(message.get("blocks", []))])


def mentoring_shown(slack: SignedSlackClient, text: str, user_id: str = COORD) -> str:
    """Run `/mentoring text` and return all the words of its ephemeral reply."""
    response = slack.command("/mentoring", text, user_id=user_id)
    assert response.status == 200, response.body
    return words_of(response.json())


def create_spring(slack: SignedSlackClient, extra: str = "") -> str:
    """Create the cohort Spring 2027 in #mentoring-spring."""
    return mentoring(slack, f"cohort create Spring 2027 <#{CHANNEL}|mentoring-spring> {extra}")


def counts(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """How many rows of each programme table there are, and who is a coordinator."""
    with sessions() as session:
        found: dict[str, Any] = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Cohort, Pair, Announcement, OutboundMessage)
        }
        found["coordinators"] = sorted(
            session.scalars(select(Member.user_id).where(Member.is_coordinator.is_(True)))
        )
        found["pair_status"] = sorted(session.scalars(select(Pair.status)))
    return found
