"""The weekly digest: each coordinator hears on Monday at 09:00, in their own time zone, what
changed in the programme over the last 7 days and which pairs need attention.

One DM per coordinator per ISO week of their own calendar (key
`digest:<user>:<iso-year>-W<week>`): due from Monday 09:00 of that week, so a digest missed
while mentorbot was down goes out later the same week (until Friday ends), never twice. The
outbox then holds it until the coordinator's working hours. Workspaces without a cohort to
speak of (running, or ended in the last 7 days) send none.

The tick runs this every minute, so a quiet minute costs a fixed handful of small queries
whatever the number of workspaces: workspaces, coordinators with their time zones, and this
week's digest keys. Figures are only computed for a workspace when a digest is due there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.message_kinds import MessageKey
from mentorbot.bot.models import (
    CheckIn,
    Cohort,
    Concern,
    Goal,
    OutboundMessage,
    Pair,
)
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.coordinators import coordinators_everywhere
from mentorbot.bot.services.feedback import MIN_GROUP
from mentorbot.bot.services.health import CohortHealth, cohort_health
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.working_hours import wall_clock

DIGEST_WEEKDAY = 0  # Monday
DIGEST_AT = time(9, 0)
SINCE = timedelta(days=7)
# A digest missed on Monday (mentorbot was down) still goes out until Saturday 00:00 (days
# after Monday); after that the next one is close.
LATE_UNTIL = timedelta(days=5)
# Pairs needing attention listed in a digest (the rest are counted).
ATTENTION_SHOWN = 10


@dataclass(frozen=True)
class Changes:
    """What happened in a cohort over the digest's 7 days (counts only)."""

    new_pairs: int = 0
    ended_pairs: int = 0
    checkins: int = 0
    goals_done: int = 0
    concerns: int = 0
    phase: str | None = None  # the phase the cohort entered, when it changed phase

    @property
    def any(self) -> bool:
        """True when something changed."""
        return bool(
            self.new_pairs
            or self.ended_pairs
            or self.checkins
            or self.goals_done
            or self.concerns
            or self.phase
        )


@dataclass(frozen=True)
class Due:
    """A coordinator whose digest for this week is due."""

    team_id: str
    user_id: str
    zone: ZoneInfo
    key: MessageKey
    due_at: datetime
    latest: datetime  # a digest not delivered by then is last week's news


def digest_week(zone: ZoneInfo, now: datetime) -> tuple[str, datetime, datetime]:
    """This week's label (`2027-W10`) on the clock of `zone`, when its digest is due (Monday
    09:00 there) and until when a late one still goes out (the end of Friday), as UTC."""
    today = now.astimezone(zone).date()
    year, week, weekday = today.isocalendar()
    monday = today - timedelta(days=weekday - 1)
    return (
        f"{year}-W{week:02d}",
        wall_clock(monday + timedelta(days=DIGEST_WEEKDAY), DIGEST_AT, zone),
        wall_clock(monday + LATE_UNTIL, time(0), zone),
    )


def produce_digests(session: Session, now: datetime) -> int:
    """Queue each coordinator's weekly digest once it is due and not queued yet."""
    due = digests_due(session, now)
    if not due:
        return 0
    by_team: dict[str, list[Due]] = defaultdict(list)
    for item in due:
        by_team[item.team_id].append(item)
    outgoing: list[Outgoing] = []
    for team_id, people in sorted(by_team.items()):
        cohorts = digest_cohorts(session, team_id=team_id, now=now)
        if not cohorts:
            continue
        # A programme that began after this week's digest time waits for next Monday: a late
        # digest is for one missed while mentorbot was down, not for a week not yet begun.
        began = min(cohort.created_at for cohort in cohorts)
        for person in people:
            if person.due_at < began:
                continue
            # As the person may see them: not their own pair's details (see cohort_health).
            health = cohort_health(session, cohorts=cohorts, now=now, viewer=person.user_id)
            changes = weekly_changes(session, cohorts=cohorts, now=now, viewer=person.user_id)
            with speaking_to(session, team_id=team_id, user_id=person.user_id):
                digest = digest_message(health, changes, zone=person.zone, now=now)
            outgoing.append(
                Outgoing(
                    team_id=team_id,
                    dedupe_key=person.key,
                    target_kind="user",
                    target_id=person.user_id,
                    payload=digest,
                    not_before=now,
                    expires_at=person.latest,
                )
            )
    return enqueue_many(session, outgoing, now=now)


def digests_due(session: Session, now: datetime) -> list[Due]:
    """Coordinators of every workspace whose digest for their current week is due at `now`
    and not queued yet (three or four queries, plus one for the keys when any is due)."""
    candidates = []
    for coordinator in coordinators_everywhere(session):
        zone = coordinator.availability.zone
        week, due_at, latest = digest_week(zone, now)
        if due_at <= now < latest:
            key = message_kinds.digest(coordinator.user_id, week)
            candidates.append(
                Due(coordinator.team_id, coordinator.user_id, zone, key, due_at, latest)
            )
    if not candidates:
        return []
    keys: dict[str, list[str]] = defaultdict(list)
    for item in candidates:
        keys[item.team_id].append(item.key.text)
    queued = set(
        session.execute(
            select(OutboundMessage.team_id, OutboundMessage.dedupe_key).where(
                or_(
                    *(
                        and_(OutboundMessage.team_id == team_id, OutboundMessage.dedupe_key.in_(ks))
                        for team_id, ks in keys.items()
                    )
                )
            )
        ).all()
    )
    return [item for item in candidates if (item.team_id, item.key.text) not in queued]


def digest_cohorts(session: Session, *, team_id: str, now: datetime) -> list[Cohort]:
    """The cohorts a digest speaks of: running ones, and those that ended in the last 7 days."""
    return list(
        session.scalars(
            select(Cohort)
            .where(
                Cohort.team_id == team_id,
                or_(Cohort.phase != "ended", Cohort.phase_changed_at > now - SINCE),
            )
            .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        )
    )


def weekly_changes(
    session: Session, *, cohorts: Sequence[Cohort], now: datetime, viewer: str | None = None
) -> dict[int, Changes]:
    """What changed in each cohort in the 7 days to `now` (counts; no text is read).

    Concerns about a pair `viewer` is in are not counted: those go to other coordinators.
    """
    if not cohorts:
        return {}
    team_id = cohorts[0].team_id
    ids = [cohort.id for cohort in cohorts]
    since = now - SINCE

    def per_cohort(model: Any, moment: Any, *extra: Any) -> dict[int, int]:
        query = (
            select(Pair.cohort_id, func.count())
            .select_from(model)
            .join(Pair, Pair.id == model.pair_id)
            .where(model.team_id == team_id, Pair.cohort_id.in_(ids))
            .where(moment > since, moment <= now, *extra)
            .group_by(Pair.cohort_id)
        )
        return {int(cohort_id): int(count) for cohort_id, count in session.execute(query)}

    def pairs_by(moment: Any) -> dict[int, int]:
        query = (
            select(Pair.cohort_id, func.count())
            .where(Pair.team_id == team_id, Pair.cohort_id.in_(ids))
            .where(moment > since, moment <= now)
            .group_by(Pair.cohort_id)
        )
        return {int(cohort_id): int(count) for cohort_id, count in session.execute(query)}

    new_pairs = pairs_by(Pair.created_at)
    ended = pairs_by(Pair.ended_at)
    checkins = per_cohort(CheckIn, CheckIn.created_at)
    goals = per_cohort(Goal, Goal.completed_at, Goal.status == "done")
    concerns = per_cohort(
        Concern,
        Concern.created_at,
        *((Pair.mentor_id != viewer, Pair.mentee_id != viewer) if viewer is not None else ()),
    )
    return {
        cohort.id: Changes(
            new_pairs=new_pairs.get(cohort.id, 0),
            ended_pairs=ended.get(cohort.id, 0),
            checkins=checkins.get(cohort.id, 0),
            goals_done=goals.get(cohort.id, 0),
            concerns=concerns.get(cohort.id, 0),
            phase=cohort.phase
            if cohort.phase_changed_at is not None and since < cohort.phase_changed_at <= now
            else None,
        )
        for cohort in cohorts
    }


def digest_message(
    health: Sequence[CohortHealth], changes: dict[int, Changes], *, zone: ZoneInfo, now: datetime
) -> Any:
    """The digest DM for one reader."""
    attention = [(item.cohort, pair) for item in health for pair in item.at_risk]
    # Those not listed, counted per cohort: the pointer names what lists each cohort's.
    more: dict[str, int] = {}
    for cohort, _pair in attention[ATTENTION_SHOWN:]:
        more[cohort.name] = more.get(cohort.name, 0) + 1
    return render_json(
        "digest/digest.json.j2",
        health=health,
        changes=changes,
        attention=attention[:ATTENTION_SHOWN],
        attention_more=sum(more.values()),
        more_by_cohort=list(more.items()),
        since=(now - SINCE).astimezone(zone).date(),
        today=now.astimezone(zone).date(),
        zone=zone,
        min_group=MIN_GROUP,
    )
