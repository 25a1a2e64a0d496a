"""Meeting prompts: the mentor hears about a meeting a day ahead (a tick producer)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Member, Pair
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.workspaces import zone_for

LEAD_TIME = timedelta(hours=24)


def produce_meeting_prompts(session: Session, now: datetime) -> int:
    """Queue a prompt to the mentor of every active pair meeting within the lead time."""
    pairs = session.scalars(
        select(Pair).where(
            Pair.status == "active",
            Pair.next_meeting_at > now,
            Pair.next_meeting_at <= now + LEAD_TIME,
        )
    )
    queued = 0
    for pair in pairs:
        assert pair.next_meeting_at is not None
        zone = zone_for(session, team_id=pair.team_id, user_id=pair.mentor_id)
        mentee = session.scalar(
            select(Member.name).where(
                Member.team_id == pair.team_id, Member.user_id == pair.mentee_id
            )
        )
        payload = render_json(
            "prompts/mentor_before_meeting.json.j2",
            mentee_id=pair.mentee_id,
            mentee_name=mentee or "your mentee",
            meeting_local=pair.next_meeting_at.astimezone(zone),
        )
        queued += enqueue(
            session,
            team_id=pair.team_id,
            dedupe_key=f"prompt:pair{pair.id}:{pair.next_meeting_at:%Y-%m-%dT%H:%M}",
            target_kind="user",
            target_id=pair.mentor_id,
            payload=payload,
            not_before=now,
            now=now,
        )
    return queued
