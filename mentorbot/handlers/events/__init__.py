"""Events API listeners: App Home and direct messages to the bot."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.events import app_home, messages, users


def register(app: App) -> None:
    """Attach the event listeners."""
    app_home.register(app)
    messages.register(app)
    users.register(app)
