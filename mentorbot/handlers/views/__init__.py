"""Modal submissions: the agreement and the announcement forms."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.views import agreement, announcement, closing, feedback, profile, rhythm


def register(app: App) -> None:
    """Attach the modal submission listeners."""
    agreement.register(app)
    announcement.register(app)
    rhythm.register(app)
    feedback.register(app)
    closing.register(app)
    profile.register(app)
