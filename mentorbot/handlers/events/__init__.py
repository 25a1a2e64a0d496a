"""Events API listeners.

- `home`: `app_home_opened` publishes the App Home (and the refresh buttons use).
- `installs`: `app_uninstalled` and `tokens_revoked`.
- `members`: `user_change` keeps a person's name and time zone current.
- `messages`: a direct message is a private check-in, or a CSV file to import.
"""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.events import home, installs, members, messages


def register(app: App) -> None:
    """Attach the event listeners."""
    home.register(app)
    installs.register(app)
    messages.register(app)
    members.register(app)
