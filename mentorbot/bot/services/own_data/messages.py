"""A person's outbox messages: those to them (for the export), and on deletion those to them
or carrying their words, withdrawn."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import OutboundMessage


def _messages_to(session: Session, team_id: str, user_id: str) -> list[OutboundMessage]:
    """Messages the bot queued or sent to the person: their DMs and group DMs with them."""
    rows = session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.team_id == team_id,
            OutboundMessage.target_kind != "channel",
            OutboundMessage.target_id.contains(user_id, autoescape=True),
        )
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
    )
    return [row for row in rows if user_id in row.target_id.split(",")]


def _withdraw_messages(session: Session, *, team_id: str, user_id: str) -> int:
    """Messages to the person, or carrying their words: withdrawn while never tried, else
    kept as a record without words. Returns how many."""
    # Messages to others that carry the person's words (`message_kinds`' about_user_id): the
    # mentor's meeting prompt (the mentee's shared check-in and goals), a shared win, their
    # thank-you note, their concern as coordinators got it.
    theirs = and_(OutboundMessage.about_user_id == user_id, OutboundMessage.quotes_words)
    rows = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.team_id == team_id,
            or_(OutboundMessage.target_id.contains(user_id, autoescape=True), theirs),
        )
    ).all()
    carrying = {row.id for row in rows if row.quotes_words and row.about_user_id == user_id}
    withdrawn = 0
    for row in rows:
        to_them = row.target_kind != "channel" and user_id in row.target_id.split(",")
        if not to_them and row.id not in carrying:
            continue  # it only names them: their id is replaced like everywhere else
        withdrawn += 1
        if row.status == "pending" and row.attempts == 0 and not row.outcome_unknown:
            session.delete(row)
            continue
        if row.status == "pending":
            row.status, row.last_error = "cancelled", "no longer needed"
        row.payload = {}
    session.flush()
    return withdrawn
