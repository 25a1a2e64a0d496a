"""Meeting prompts: the mentor hears about a meeting a day ahead (a tick producer)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Member, Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.workspaces import default_zones
from mentorbot.bot.working_hours import zone_or_none

LEAD_TIME = timedelta(hours=24)


def produce_meeting_prompts(session: Session, now: datetime) -> int:
    """Queue a prompt to the mentor of every active pair meeting within the lead time.

    Only the coming meeting is considered: after downtime, a meeting that has passed gets no
    late prompt. A pair whose coming meeting was prompted already is skipped in the query.
    """
    pairs = list(
        session.scalars(
            select(Pair).where(
                Pair.status == "active",
                Pair.next_meeting_at > now,
                Pair.next_meeting_at <= now + LEAD_TIME,
                or_(
                    Pair.prompted_meeting_at.is_(None),
                    Pair.prompted_meeting_at != Pair.next_meeting_at,
                ),
            )
        )
    )
    people = _people(session, pairs)
    zones = default_zones(session, {pair.team_id for pair in pairs})
    outgoing = []
    for pair in pairs:
        assert pair.next_meeting_at is not None
        mentor = people.get((pair.team_id, pair.mentor_id))
        mentee = people.get((pair.team_id, pair.mentee_id))
        zone = (
            zone_or_none(mentor.tz if mentor else None)
            or zone_or_none(zones.get(pair.team_id))
            or ZoneInfo("UTC")
        )
        payload = render_json(
            "prompts/mentor_before_meeting.json.j2",
            mentee_id=pair.mentee_id,
            mentee_name=(mentee.name if mentee else None) or "your mentee",
            meeting_local=pair.next_meeting_at.astimezone(zone),
        )
        outgoing.append(
            Outgoing(
                team_id=pair.team_id,
                dedupe_key=f"prompt:pair{pair.id}:{pair.next_meeting_at:%Y-%m-%dT%H:%M}",
                target_kind="user",
                target_id=pair.mentor_id,
                payload=payload,
                not_before=now,
            )
        )
        pair.prompted_meeting_at = pair.next_meeting_at
    return enqueue_many(session, outgoing, now=now)


def _people(session: Session, pairs: list[Pair]) -> dict[tuple[str, str], Member]:
    """The cached profiles of everyone in these pairs, in one query per workspace."""
    wanted: dict[str, set[str]] = {}
    for pair in pairs:
        wanted.setdefault(pair.team_id, set()).update((pair.mentor_id, pair.mentee_id))
    found = {}
    for team_id, user_ids in wanted.items():
        for member in session.scalars(
            select(Member).where(Member.team_id == team_id, Member.user_id.in_(user_ids))
        ):
            found[(team_id, member.user_id)] = member
    return found
