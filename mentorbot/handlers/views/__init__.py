"""Modals, one module per feature (named like its service and template folder): how each is
built from what its service returns (commands and buttons open it), and its submission.

- `agreements`: the pair's agreement.
- `announcements`: a coordinator's announcement.
- `checkins`: the check-in form.
- `closing`: the closing reflection and alumni check-ins.
- `concerns`: a concern, and a coordinator's reply to one; a handled concern shown.
- `feedback`: the feedback survey.
- `goals`: the open goals, and a new goal.
- `meetings`: moving the coming meeting.
- `mentor_requests`: a mentee's request, a mentor's *Not now* or suggestion; answers shown.
- `pauses`: a pause.
- `profiles`: a mentor's or mentee's matching profile (built by `commands.matching`).
"""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.views import (
    agreements,
    announcements,
    checkins,
    closing,
    concerns,
    feedback,
    goals,
    meetings,
    mentor_requests,
    pauses,
    profiles,
)


def register(app: App) -> None:
    """Attach the modal submission listeners."""
    agreements.register(app)
    announcements.register(app)
    checkins.register(app)
    goals.register(app)
    mentor_requests.register(app)
    pauses.register(app)
    meetings.register(app)
    feedback.register(app)
    concerns.register(app)
    closing.register(app)
    profiles.register(app)
