"""Button listeners: the kickoff's agreement button, cancelling an announcement."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.actions import (
    agreement,
    announcements,
    celebrations,
    closing,
    cohort_show,
    feedback,
    health,
    matching,
    own_data,
    rhythm,
)


def register(app: App) -> None:
    """Attach the button listeners."""
    agreement.register(app)
    announcements.register(app)
    rhythm.register(app)
    celebrations.register(app)
    feedback.register(app)
    closing.register(app)
    cohort_show.register(app)
    own_data.register(app)
    matching.register(app)
    health.register(app)
