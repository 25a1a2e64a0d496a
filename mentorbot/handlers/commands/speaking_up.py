"""`/checkin feedback` and `/checkin concern`: feedback on the mentoring, and a concern
raised privately with the programme's coordinators."""

from __future__ import annotations

from mentorbot.handlers.commands.request import MentoringRequest as Request


def feedback(request: Request) -> None:
    """`/checkin feedback`: the feedback survey, any time."""
    raise NotImplementedError


def concern(request: Request) -> None:
    """`/checkin concern [text]`: the concern form (prefilled with the text, if any)."""
    raise NotImplementedError
