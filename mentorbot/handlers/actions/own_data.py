"""Buttons of `/checkin delete-my-data`: delete (Slack asked to confirm first) or cancel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, NotAllowed
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services import own_data
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.deferred import replace_message


def register(app: App) -> None:
    """Attach the listeners."""
    app.action("own_data_delete")(delete)
    app.action("own_data_cancel")(cancel)


def delete(
    ack: Ack,
    action: dict[str, Any],
    context: BoltContext,
    session: Session,
    actor: Actor,
    now: datetime,
) -> None:
    """ "Delete my data": only by the person who asked, and only once per offer."""
    ack()
    team_id, user_id = actor.team_id, actor.user_id
    owner, _, stamp = str(action.get("value") or "").partition(":")
    try:
        offered_at = datetime.fromtimestamp(float(stamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise BadInput("own_data/stale_button") from None
    if owner != user_id:
        raise NotAllowed("own_data/owner_only")
    done = own_data.deleted_since(session, team_id=team_id, user_id=user_id, since=offered_at)
    if done is not None:
        text = render_text("own_data/already.md.j2", at=done)
    else:
        summary = own_data.delete(session, team_id=team_id, user_id=user_id, now=now)
        text = render_text("own_data/deleted.md.j2", summary=summary)
    replace_message(context, "confirm a deletion", text=text)


def cancel(ack: Ack, context: BoltContext) -> None:
    """ "Cancel": nothing changes."""
    ack()
    text = render_text("own_data/cancelled.md.j2")
    replace_message(context, "confirm nothing was deleted", text=text)
