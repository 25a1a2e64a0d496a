"""`/checkin hours [08:00-16:00 [mon-fri]]`: see or set one's own working hours."""

from __future__ import annotations

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import pauses
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.workspaces import availability_for
from mentorbot.handlers.commands.request import MentoringRequest as Request


def hours(request: Request) -> None:
    """`/checkin hours [08:00-16:00 [mon-fri]]`: see or set one's own working hours."""
    member = get_or_create_member(
        request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
    )
    changed = bool(request.text.rest)
    if changed:
        pauses.set_hours(request.session, member=member, text=request.text.rest, now=request.now)
    mine = availability_for(request.session, team_id=request.team_id, user_id=request.user_id)
    request.reply(
        render_text(
            "working_hours/hours.md.j2",
            changed=changed,
            hours=str(mine.hours),
            workdays=sorted(mine.workdays),
            zone=mine.zone,
            holidays=str(mine.holidays) if mine.holidays else None,
            away=mine.away_at(request.now),
            away_until=mine.away_until,
        )
    )
