"""`/checkin find-mentor [area]`: the mentors a mentee of a self-serve cohort may ask."""

from __future__ import annotations

from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.mentor_directory import mentor_directory
from mentorbot.handlers.commands.request import MentoringRequest as Request


def find_mentor(request: Request) -> None:
    """The directory's first page, only for the asker (with a button for the next)."""
    directory = mentor_directory(
        request.session,
        team_id=request.team_id,
        mentee_id=request.user_id,
        now=request.now,
        area=request.text.rest or None,
    )
    message = render_json("mentor_directory/page.json.j2", directory=directory)
    request.ack(response_type="ephemeral", **message)
