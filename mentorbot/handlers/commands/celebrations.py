"""`/checkin win <text>`: a mentee logs a win; the pair celebrates it."""

from __future__ import annotations

from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import celebrations
from mentorbot.bot.services.checkins import pair_to_check_in
from mentorbot.handlers.commands.request import MentoringRequest as Request


def win(request: Request) -> None:
    """`/checkin win <what went well>`."""
    pair = pair_to_check_in(request.session, team_id=request.team_id, user_id=request.user_id)
    if pair.mentee_id != request.user_id:
        request.reply(render_text("celebrations/mentor_win.md.j2"))
        return
    milestone = celebrations.log_win(
        request.session, pair=pair, text=request.text.rest, now=request.now
    )
    shown = render_json(
        "celebrations/win_logged.json.j2",
        pair=pair,
        milestone=milestone,
        channel_id=celebrations.cohort_channel(request.session, pair),
    )
    request.ack(response_type="ephemeral", **shown)
