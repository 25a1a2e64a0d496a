"""Bolt listeners grouped by Slack surface; each package has a `register(app, ...)`."""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers import actions, commands, errors, events, fallbacks, middleware, views


def register(app: App) -> None:
    """Attach middleware, the error handler and every listener to `app`."""
    middleware.register(app)
    errors.register(app)
    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
    fallbacks.register(app)  # last: catches whatever no listener above claimed
