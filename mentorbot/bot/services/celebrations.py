"""Milestone celebrations (a tick producer): first check-in, every fifth meeting checked in,
one and three months together, a goal done, and a win the mentee logs.

Services record a milestone when it happens; the tick celebrates each one once, in the
pair's group DM, with wording that never repeats the pair's previous celebration of its
kind. A mentee may share a win in the cohort's channel, each time they choose to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Literal

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.db import dialect_insert
from mentorbot.bot.errors import BadInput, Example, NotAllowed, NotFound
from mentorbot.bot.models import CheckIn, Cohort, Goal, Milestone, Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many, to_pair
from mentorbot.bot.rendering import environment, render_json
from mentorbot.bot.services.languages import speaking_to_all, speaking_to_pair
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.timeutil import add_months
from mentorbot.bot.usertext import clean_user_text

# Every this many meetings checked in is a milestone.
MEETINGS_STEP = 5
# "Months together" celebrations, counted from pairing.
MONTHS_TOGETHER = (1, 3)
MAX_WIN = 1000
WIN_EXAMPLE = Example("celebrations/win")
# Pair ids per IN (…) list when reading many pairs' earlier celebrations.
CHUNK = 500

ShareOutcome = Literal["shared", "already", "no_channel"]


@dataclass(frozen=True)
class SharedWin:
    """What pressing "share" on a win did, and where it went."""

    milestone: Milestone
    channel_id: str | None
    outcome: ShareOutcome


# -- recording: services call these when something worth celebrating happens ----------------


def first_anniversary(created_at: datetime) -> datetime:
    """When a pair paired at `created_at` first celebrates its months together."""
    return add_months(created_at, MONTHS_TOGETHER[0])


def latest_meeting(pair: Pair, now: datetime) -> datetime | None:
    """The pair's latest meeting that has begun by `now`, if any.

    The tick moves an active pair on an hour after its meeting; a check-in in that hour is
    about the meeting that just happened, so it counts that one.
    """
    coming = pair.next_meeting_at
    if pair.status == "active" and coming is not None and coming <= now:
        return coming
    return pair.last_meeting_at


# Built once, run with parameters, as every check-in asks (see pairs._ACTIVE_PAIRS).
_ANY_CHECKIN = select(exists().where(CheckIn.pair_id == bindparam("pair_id")))


def note_checkin(session: Session, *, pair: Pair, now: datetime) -> None:
    """A check-in is about to be added (and the pair's quiet clock to move for it): the pair's
    first ever is a milestone, and the first since a meeting counts that meeting.

    "First since the meeting" is read from the quiet clock, not from the check-ins: undoing
    a check-in leaves the clock where it was, so a new check-in after an undo does not count
    the meeting again. (The end of a pause moves the clock too: a meeting nobody checked in
    on before a pause stays uncounted.) One conditional UPDATE keeps two check-ins at once
    from both counting.
    """
    if not session.scalar(_ANY_CHECKIN, {"pair_id": pair.id}):
        _record(session, pair, "first_checkin", "", now=now)
    meeting = latest_meeting(pair, now)
    if meeting is None:
        return  # no meeting has passed yet
    counted = session.execute(
        update(Pair)
        .where(
            Pair.id == pair.id,
            or_(Pair.quiet_since.is_(None), Pair.quiet_since < meeting),
        )
        .values(meetings_checked_in=Pair.meetings_checked_in + 1)
        .returning(Pair.meetings_checked_in)
    ).scalar_one_or_none()
    if counted is not None and counted % MEETINGS_STEP == 0:
        _record(session, pair, "meetings", str(counted), now=now)


def note_goal_done(session: Session, *, pair: Pair, goal: Goal, now: datetime) -> None:
    """The mentee marked a goal done: a milestone that names it."""
    _record(session, pair, "goal", str(goal.id), now=now, detail=goal.title)


def log_win(session: Session, *, pair: Pair, text: str, now: datetime) -> Milestone:
    """The mentee logs a win (`/checkin win …`); the pair celebrates it on the next tick."""
    text = clean_user_text(text)
    if not text:
        raise BadInput("celebrations/no_win", example=WIN_EXAMPLE)
    if len(text) > MAX_WIN:
        raise BadInput(
            "celebrations/too_long", length=len(text), limit=MAX_WIN, example=WIN_EXAMPLE
        )
    # The same words twice are the same win: it is celebrated once.
    key = hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()
    milestone_id = _record(session, pair, "win", key, now=now, detail=text)
    if milestone_id is None:
        raise BadInput("celebrations/logged")
    milestone = session.get(Milestone, milestone_id)
    assert milestone is not None
    return milestone


def cohort_channel(session: Session, pair: Pair) -> str | None:
    """The channel of the pair's cohort, where a mentee may share a win (None without one)."""
    return session.scalar(select(Cohort.channel_id).where(Cohort.id == pair.cohort_id))


def share_win(
    session: Session, *, team_id: str, milestone_id: int, user_id: str, now: datetime
) -> SharedWin:
    """Post a win in the cohort's channel, because its mentee pressed "share" (once only)."""
    milestone = of_workspace(session, Milestone, milestone_id, team_id=team_id)
    pair = session.get(Pair, milestone.pair_id)
    if milestone.kind != "win" or pair is None:
        raise NotFound("celebrations/gone")
    if user_id != pair.mentee_id:
        raise NotAllowed("celebrations/mentee_only", mentee=pair.mentee_id)
    channel_id = cohort_channel(session, pair)
    if milestone.shared_at is not None:
        return SharedWin(milestone, channel_id, "already")
    if channel_id is None:
        return SharedWin(milestone, None, "no_channel")
    milestone.shared_at = now
    with speaking_to_all():
        post = render_json("celebrations/win_post.json.j2", pair=pair, milestone=milestone)
    enqueue_many(
        session,
        [
            Outgoing(
                team_id=pair.team_id,
                dedupe_key=message_kinds.win_share(pair, milestone),
                target_kind="channel",
                target_id=channel_id,
                payload=post,
                not_before=now,
            )
        ],
        now=now,
    )
    return SharedWin(milestone, channel_id, "shared")


def _record(
    session: Session, pair: Pair, kind: str, key: str, *, now: datetime, detail: str | None = None
) -> int | None:
    """Record a milestone unless the pair has it already (or has ended); returns its new id."""
    if pair.status == "ended":
        return None
    insert = dialect_insert(session)
    statement = (
        insert(Milestone)
        .values(
            team_id=pair.team_id,
            pair_id=pair.id,
            kind=kind,
            key=key,
            detail=detail,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Milestone.id)
    )
    return session.execute(statement).scalar_one_or_none()


# -- the tick: months together, then every milestone not celebrated yet ----------------------


def produce_celebrations(session: Session, now: datetime) -> int:
    """Celebrate the milestones that are due; returns how many messages were queued.

    Only active pairs: a paused pair's milestones wait for its return, an ended pair's are
    never celebrated.
    """
    _record_months_together(session, now)
    due = session.execute(
        select(Milestone, Pair)
        .join(Pair, (Pair.id == Milestone.pair_id) & (Pair.team_id == Milestone.team_id))
        .where(Milestone.celebrated_at.is_(None), Pair.status == "active")
        .order_by(Milestone.id)
    ).all()
    if not due:
        return 0
    latest = _latest_variants(session, {pair.id for _, pair in due})
    outgoing = []
    for milestone, pair in due:
        count = variants_of(milestone.kind)
        previous = latest.get((pair.id, milestone.kind))
        variant = (previous + 1) % count if previous is not None else pair.id % count
        latest[(pair.id, milestone.kind)] = variant
        milestone.variant = variant
        milestone.celebrated_at = now
        with speaking_to_pair(session, pair):
            payload = render_json(
                "celebrations/celebration.json.j2", pair=pair, milestone=milestone, variant=variant
            )
        outgoing.append(to_pair(pair, message_kinds.celebration(pair, milestone), payload, now))
    return enqueue_many(session, outgoing, now=now)


def _record_months_together(session: Session, now: datetime) -> None:
    """Active pairs whose next "months together" is due get it as a milestone.

    After downtime or a pause, only the latest one that has come is celebrated.
    """
    for pair in session.scalars(
        select(Pair).where(Pair.status == "active", Pair.anniversary_at <= now)
    ).all():
        reached = [n for n in MONTHS_TOGETHER if add_months(pair.created_at, n) <= now]
        ahead = [add_months(pair.created_at, n) for n in MONTHS_TOGETHER if n not in reached]
        pair.anniversary_at = ahead[0] if ahead else None
        if reached:
            _record(session, pair, "months", str(reached[-1]), now=now)


def _latest_variants(session: Session, pair_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """The wording each pair's latest celebration of each kind used."""
    ids = sorted(pair_ids)
    latest: dict[tuple[int, str], int] = {}
    for first in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Milestone.pair_id, Milestone.kind, Milestone.variant)
            .where(
                Milestone.pair_id.in_(ids[first : first + CHUNK]),
                Milestone.celebrated_at.is_not(None),
            )
            .order_by(Milestone.celebrated_at, Milestone.id)
        )
        for pair_id, kind, variant in rows:
            if variant is not None:
                latest[(pair_id, kind)] = variant
    return latest


@cache
def variants_of(kind: str) -> int:
    """How many wordings `templates/celebrations/<kind>.j2` offers."""
    module = environment().get_template(f"celebrations/{kind}.j2").module
    return len(module.variants)  # type: ignore[attr-defined]
