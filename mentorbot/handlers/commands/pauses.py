"""`/checkin pause …` and `/checkin resume`."""

from __future__ import annotations

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import pauses
from mentorbot.handlers.commands.request import MentoringRequest as Request


def pause(request: Request) -> None:
    """`/checkin pause 2 weeks` or `/checkin pause until YYYY-MM-DD`."""
    zone = request.actor.zone
    until = pauses.pause_end(request.text.rest, now=request.now, zone=zone)
    paused = pauses.pause(
        request.session,
        team_id=request.team_id,
        user_id=request.user_id,
        until=until,
        now=request.now,
    )
    request.reply(render_text("pauses/paused.md.j2", pairs=paused, until=until, zone=zone))


def resume(request: Request) -> None:
    resumed = pauses.resume(
        request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
    )
    request.reply(render_text("pauses/resumed.md.j2", pairs=resumed))
