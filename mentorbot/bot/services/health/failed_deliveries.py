"""A cohort's messages that did not go out: refused by Slack for good, by reason, or expired."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Announcement, Cohort, OutboundMessage, Pair
from mentorbot.bot.outbox import EXPIRED

# Slack's refusals that mean the person is gone, or the channel is.
PERSON_GONE = frozenset({"account_inactive", "user_not_found", "user_disabled", "users_not_found"})
CHANNEL_GONE = frozenset({"is_archived", "channel_not_found", "not_in_channel"})
# People named among failed deliveries (the rest are counted).
GONE_NAMED = 5
_PAIR_KEY = re.compile(r":pair(\d+)(?::|$)")
_COHORT_KEY = re.compile(r":cohort(\d+)(?::|$)")
_ANNOUNCEMENT_KEY = re.compile(r"^announcement:(\d+)$")


@dataclass(frozen=True)
class FailedDeliveries:
    """Messages about a cohort that did not go out, by reason."""

    person_left: int = 0
    channel_gone: int = 0
    other: int = 0
    people: tuple[str, ...] = ()  # who left (user ids), the first GONE_NAMED
    more_people: int = 0
    expired: int = 0  # their moment came before they could be delivered

    @property
    def total(self) -> int:
        """All messages that did not go out."""
        return self.person_left + self.channel_gone + self.other + self.expired


def failed_deliveries(
    session: Session, *, team_id: str, cohorts: Sequence[Cohort]
) -> dict[int, FailedDeliveries]:
    """Failed and expired deliveries per cohort, told apart by the message's dedupe key (a
    pair's, a cohort's, an announcement's) or by its channel being the cohort's."""
    failed = session.execute(
        select(
            OutboundMessage.dedupe_key,
            OutboundMessage.target_kind,
            OutboundMessage.target_id,
            OutboundMessage.last_error,
        ).where(
            OutboundMessage.team_id == team_id,
            OutboundMessage.status.in_(("failed", "expired")),
        )
    ).all()
    ids = {cohort.id for cohort in cohorts}
    found: dict[int, list[tuple[str, str, str]]] = {cohort.id: [] for cohort in cohorts}
    if failed:
        pair_cohort = dict(
            session.execute(
                select(Pair.id, Pair.cohort_id).where(
                    Pair.team_id == team_id, Pair.cohort_id.in_(ids)
                )
            ).all()
        )
        announced = [int(m.group(1)) for key, *_ in failed if (m := _ANNOUNCEMENT_KEY.match(key))]
        announcement_cohort = (
            dict(
                session.execute(
                    select(Announcement.id, Announcement.cohort_id).where(
                        Announcement.team_id == team_id, Announcement.id.in_(announced)
                    )
                ).all()
            )
            if announced
            else {}
        )
        channels = {cohort.channel_id: cohort.id for cohort in cohorts if cohort.channel_id}
        for key, kind, target, error in failed:
            cohort_id = None
            if m := _PAIR_KEY.search(key):
                cohort_id = pair_cohort.get(int(m.group(1)))
            elif m := _COHORT_KEY.search(key):
                cohort_id = int(m.group(1))
            elif m := _ANNOUNCEMENT_KEY.match(key):
                cohort_id = announcement_cohort.get(int(m.group(1)))
            elif kind == "channel":
                cohort_id = channels.get(target)
            if cohort_id in found:
                found[cohort_id].append((kind, target, error or ""))
    return {cohort_id: _tally(rows) for cohort_id, rows in found.items()}


def _tally(rows: list[tuple[str, str, str]]) -> FailedDeliveries:
    left = channel = other = expired = 0
    people: list[str] = []
    for kind, target, error in rows:
        if error == EXPIRED:
            expired += 1
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
    )
