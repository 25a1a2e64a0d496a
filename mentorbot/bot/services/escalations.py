"""Escalations: coordinators hear of pairs that have gone quiet, in one note a day at most.

A pair falls due for escalation two cycles of its rhythm (plus the grace days) after it was
last heard from (`Pair.escalate_at`, kept in the past while the quiet spell lasts; a
check-in, a pause's end or a new cadence moves it ahead). Each coordinator gets, at the
first tick of their working day, one DM listing every pair that fell due since their
previous note (`Member.escalations_sent_at`): 138 quiet pairs before a holiday are one
message, not 138. A pair is listed once per quiet spell; a coordinator's own pairs are not
listed to them. Only names and how long a pair has been quiet, never what anyone wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.models import Cohort, Member, Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.coordinators import Coordinator, coordinators_everywhere
from mentorbot.bot.services.languages import speaking_to

# Pairs named in one note (the rest are counted, per cohort, with where to see them all).
NAMED = 25


@dataclass(frozen=True)
class QuietPair:
    """A pair in a coordinator's note: who, in which cohort, quiet for how many weeks."""

    mentor_id: str
    mentee_id: str
    weeks: int


@dataclass(frozen=True)
class CohortQuiet:
    """A cohort's quiet pairs in one note: those named, and how many more."""

    name: str
    pairs: list[QuietPair]
    more: int


def produce_escalations(session: Session, now: datetime) -> int:
    """Queue each coordinator's note of newly quiet pairs, once a day, in their hours."""
    due = [c for c in coordinators_everywhere(session) if _note_due(c, now)]
    outgoing = []
    for coordinator in due:
        quiet = _quiet_pairs(session, coordinator, now)
        _mark_noted(session, coordinator, now)
        if not quiet:
            continue
        today = now.astimezone(coordinator.availability.zone).date()
        with speaking_to(session, team_id=coordinator.team_id, user_id=coordinator.user_id):
            note = escalation_note(session, quiet, now=now)
        outgoing.append(
            Outgoing(
                team_id=coordinator.team_id,
                dedupe_key=message_kinds.escalations(coordinator.user_id, today),
                target_kind="user",
                target_id=coordinator.user_id,
                payload=note,
                not_before=now,
            )
        )
    return enqueue_many(session, outgoing, now=now)


def _note_due(coordinator: Coordinator, now: datetime) -> bool:
    """A coordinator's note is looked at once a day: at the first tick in their hours."""
    person = coordinator.availability
    if not person.allows(now):
        return False
    last = coordinator.escalations_sent_at
    return last is None or last.astimezone(person.zone).date() < now.astimezone(person.zone).date()


def _quiet_pairs(session: Session, coordinator: Coordinator, now: datetime) -> list[Pair]:
    """Active pairs of the coordinator's workspace that fell due since their last note
    (every quiet one, for a coordinator who never had a note), not their own."""
    query = select(Pair).where(
        Pair.team_id == coordinator.team_id,
        Pair.status == "active",
        Pair.escalate_at <= now,
        Pair.mentor_id != coordinator.user_id,
        Pair.mentee_id != coordinator.user_id,
    )
    if coordinator.escalations_sent_at is not None:
        query = query.where(Pair.escalate_at > coordinator.escalations_sent_at)
    return list(session.scalars(query.order_by(Pair.cohort_id, Pair.quiet_since, Pair.id)))


def _mark_noted(session: Session, coordinator: Coordinator, now: datetime) -> None:
    """Remember that the coordinator has heard of every pair due until now."""
    changed = session.execute(
        update(Member)
        .where(Member.team_id == coordinator.team_id, Member.user_id == coordinator.user_id)
        .values(escalations_sent_at=now)
    )
    if not getattr(changed, "rowcount", 0):  # a configured coordinator mentorbot never met
        session.add(
            Member(
                team_id=coordinator.team_id, user_id=coordinator.user_id, escalations_sent_at=now
            )
        )


def escalation_note(session: Session, pairs: Sequence[Pair], *, now: datetime) -> dict[str, object]:
    """The note to a coordinator: quiet pairs by cohort, the first NAMED named."""
    names = dict(
        session.execute(
            select(Cohort.id, Cohort.name).where(Cohort.id.in_({p.cohort_id for p in pairs}))
        ).all()
    )
    by_cohort: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_cohort[pair.cohort_id].append(pair)
    cohorts = []
    room = NAMED
    for cohort_id, found in by_cohort.items():
        named = found[:room]
        room -= len(named)
        cohorts.append(
            CohortQuiet(
                name=names[cohort_id],
                pairs=[QuietPair(p.mentor_id, p.mentee_id, _weeks_quiet(p, now)) for p in named],
                more=len(found) - len(named),
            )
        )
    return render_json("escalations/note.json.j2", cohorts=cohorts, total=len(pairs))


def _weeks_quiet(pair: Pair, now: datetime) -> int:
    """Whole weeks since the pair's last sign of life (at least 1)."""
    if pair.quiet_since is None:
        return 1
    return max(1, (now - pair.quiet_since).days // 7)
