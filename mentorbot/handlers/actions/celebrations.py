"""Buttons of celebrations."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """Attach the listeners."""
