"""What a `/mentoring` subcommand needs: who asked, the words, the session and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.settings import Settings
from mentorbot.handlers.actor import Actor
from mentorbot.handlers.commands.grammar import CommandText


@dataclass(frozen=True)
class MentoringRequest:
    """One `/mentoring` command, parsed; `text.word` is the subcommand."""

    text: CommandText
    actor: Actor
    channel_id: str
    trigger_id: str
    ack: Ack
    context: BoltContext
    client: WebClient
    respond: Respond
    session: Session
    settings: Settings
    now: datetime

    @classmethod
    def of(
        cls,
        command: dict[str, Any],
        ack: Ack,
        context: BoltContext,
        client: WebClient,
        respond: Respond,
        session: Session,
        settings: Settings,
        actor: Actor,
        now: datetime,
    ) -> MentoringRequest:
        """Build the request from Slack's command payload."""
        return cls(
            text=CommandText.from_slack(command.get("text")),
            actor=actor,
            channel_id=str(command.get("channel_id") or ""),
            trigger_id=str(command.get("trigger_id") or ""),
            ack=ack,
            context=context,
            client=client,
            respond=respond,
            session=session,
            settings=settings,
            now=now,
        )

    @property
    def team_id(self) -> str:
        """The asker's workspace."""
        return self.actor.team_id

    @property
    def user_id(self) -> str:
        """The asker."""
        return self.actor.user_id

    def reply(self, text: str) -> None:
        """Answer the person only (an ephemeral reply)."""
        self.ack(response_type="ephemeral", text=text)

    def zone(self) -> ZoneInfo:
        """The asker's time zone, checked with Slack: what they type is read in it."""
        return self.actor.checked_zone()

    def today(self) -> date:
        """Today's date where the asker is."""
        return self.now.astimezone(self.zone()).date()
