"""Cohort health: the figures coordinators watch, computed in one place.

The App Home, `/mentoring status`, the weekly digest and the report (CSV and chart) all read
their figures from here. Everything is engagement, never content: the queries below read
check-ins' dates and ratings, goals' statuses, concerns' counts and feedback scores, and no
column anyone wrote in (check-in text, concern text, feedback comments) is ever selected.

Definitions (the templates say the same in coordinators' words):

- **Pairs**: active, paused and ended, by their status now.
- **Check-in rate, last 4 weeks**: each active pair is expected to check in once per cycle
  of its cadence (weekly: 4 cycles in 28 days, every two weeks: 2, monthly: 1); cycles are
  counted back from now, only whole ones since the pair was formed. A cycle counts as met
  when the pair (either person) checked in during it. The rate is met cycles over expected
  ones, across the cohort's active pairs; paused and ended pairs are left out.
- **At risk**: a live pair with any of
  *quiet*: active and no check-in for two cycles of its cadence since it was formed, last
  checked in, or came back from a pause (`Pair.quiet_since`);
  *low ratings*: its latest rating is 2 or less, or the average of its last three is;
  *concerns*: a concern about it is still open.
- **Goals**: done out of all goals set, dropped ones left out.
- **Feedback**: the results of the latest closed survey round (`feedback.visible_results`),
  numbers only, withheld below its anonymity threshold (MIN_GROUP people with scores);
  and the round still open, whose results come when it closes.
- **Failed deliveries**: messages about the cohort that did not go out, by reason: Slack
  refused them for good (the person left, deactivated or gone; the channel was archived or
  closed to mentorbot; other), or they expired: their moment (a meeting, a due date) came
  before they could reach their reader in working hours.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, NotAllowed, NotFound
from mentorbot.bot.models import (
    Announcement,
    CheckIn,
    Cohort,
    Concern,
    Goal,
    Member,
    OutboundMessage,
    Pair,
)
from mentorbot.bot.outbox import EXPIRED, enqueue_many
from mentorbot.bot.services.cohorts import (
    CADENCES,
    LIVE_PAIR,
    find_cohort,
    list_cohorts,
    workspace_zone,
)
from mentorbot.bot.services.feedback import CohortFeedback, cohort_feedback
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.nudges import CYCLES_BEFORE_ESCALATION, nudge_message

WINDOW = timedelta(days=28)
# A rating this low (out of 5), latest or averaged over the last few, puts a pair at risk.
LOW_RATING = 2
RATINGS_AVERAGED = 3
# Slack's refusals that mean the person is gone, or the channel is.
PERSON_GONE = frozenset({"account_inactive", "user_not_found", "user_disabled", "users_not_found"})
CHANNEL_GONE = frozenset({"is_archived", "channel_not_found", "not_in_channel"})
# People named among failed deliveries (the rest are counted).
GONE_NAMED = 5
_PAIR_KEY = re.compile(r":pair(\d+)(?::|$)")
_COHORT_KEY = re.compile(r":cohort(\d+)(?::|$)")
_ANNOUNCEMENT_KEY = re.compile(r"^announcement:(\d+)$")


@dataclass(frozen=True)
class Risk:
    """Why a pair may need help: `kind` is quiet, low_rating or concern.

    quiet: `weeks` without a check-in; low_rating: `rating` (the latest) and `average` (of
    the last three); concern: `count` open concerns.
    """

    kind: str
    weeks: int = 0
    rating: int | None = None
    average: float | None = None
    count: int = 0


@dataclass(frozen=True)
class PairEngagement:
    """One pair's engagement figures (no text anyone wrote)."""

    pair_id: int
    team_id: str
    cohort_id: int
    cohort_name: str
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    status: str
    cadence: str
    paired_on: date
    ended_on: date | None
    checkins: int
    checkins_recent: int
    last_checkin: datetime | None
    average_rating: float | None
    goals_open: int
    goals_done: int
    meetings_checked_in: int
    next_meeting_at: datetime | None
    open_concerns: int
    risks: tuple[Risk, ...]

    @property
    def at_risk(self) -> bool:
        """True when the pair may need a coordinator's help."""
        return bool(self.risks)

    @property
    def quiet(self) -> bool:
        """True when the pair is at risk for being quiet (a nudge fits)."""
        return any(risk.kind == "quiet" for risk in self.risks)


@dataclass(frozen=True)
class CheckinRate:
    """Cycles in the last 4 weeks in which active pairs checked in, out of those expected."""

    met: int
    expected: int

    @property
    def percent(self) -> int | None:
        """The rate in whole percent; None when no check-in was expected yet."""
        return round(100 * self.met / self.expected) if self.expected else None


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


@dataclass(frozen=True)
class CohortHealth:
    """A cohort's health, as coordinators see it."""

    cohort: Cohort
    active: int
    paused: int
    ended: int
    proposed: int
    rate: CheckinRate
    at_risk: list[PairEngagement]
    goals_done: int
    goals_total: int
    feedback: CohortFeedback
    failed: FailedDeliveries
    # Pairs a coordinator nudged today (their button shows that instead).
    nudged_today: frozenset[int] = field(default_factory=frozenset)


# -- which cohorts -----------------------------------------------------------------------------


def cohorts_for(session: Session, *, team_id: str, name: str | None) -> list[Cohort]:
    """The cohort named (any case; NotFound lists the known names), else every running one."""
    name = (name or "").strip()
    if name.lower().startswith("cohort "):
        name = name[len("cohort ") :].strip()
    if name:
        return [find_cohort(session, team_id=team_id, name=name)]
    return list_cohorts(session, team_id=team_id, include_ended=False)


# -- the figures -------------------------------------------------------------------------------


def cohort_health(
    session: Session, *, cohorts: Sequence[Cohort], now: datetime, viewer: str | None = None
) -> list[CohortHealth]:
    """Each cohort's figures as of `now` (cohorts of one workspace), as `viewer` sees them.

    A coordinator who is in a pair themselves never sees that pair on its own (its ratings
    and concerns are the other person's): it counts in the totals, not among the pairs at
    risk. Concerns reach coordinators outside the pair only, and so do their counts.
    """
    if not cohorts:
        return []
    team_id = cohorts[0].team_id
    feedback = {
        found.cohort.id: found
        for found in cohort_feedback(session, cohorts=cohorts, now=now, comments=False)
    }
    failed = failed_deliveries(session, team_id=team_id, cohorts=cohorts)
    found = []
    for cohort in cohorts:
        data = _load(session, cohort=cohort, pair_ids=None)
        rows = _rows(data, now)
        by_status = Counter(row.status for row in rows)
        goals: Counter[str] = Counter()
        for (_pair_id, status), count in data.goals.items():
            goals[status] += count
        at_risk = sorted(
            (row for row in rows if row.at_risk and not _in_pair(row, viewer)),
            key=lambda row: (-row.open_concerns, -_quiet_weeks(row), row.pair_id),
        )
        found.append(
            CohortHealth(
                cohort=cohort,
                active=by_status["active"],
                paused=by_status["paused"],
                ended=by_status["ended"],
                proposed=by_status["proposed"],
                rate=_rate(data, now),
                at_risk=at_risk,
                goals_done=goals["done"],
                goals_total=goals["done"] + goals["open"],
                feedback=feedback[cohort.id],
                failed=failed[cohort.id],
                nudged_today=nudged_today(
                    session, team_id=team_id, pair_ids=[r.pair_id for r in at_risk], now=now
                ),
            )
        )
    return found


def _quiet_weeks(row: PairEngagement) -> int:
    return max((risk.weeks for risk in row.risks if risk.kind == "quiet"), default=0)


def engagement(
    session: Session,
    *,
    cohort: Cohort,
    now: datetime,
    pair_ids: Iterable[int] | None = None,
    viewer: str | None = None,
) -> list[PairEngagement]:
    """Per-pair engagement of the cohort's pairs (every status), oldest pair first; without
    the pairs `viewer` is in."""
    rows = _rows(_load(session, cohort=cohort, pair_ids=pair_ids), now)
    return [row for row in rows if not _in_pair(row, viewer)]


def _in_pair(row: PairEngagement, viewer: str | None) -> bool:
    return viewer is not None and viewer in (row.mentor_id, row.mentee_id)


@dataclass(frozen=True)
class _CohortData:
    """What the figures are made of, read in five queries: no text anyone wrote."""

    cohort: Cohort
    pairs: list[Pair]
    checkins: dict[int, list[tuple[datetime, int | None]]]  # oldest first
    goals: dict[tuple[int, str], int]
    concerns: dict[int, int]
    names: dict[str, str]


def _load(session: Session, *, cohort: Cohort, pair_ids: Iterable[int] | None) -> _CohortData:
    query = select(Pair).where(Pair.team_id == cohort.team_id, Pair.cohort_id == cohort.id)
    if pair_ids is not None:
        query = query.where(Pair.id.in_(list(pair_ids)))
    pairs = list(session.scalars(query.order_by(Pair.created_at, Pair.id)))
    ids = [pair.id for pair in pairs]
    checkins: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
    goals: dict[tuple[int, str], int] = {}
    if ids:
        # Dates and ratings only: never the text.
        for pair_id, created_at, rating in session.execute(
            select(CheckIn.pair_id, CheckIn.created_at, CheckIn.rating)
            .where(CheckIn.team_id == cohort.team_id, CheckIn.pair_id.in_(ids))
            .order_by(CheckIn.created_at, CheckIn.id)
        ):
            checkins[pair_id].append((created_at, None if rating is None else int(rating)))
        goals = {
            (pair_id, status): int(count)
            for pair_id, status, count in session.execute(
                select(Goal.pair_id, Goal.status, func.count())
                .where(Goal.team_id == cohort.team_id, Goal.pair_id.in_(ids))
                .group_by(Goal.pair_id, Goal.status)
            )
        }
    people = {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs}
    return _CohortData(
        cohort=cohort,
        pairs=pairs,
        checkins=checkins,
        goals=goals,
        concerns=_open_concerns(session, team_id=cohort.team_id, pair_ids=ids) if ids else {},
        names=member_names(session, team_id=cohort.team_id, user_ids=people) if ids else {},
    )


def _rows(data: _CohortData, now: datetime) -> list[PairEngagement]:
    rows = []
    for pair in data.pairs:
        seen = [at for at, _rating in data.checkins[pair.id]]
        rated = [rating for _at, rating in data.checkins[pair.id] if rating is not None]
        concerns = data.concerns.get(pair.id, 0)
        rows.append(
            PairEngagement(
                pair_id=pair.id,
                team_id=pair.team_id,
                cohort_id=data.cohort.id,
                cohort_name=data.cohort.name,
                mentor_id=pair.mentor_id,
                mentor_name=data.names.get(pair.mentor_id) or pair.mentor_id,
                mentee_id=pair.mentee_id,
                mentee_name=data.names.get(pair.mentee_id) or pair.mentee_id,
                status=pair.status,
                cadence=pair.cadence,
                paired_on=pair.created_at.date(),
                ended_on=pair.ended_at.date() if pair.ended_at else None,
                checkins=len(seen),
                checkins_recent=sum(1 for at in seen if now - WINDOW < at <= now),
                last_checkin=seen[-1] if seen else None,
                average_rating=round(sum(rated) / len(rated), 1) if rated else None,
                goals_open=data.goals.get((pair.id, "open"), 0),
                goals_done=data.goals.get((pair.id, "done"), 0),
                meetings_checked_in=pair.meetings_checked_in,
                next_meeting_at=pair.next_meeting_at if pair.status == "active" else None,
                open_concerns=concerns,
                risks=risks_of(pair, rated, concerns, now),
            )
        )
    return rows


def risks_of(
    pair: Pair, ratings: Sequence[int], open_concerns: int, now: datetime
) -> tuple[Risk, ...]:
    """Why a live pair may need help (none for an ended pair); `ratings` oldest first."""
    if pair.status not in LIVE_PAIR:
        return ()
    found = []
    cycle = CADENCES.get(pair.cadence, CADENCES["biweekly"])
    quiet_for = now - pair.quiet_since if pair.quiet_since else timedelta(0)
    if pair.status == "active" and quiet_for >= CYCLES_BEFORE_ESCALATION * cycle:
        found.append(Risk("quiet", weeks=quiet_for.days // 7))
    if ratings:
        last = ratings[-RATINGS_AVERAGED:]
        average = round(sum(last) / len(last), 1)
        if ratings[-1] <= LOW_RATING or average <= LOW_RATING:
            found.append(Risk("low_rating", rating=ratings[-1], average=average))
    if open_concerns:
        found.append(Risk("concern", count=open_concerns))
    return tuple(found)


def _rate(data: _CohortData, now: datetime) -> CheckinRate:
    """Met cycles over expected ones in the last 4 weeks, across the active pairs."""
    since = now - WINDOW
    met = expected = 0
    for pair in data.pairs:
        if pair.status != "active" or pair.created_at > now:
            continue
        cycle = CADENCES.get(pair.cadence, CADENCES["biweekly"])
        cycles = int((now - max(since, pair.created_at)) // cycle)
        expected += cycles
        seen = [at for at, _rating in data.checkins[pair.id]]
        for index in range(cycles):
            end = now - index * cycle
            met += any(end - cycle < at <= end for at in seen)
    return CheckinRate(met, expected)


def weekly_checkins(session: Session, *, cohort: Cohort, now: datetime) -> list[tuple[date, int]]:
    """Check-ins per ISO week (its Monday, in the workspace's time zone) from the cohort's
    start to today or its end, whichever comes first; weeks without any count 0."""
    zone = workspace_zone(session, cohort.team_id)
    last = min(now.astimezone(zone).date(), cohort.ends_on)
    first_monday = _monday(cohort.starts_on)
    weeks = {}
    monday = first_monday
    while monday <= last:
        weeks[monday] = 0
        monday += timedelta(weeks=1)
    for (created_at,) in session.execute(
        select(CheckIn.created_at)
        .join(Pair, Pair.id == CheckIn.pair_id)
        .where(CheckIn.team_id == cohort.team_id, Pair.cohort_id == cohort.id)
    ):
        week = _monday(created_at.astimezone(zone).date())
        if week in weeks:
            weeks[week] += 1
    return sorted(weeks.items())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


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


def _open_concerns(session: Session, *, team_id: str, pair_ids: list[int]) -> dict[int, int]:
    """Open concerns per pair (counted, never read)."""
    return {
        int(pair_id): int(count)
        for pair_id, count in session.execute(
            select(Concern.pair_id, func.count())
            .where(
                Concern.team_id == team_id,
                Concern.pair_id.in_(pair_ids),
                Concern.status == "open",
            )
            .group_by(Concern.pair_id)
        )
        if pair_id is not None
    }


def member_names(session: Session, *, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """Cached Slack names of these people (those known)."""
    return {
        user_id: name
        for user_id, name in session.execute(
            select(Member.user_id, Member.name).where(
                Member.team_id == team_id, Member.user_id.in_(set(user_ids))
            )
        )
        if name
    }


# -- one pair, and nudging it ------------------------------------------------------------------


def pair_engagement(
    session: Session, *, team_id: str, pair_id: int, now: datetime, viewer: str | None = None
) -> PairEngagement:
    """One pair's figures (the App Home's "Open" button); NotFound when it is not there,
    NotAllowed when `viewer` is in it."""
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    cohort = session.get(Cohort, pair.cohort_id)
    if cohort is None:
        raise NotFound("health/pair_gone")
    if viewer in (pair.mentor_id, pair.mentee_id):
        raise NotAllowed("health/own_pair")
    [row] = engagement(session, cohort=cohort, now=now, pair_ids=[pair.id])
    return row


def nudge_key(pair_id: int, day: date) -> str:
    """The dedupe key of a coordinator's nudge: one a pair a day, whoever presses."""
    return f"nudge:pair{pair_id}:asked{day:%Y%m%d}"


def nudge_pair(session: Session, *, team_id: str, pair_id: int, now: datetime) -> tuple[Pair, bool]:
    """Queue the friendly nudge to a quiet pair's mentee; False when one was queued today.

    The words are the automatic nudge's. Only an active pair is nudged (a paused one is on
    a break, an ended one is over).
    """
    pair = of_workspace(session, Pair, pair_id, team_id=team_id)
    if pair.status != "active":
        raise BadInput(
            "health/not_active", mentor=pair.mentor_id, mentee=pair.mentee_id, status=pair.status
        )
    day = _today(session, team_id, now)
    queued = enqueue_many(session, [nudge_message(pair, nudge_key(pair.id, day), now)], now=now)
    return pair, queued == 1


def nudged_today(
    session: Session, *, team_id: str, pair_ids: Sequence[int], now: datetime
) -> frozenset[int]:
    """Which of these pairs a coordinator nudged today (workspace time zone)."""
    if not pair_ids:
        return frozenset()
    day = _today(session, team_id, now)
    keys = {nudge_key(pair_id, day): pair_id for pair_id in pair_ids}
    found = session.scalars(
        select(OutboundMessage.dedupe_key).where(
            OutboundMessage.team_id == team_id, OutboundMessage.dedupe_key.in_(list(keys))
        )
    )
    return frozenset(keys[key] for key in found)


def _today(session: Session, team_id: str, now: datetime) -> date:
    zone: ZoneInfo = workspace_zone(session, team_id)
    return now.astimezone(zone).date()
