"""Checking with Slack that the people a coordinator named can take part, and that the
profile of the person asking is current."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.services.imports import Person
from mentorbot.bot.services.members import PROFILE_MAX_AGE, get_or_create_member, remember_profiles
from mentorbot.directory import look_up


def check_people(
    client: WebClient, session: Session, *, team_id: str, user_ids: list[str], now: datetime
) -> None:
    """Look each person up (users.info), cache their profile; refuse bots, departed people and
    people of other workspaces (nothing of theirs is stored)."""
    found = look_up(client, user_ids, team_id=team_id, who=lambda value, name: f"<@{value}>")
    for user_id in user_ids:
        verdict = found.people[user_id]
        if not isinstance(verdict, Person):
            raise BadInput.of(verdict)
    remember_profiles(session, team_id=team_id, profiles=found.profiles, now=now)


def refresh_profile(
    client: WebClient, session: Session, *, team_id: str, user_id: str, now: datetime
) -> None:
    """Ask Slack for the person's profile (users.info) when the cached one is missing or old,
    and keep it: dates and times a person types are read in their own zone, so it must be
    right."""
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    stale = (
        member.profile_refreshed_at is None or now - member.profile_refreshed_at > PROFILE_MAX_AGE
    )
    if stale:
        try:
            found = look_up(client, [user_id], team_id=team_id)
        except SlackApiError:
            found = None  # Slack is having a moment: the default zone will do
        if found is not None:
            remember_profiles(session, team_id=team_id, profiles=found.profiles, now=now)
