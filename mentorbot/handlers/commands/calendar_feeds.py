"""`/checkin calendar [reset]`: one's private calendar link, or a new one in its place."""

from __future__ import annotations

from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.calendar_feeds import feed_link
from mentorbot.handlers.commands.request import MentoringRequest as Request

RESET = "reset"


def is_calendar_command(rest: str) -> bool:
    """Whether the words after `calendar` are the command's (none, or `reset`); others
    ("calendar was full this week") are a check-in."""
    return rest.strip().lower() in ("", RESET)


def calendar(request: Request) -> None:
    """`/checkin calendar [reset]`: the person's calendar link (made on first use)."""
    reset = request.text.rest.strip().lower() == RESET
    link = feed_link(
        request.session,
        request.settings,
        team_id=request.team_id,
        user_id=request.user_id,
        now=request.now,
        reset=reset,
    )
    request.reply(render_text("calendar_feeds/link.md.j2", link=link, reset=reset))
