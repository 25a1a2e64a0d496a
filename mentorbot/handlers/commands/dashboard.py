"""`/mentoring dashboard`: a one-time link to sign in to the coordinators' web dashboard."""

from __future__ import annotations

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.dashboard_sessions import LINK_VALID, sign_in_link
from mentorbot.handlers.commands.request import MentoringRequest as Request


def dashboard(request: Request) -> None:
    """A link valid for 10 minutes, used once, shown only to the coordinator who asked."""
    link = sign_in_link(
        request.session,
        request.settings,
        team_id=request.team_id,
        user_id=request.user_id,
        now=request.now,
    )
    minutes = int(LINK_VALID.total_seconds() // 60)
    request.reply(render_text("dashboard/link.md.j2", link=link, minutes=minutes))
