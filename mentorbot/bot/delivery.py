"""The sender: drains due outbox rows to Slack and records each outcome."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.models import OutboundMessage

log = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "mentorbot_delivery"
# Slack errors that no retry will fix: the message is recorded as failed for coordinators to see.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_auth",
        "invalid_blocks",
        "is_archived",
        "msg_too_long",
        "no_text",
        "not_in_channel",
        "restricted_action",
        "user_disabled",
        "user_not_found",
    }
)
MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)


@dataclass
class DeliveryReport:
    """What one drain did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(
    sessions: sessionmaker[Session], client: WebClient, now: datetime, *, batch: int = 200
) -> DeliveryReport:
    """Send every pending message whose `not_before` has come, a batch at a time."""
    report = DeliveryReport()
    while True:
        claimed = _claim(sessions, now, batch)
        for message_id in claimed:
            _deliver_one(sessions, client, message_id, now, report)
        if len(claimed) < batch:
            return report


def _claim(sessions: sessionmaker[Session], now: datetime, batch: int) -> list[int]:
    with unit_of_work(sessions) as session:
        query = (
            select(OutboundMessage)
            .where(OutboundMessage.status == "pending", OutboundMessage.not_before <= now)
            .order_by(OutboundMessage.not_before, OutboundMessage.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        for row in rows:
            row.status = "sending"
            row.attempts += 1
        return [row.id for row in rows]


def _deliver_one(
    sessions: sessionmaker[Session],
    client: WebClient,
    message_id: int,
    now: datetime,
    report: DeliveryReport,
) -> None:
    with unit_of_work(sessions) as session:
        row = session.get_one(OutboundMessage, message_id)
        try:
            channel = _channel_for(client, row)
            response = client.chat_postMessage(
                channel=channel,
                metadata={
                    "event_type": METADATA_EVENT_TYPE,
                    "event_payload": {"dedupe_key": row.dedupe_key},
                },
                **row.payload,
            )
        except SlackApiError as error:
            code = str(error.response.get("error", "")) or f"http_{error.response.status_code}"
            if code in PERMANENT_ERRORS:
                _fail(row, code, report)
            else:
                _retry_later(row, code, now, report)
            return
        except (SlackClientError, OSError) as error:
            _retry_later(row, f"network: {error.__class__.__name__}", now, report)
            return
        row.status = "sent"
        row.sent_at = now
        row.slack_channel = str(response.get("channel") or channel)
        row.slack_ts = str(response.get("ts"))
        row.last_error = None
        report.sent += 1


def _channel_for(client: WebClient, row: OutboundMessage) -> str:
    if row.target_kind == "channel":
        return row.target_id
    opened = client.conversations_open(users=row.target_id)
    return str(opened["channel"]["id"])


def _fail(row: OutboundMessage, code: str, report: DeliveryReport) -> None:
    row.status = "failed"
    row.last_error = code
    report.failed += 1
    report.errors.append(code)
    log.warning("delivery %s to %s failed for good: %s", row.dedupe_key, row.target_id, code)


def _retry_later(row: OutboundMessage, code: str, now: datetime, report: DeliveryReport) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        _fail(row, f"gave up after {row.attempts} attempts: {code}", report)
        return
    delay = BASE_BACKOFF * (2 ** (row.attempts - 1))
    row.status = "pending"
    row.not_before = now + delay * random.uniform(0.8, 1.2)
    row.last_error = code
    report.retrying += 1
    log.info("delivery %s will be retried: %s", row.dedupe_key, code)
