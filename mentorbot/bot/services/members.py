"""People in a workspace: cached profile data and the coordinator role."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import NotAllowed
from mentorbot.bot.models import Member


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


def require_coordinator(
    session: Session, *, team_id: str, user_id: str, configured: Iterable[str] = ()
) -> None:
    """Raise NotAllowed unless the person is a coordinator."""
    if not is_coordinator(session, team_id=team_id, user_id=user_id, configured=configured):
        raise NotAllowed("only programme coordinators can use `/mentoring` commands.")


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
) -> Member:
    """Cache what Slack says about a person (users.info or a user_change event)."""
    member = get_or_create_member(session, team_id=team_id, user_id=user_id, now=now)
    member.name = name or member.name
    member.tz = tz or member.tz
    member.deleted = deleted
    member.is_bot = is_bot
    member.profile_refreshed_at = now
    return member
