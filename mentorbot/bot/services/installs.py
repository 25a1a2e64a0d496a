"""Workspaces installing and uninstalling mentorbot (many workspaces, over OAuth)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.models import Workspace
from mentorbot.bot.outbox import UNINSTALLED, cancel_all_queued, enqueue
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.members import grant_coordinator, list_coordinators
from mentorbot.bot.services.workspaces import ensure_workspace


@dataclass(frozen=True)
class Installed:
    """What an install changed: whether the workspace is new and who coordinates it."""

    team_id: str
    first_install: bool
    installer_is_coordinator: bool


def record_install(
    session: Session,
    *,
    team_id: str,
    name: str | None,
    bot_user_id: str | None,
    installer_id: str,
    defaults: dict[str, Any],
    now: datetime,
) -> Installed:
    """Record (or re-activate) a workspace that installed mentorbot.

    The person who installed it becomes its first coordinator when it has none, and is told
    so in a DM with how to start.
    """
    known = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
    ensure_workspace(
        session, team_id=team_id, name=name, bot_user_id=bot_user_id, defaults=defaults, now=now
    )
    configured = defaults.get("coordinators") or ()
    granted = False
    if not list_coordinators(session, team_id=team_id, configured=configured):
        granted = grant_coordinator(session, team_id=team_id, user_id=installer_id, now=now)
    with speaking_to(session, team_id=team_id, user_id=installer_id):
        words = render_text(
            "installs/welcome.md.j2", coordinator=granted, first_install=known is None
        )
    enqueue(
        session,
        team_id=team_id,
        dedupe_key=message_kinds.installed(installer_id, now),
        target_kind="user",
        target_id=installer_id,
        payload={"text": words},
        not_before=now,
        now=now,
    )
    return Installed(team_id, known is None, granted)


def record_uninstall(session: Session, *, team_id: str, now: datetime) -> int:
    """Stop all work for a workspace that uninstalled mentorbot (or revoked its bot token).

    Its data stays, so installing again carries on where it was; every message not sent yet
    is withdrawn, and nothing new is queued for it (see the outbox). Returns how many
    messages were withdrawn.
    """
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    if workspace is None:
        return 0
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now
    return cancel_all_queued(session, team_id=team_id, reason=UNINSTALLED)
