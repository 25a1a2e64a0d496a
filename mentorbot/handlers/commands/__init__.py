"""Slash command listeners: `/checkin` for mentees and mentors, `/mentoring` for coordinators."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.commands import checkin, mentoring


def register(app: App) -> None:
    """Attach the slash command listeners."""
    checkin.register(app)
    mentoring.register(app)
