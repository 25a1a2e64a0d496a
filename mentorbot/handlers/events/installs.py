"""`app_uninstalled` and `tokens_revoked`: a workspace is gone, so all work for it stops."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.services.installs import record_uninstall
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import defer
from mentorbot.runtime import Runtime

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the uninstall listeners."""
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


def uninstalled(
    context: BoltContext, session: Session, runtime: Runtime, actor: Actor, now: datetime
) -> None:
    """The workspace removed mentorbot: forget its tokens, withdraw what was queued for it."""
    team_id, enterprise_id = actor.team_id, context.enterprise_id
    store = runtime.installations
    if store is not None:
        # After this request's transaction: the store writes through its own connection.
        defer(
            context,
            "forget the workspace's tokens",
            lambda: store.delete_all(enterprise_id=enterprise_id, team_id=team_id),
        )
    withdrawn = record_uninstall(session, team_id=team_id, now=now)
    log.info("workspace %s uninstalled mentorbot; %d message(s) withdrawn", team_id, withdrawn)


def tokens_revoked(
    event: dict[str, Any],
    context: BoltContext,
    session: Session,
    runtime: Runtime,
    actor: Actor,
    now: datetime,
) -> None:
    """Tokens were revoked: without the bot token, mentorbot can do nothing for the workspace."""
    team_id, enterprise_id = actor.team_id, context.enterprise_id
    tokens = event.get("tokens") or {}
    store = runtime.installations
    if store is not None:

        def forget() -> None:
            for user_id in tokens.get("oauth") or []:
                store.delete_installation(
                    enterprise_id=enterprise_id, team_id=team_id, user_id=str(user_id)
                )
            if tokens.get("bot"):
                store.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

        # After this request's transaction: the store writes through its own connection.
        defer(context, "forget revoked tokens", forget)
    if tokens.get("bot"):
        withdrawn = record_uninstall(session, team_id=team_id, now=now)
        log.info("workspace %s revoked mentorbot's token; %d withdrawn", team_id, withdrawn)
