"""People in a workspace: cached profile data and the coordinator role."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.away_status import AwayRule
from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Member
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.away_status import away_rule, note_status
from mentorbot.bot.services.languages import speaking_to

# A cached Slack profile (time zone, name) older than this is fetched again before it is used.
PROFILE_MAX_AGE = timedelta(days=7)
# ...and for someone whose status says away, older than this (to see them back).
AWAY_PROFILE_MAX_AGE = timedelta(hours=1)


def get_or_create_member(session: Session, *, team_id: str, user_id: str, now: datetime) -> Member:
    """The member row for a Slack user, created on first sight."""
    member = session.scalar(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    )
    if member is None:
        member = Member(team_id=team_id, user_id=user_id, created_at=now)
        session.add(member)
        session.flush()
    return member


def is_coordinator(
    session: Session, *, team_id: str, user_id: str, configured: Iterable[str] = ()
) -> bool:
    """True for people in MENTORBOT_COORDINATORS (`configured`) and those granted the role."""
    if user_id in configured:
        return True
    return bool(
        session.scalar(
            select(Member.is_coordinator).where(
                Member.team_id == team_id, Member.user_id == user_id
            )
        )
    )


def list_coordinators(
    session: Session, *, team_id: str, configured: Iterable[str] = ()
) -> list[str]:
    """Slack user IDs of the workspace's coordinators, configured ones included, sorted."""
    granted = session.scalars(
        select(Member.user_id).where(Member.team_id == team_id, Member.is_coordinator.is_(True))
    )
    return sorted(set(granted) | set(configured))


def remember_profile(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    name: str | None,
    tz: str | None,
    deleted: bool,
    is_bot: bool,
    now: datetime,
    as_of: datetime | None = None,
    profile: Any = None,
    rule: AwayRule | None = None,
    locale: str | None = None,
) -> Member:
    """Cache what Slack says about a person (users.info or a user_change event), and what
    their status (`profile`, Slack's `user.profile`) says of being away.

    `as_of` is when Slack's copy of the profile was last changed (a user_change event's
    `user.updated`): Slack may deliver an older change after a newer one, and one older than
    what is cached already is ignored rather than undoing the newer. `locale` is Slack's
    for them (`es-ES`, asked for with `include_locale`); none given keeps the one known.
    """
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    if as_of is not None:
        as_of = min(as_of, now)
        if member.profile_refreshed_at is not None and as_of < member.profile_refreshed_at:
            return member
    member.name = name or member.name
    member.tz = tz or member.tz
    member.slack_locale = locale or member.slack_locale
    member.deleted = deleted
    member.is_bot = is_bot
    member.profile_refreshed_at = as_of or now
    if profile is not None:
        rule = rule or away_rule(session, team_id)
        note_status(session, member=member, profile=profile, rule=rule, now=now)
    return member


def grant_coordinator(session: Session, *, team_id: str, user_id: str, now: datetime) -> bool:
    """Make a person a coordinator; False when they were one already."""
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    if member.is_coordinator:
        return False
    member.is_coordinator = True
    return True


def welcome_coordinator(
    session: Session, *, team_id: str, user_id: str, granted_by: str, now: datetime
) -> None:
    """Tell a new coordinator what they can do now, in a DM (which also teaches mentorbot
    their time zone before their first weekly digest)."""
    with speaking_to(session, team_id=team_id, user_id=user_id):
        words = render_text("coordinators/you_coordinate.md.j2", granted_by=granted_by)
    enqueue(
        session,
        team_id=team_id,
        dedupe_key=message_kinds.coordinator_added(user_id, now),
        target_kind="user",
        target_id=user_id,
        payload={"text": words},
        not_before=now,
        now=now,
    )


def revoke_coordinator(
    session: Session, *, team_id: str, user_id: str, configured: Iterable[str], now: datetime
) -> bool:
    """Take the role away; False when they did not have it. Configured ones stay (BadInput)."""
    if user_id in configured:
        raise BadInput("coordinators/configured", user_id=user_id)
    member = session.scalar(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    )
    if member is None or not member.is_coordinator:
        return False  # (someone never seen, perhaps of another workspace: nothing is stored)
    if list_coordinators(session, team_id=team_id, configured=configured) == [user_id]:
        raise BadInput("coordinators/last_one")
    member.is_coordinator = False
    return True


def remember_profiles(
    session: Session, *, team_id: str, profiles: dict[str, dict[str, Any]], now: datetime
) -> None:
    """Cache several users.info-shaped profiles at once."""
    rule = away_rule(session, team_id)
    for user_id, user in profiles.items():
        remember_profile(
            session,
            team_id=team_id,
            user_id=user_id,
            name=user.get("real_name") or user.get("name"),
            tz=user.get("tz"),
            deleted=bool(user.get("deleted")),
            is_bot=bool(user.get("is_bot")),
            now=now,
            profile=user.get("profile"),
            rule=rule,
            locale=user.get("locale"),
        )
