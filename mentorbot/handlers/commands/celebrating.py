"""`/checkin win <text>`: a mentee logs a win; the pair celebrates it."""

from __future__ import annotations

from mentorbot.handlers.commands.request import MentoringRequest as Request


def win(request: Request) -> None:
    """`/checkin win <what went well>`."""
    raise NotImplementedError
