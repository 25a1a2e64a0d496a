"""Checking with Slack that the people a coordinator named can take part."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.services.members import remember_profiles
from mentorbot.bot.services.pair_import import Person
from mentorbot.directory import look_up


def check_people(
    client: WebClient, session: Session, *, team_id: str, user_ids: list[str], now: datetime
) -> None:
    """Look each person up (users.info), cache their profile, refuse bots and departed people."""
    found = look_up(client, user_ids)
    remember_profiles(session, team_id=team_id, profiles=found.profiles, now=now)
    for user_id in user_ids:
        verdict = found.people[user_id]
        if not isinstance(verdict, Person):
            raise BadInput(verdict.replace(user_id, f"<@{user_id}>"))
