"""Meeting buttons: open the form that moves the coming meeting."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.modals import pair_modal
from mentorbot.handlers.views.meetings import move_modal


def register(app: App) -> None:
    """Attach the meeting buttons."""
    app.action("meeting_move_open")(open_move)


open_move = pair_modal(move_modal)
