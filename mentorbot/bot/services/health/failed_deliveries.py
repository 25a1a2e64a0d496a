"""A cohort's messages that did not go out: refused by Slack for good, by reason, expired, or
unconfirmed (they may have arrived; Slack's history could not tell, so they were not resent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.message_kinds import Kind
from mentorbot.bot.models import Cohort, OutboundMessage
from mentorbot.bot.outbox import EXPIRED, UNCONFIRMED

# Slack's refusals that mean the person is gone, or the channel is.
PERSON_GONE = frozenset({"account_inactive", "user_not_found", "user_disabled", "users_not_found"})
CHANNEL_GONE = frozenset({"is_archived", "channel_not_found", "not_in_channel"})
# People named among failed deliveries (the rest are counted).
GONE_NAMED = 5


@dataclass(frozen=True)
class FailedDeliveries:
    """Messages about a cohort that did not go out, by reason."""

    person_left: int = 0
    channel_gone: int = 0
    other: int = 0
    people: tuple[str, ...] = ()  # who left (user ids), the first GONE_NAMED
    more_people: int = 0
    expired: int = 0  # their moment came before they could be delivered
    unconfirmed: int = 0  # they may have arrived: not sent again, to send nothing twice

    @property
    def total(self) -> int:
        """All messages that did not go out (or may not have)."""
        return self.person_left + self.channel_gone + self.other + self.expired + self.unconfirmed


def failed_deliveries(
    session: Session, *, team_id: str, cohorts: Sequence[Cohort]
) -> dict[int, FailedDeliveries]:
    """Failed and expired deliveries per cohort: those about the cohort (its pairs' messages,
    its phase notes, its announcements: `cohort_id`), and those about no pair, cohort or
    announcement that were for the cohort's channel."""
    ids = [cohort.id for cohort in cohorts]
    channels = {cohort.channel_id: cohort.id for cohort in cohorts if cohort.channel_id}
    in_channel = and_(
        OutboundMessage.cohort_id.is_(None),
        OutboundMessage.pair_id.is_(None),
        OutboundMessage.kind.is_distinct_from(Kind.ANNOUNCEMENT),
        OutboundMessage.target_kind == "channel",
        OutboundMessage.target_id.in_(list(channels)),
    )
    failed = session.execute(
        select(
            OutboundMessage.cohort_id,
            OutboundMessage.target_kind,
            OutboundMessage.target_id,
            OutboundMessage.last_error,
        )
        .where(
            OutboundMessage.team_id == team_id,
            OutboundMessage.status.in_(("failed", "expired", "unknown")),
            or_(OutboundMessage.cohort_id.in_(ids), in_channel),
        )
        .order_by(OutboundMessage.id)
    ).all()
    found: dict[int, list[tuple[str, str, str]]] = {cohort.id: [] for cohort in cohorts}
    for cohort_id, kind, target, error in failed:
        found[cohort_id if cohort_id is not None else channels[target]].append(
            (kind, target, error or "")
        )
    return {cohort_id: _tally(rows) for cohort_id, rows in found.items()}


def _tally(rows: list[tuple[str, str, str]]) -> FailedDeliveries:
    left = channel = other = expired = unconfirmed = 0
    people: list[str] = []
    for kind, target, error in rows:
        if error == EXPIRED:
            expired += 1
        elif error == UNCONFIRMED:
            unconfirmed += 1
        elif error in PERSON_GONE:
            left += 1
            if kind == "user" and target not in people:
                people.append(target)
        elif error in CHANNEL_GONE:
            channel += 1
        else:
            other += 1
    return FailedDeliveries(
        person_left=left,
        channel_gone=channel,
        other=other,
        people=tuple(people[:GONE_NAMED]),
        more_people=max(0, len(people) - GONE_NAMED),
        expired=expired,
        unconfirmed=unconfirmed,
    )
