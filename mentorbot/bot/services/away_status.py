"""Away status: a person whose Slack status says they are away gets their DMs when they are
back (its expiry, or when it changes), or at once if they ask (*Send them now*).

What the status says is read when Slack tells of the profile (`user_change`, and the
sender's profile refresh); only "away, until when" is kept, never the status's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from mentorbot.bot.away_status import AwayRule, away_in, rule_of
from mentorbot.bot.models import Member, OutboundMessage
from mentorbot.bot.services.workspaces import workspace_setting
from mentorbot.bot.timeutil import as_utc


@dataclass(frozen=True)
class Waiting:
    """A person away, and how many DMs wait for them (the App Home's note)."""

    until: datetime | None
    messages: int


def away_rule(session: Session, team_id: str) -> AwayRule:
    """The workspace's rule (MENTORBOT_AWAY_EMOJI and _WORDS when it was recorded)."""
    return rule_of(
        workspace_setting(session, team_id, "away_emoji"),
        workspace_setting(session, team_id, "away_words"),
    )


def note_status(
    session: Session, *, member: Member, profile: Any, rule: AwayRule, now: datetime
) -> None:
    """Keep whether the person's Slack profile (`user.profile`) says they are away. Back
    from away, their waiting DMs go at once (within their hours)."""
    if not isinstance(profile, dict) or not {"status_emoji", "status_text"} & set(profile):
        return  # a profile without its status says nothing about it
    away = away_in(profile, rule, now)
    if away is None:
        if member.away_since is not None:
            member.away_since = member.away_until = None
            member.away_waived = False
            release_waiting(session, team_id=member.team_id, user_id=member.user_id, now=now)
        return
    if member.away_since is None:
        member.away_since = now
        member.away_waived = False  # a new spell away: they have not asked for messages
    member.away_until = away.until  # a status with a new expiry moves the return


def send_waiting_now(session: Session, *, member: Member, now: datetime) -> int:
    """*Send them now*: this spell away, the person takes their DMs; returns how many."""
    member.away_waived = True
    return release_waiting(session, team_id=member.team_id, user_id=member.user_id, now=now)


def waiting_for(session: Session, *, member: Member | None, now: datetime) -> Waiting | None:
    """The App Home's note: the person is away (not waived), with the DMs that wait."""
    if member is None or member.away_since is None or member.away_waived:
        return None
    until = as_utc(member.away_until) if member.away_until else None
    if until is not None and until <= now:
        return None
    count = session.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .where(*_waiting(member.team_id, member.user_id, now))
    )
    return Waiting(until=until, messages=int(count or 0))


def release_waiting(session: Session, *, team_id: str, user_id: str, now: datetime) -> int:
    """Let the person's held DMs (and group DMs) go at the next send: each is looked at
    again then, against their hours and anyone else's."""
    result = session.execute(
        update(OutboundMessage)
        .where(*_waiting(team_id, user_id, now))
        .values(not_before=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _waiting(team_id: str, user_id: str, now: datetime) -> tuple[Any, ...]:
    return (
        OutboundMessage.team_id == team_id,
        OutboundMessage.status == "pending",
        OutboundMessage.not_before > now,
        OutboundMessage.target_kind != "channel",
        or_(
            OutboundMessage.target_id == user_id,
            OutboundMessage.target_id.like(f"{user_id},%"),
            OutboundMessage.target_id.like(f"%,{user_id}"),
            OutboundMessage.target_id.like(f"%,{user_id},%"),
        ),
    )
