"""Events API listeners: App Home, direct messages, profiles, and uninstalls."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.events import app_home, installs, messages, users


def register(app: App) -> None:
    """Attach the event listeners."""
    app_home.register(app)
    installs.register(app)
    messages.register(app)
    users.register(app)
