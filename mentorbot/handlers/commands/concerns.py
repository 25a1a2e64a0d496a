"""`/checkin concern [text]`: a concern raised privately with the programme's coordinators."""

from __future__ import annotations

from mentorbot.handlers.commands.request import MentoringRequest as Request
from mentorbot.handlers.modals import open_modal
from mentorbot.handlers.views.concerns import concern_modal


def concern(request: Request) -> None:
    """`/checkin concern [text]`: the concern form (prefilled with the text, if any)."""
    view = concern_modal(
        request.session, team_id=request.team_id, user_id=request.user_id, text=request.text.rest
    )
    request.ack()
    open_modal(request.context, request.client, request.trigger_id, view)
