"""The App Home's *Send them now*: messages held while away come at once."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.services.away_status import send_waiting_now
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.events.home import refresh_home


def register(app: App) -> None:
    """Attach the button's listener."""
    app.action("away_send_now")(send_now)


def send_now(
    ack: Ack, context: BoltContext, client: WebClient, session: Session, actor: Actor
) -> None:
    """Release the presser's held DMs for this spell away, and show their Home again."""
    ack()
    member = get_or_create_member(
        session, team_id=actor.team_id, user_id=actor.user_id, now=actor.now
    )
    send_waiting_now(session, member=member, now=actor.now)
    refresh_home(context, client, session, actor)
