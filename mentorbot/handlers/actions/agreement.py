"""The kickoff message's "Set up our agreement" button opens the agreement modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.services.agreements import agreement_view, pair_for_agreement
from mentorbot.handlers.modals import open_modal


def register(app: App) -> None:
    """Attach the button's listener."""
    app.action("agreement_open")(open_agreement)


def open_agreement(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
) -> None:
    """Open the agreement modal for the pair on the button, if the clicker is in it."""
    ack()
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise BadInput("that button is out of date; type `/checkin agreement` instead.")
    pair = pair_for_agreement(
        session, team_id=context.team_id or "", pair_id=int(value), user_id=context.user_id or ""
    )
    open_modal(context, client, str(body.get("trigger_id") or ""), agreement_view(session, pair))
