"""A cohort's phases by its dates: kickoff → active → midpoint → closing → ended.

Each cohort carries when it enters its next phase and when coordinators next get a
heads-up (a week before a phase), so the tick only reads cohorts that are due. Entering
the midpoint opens its survey round and sends the survey, entering closing opens the
closing round and sends the closing flow (with its survey), and entering the end ends
every pair. A phase whose successor is also due already (the bot was down,
or the cohort predates phases) is passed without a word.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorbot.bot import message_kinds
from mentorbot.bot.models import Cohort, Pair
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.closing import closing_messages
from mentorbot.bot.services.cohorts import (
    HEADS_UP_BEFORE,
    PHASES,
    first_heads_up,
    phase_dates,
    upcoming_phases,
)
from mentorbot.bot.services.feedback import survey_messages
from mentorbot.bot.services.feedback_rounds import open_round, survey_length
from mentorbot.bot.services.languages import speaking_to
from mentorbot.bot.services.members import list_coordinators
from mentorbot.bot.services.pairs import end_cohort
from mentorbot.bot.services.workspaces import (
    availabilities_for,
    configured_coordinators,
    default_zones,
)

# The pairs a phase reaches: those still meeting, and those on a pause.
REACHED = ("active", "paused")
# How many weeks the heads-up's button adds.
EXTEND_BY_BUTTON = 2


def produce_phases(session: Session, now: datetime) -> int:
    """Move cohorts whose next phase has come on; heads-ups to coordinators a week before."""
    cohorts = session.scalars(
        select(Cohort)
        .where(
            Cohort.phase != "ended",
            or_(Cohort.next_phase_at <= now, Cohort.heads_up_at <= now),
        )
        .order_by(Cohort.id)
    ).all()
    if not cohorts:
        return 0
    zones = default_zones(session, {cohort.team_id for cohort in cohorts})
    queued = 0
    outgoing: list[Outgoing] = []
    for cohort in cohorts:
        zone = zones[cohort.team_id]
        moments = phase_dates(cohort.starts_on, cohort.ends_on, zone)
        if cohort.next_phase_at is not None and cohort.next_phase_at <= now:
            messages, ended_pairs = _advance(session, cohort, moments, now)
            outgoing.extend(messages)
            queued += ended_pairs  # each ended pair got its farewell
        heads_up = cohort.heads_up_at
        if cohort.phase != "ended" and heads_up is not None and heads_up <= now:
            outgoing.extend(_heads_up(session, cohort, moments, now))
    return queued + enqueue_many(session, outgoing, now=now)


def live_pairs(session: Session, cohort: Cohort) -> list[Pair]:
    """The cohort's pairs a phase reaches (active and paused), oldest first."""
    return list(
        session.scalars(
            select(Pair)
            .where(Pair.cohort_id == cohort.id, Pair.status.in_(REACHED))
            .order_by(Pair.id)
        )
    )


def _advance(
    session: Session, cohort: Cohort, moments: dict[str, datetime], now: datetime
) -> tuple[list[Outgoing], int]:
    """Enter the latest phase that is due, passing earlier due ones silently; returns the
    messages entering it sends, and how many pairs ended."""
    index = PHASES.index(cohort.phase)
    entered = None
    while index + 1 < len(PHASES) and moments[PHASES[index + 1]] <= now:
        index += 1
        entered = PHASES[index]
    if entered == "ended":
        return [], end_cohort(session, cohort=cohort, now=now)
    cohort.next_phase_at = moments[PHASES[index + 1]]
    if cohort.heads_up_at is None:
        # A cohort from before phases had none; one whose last heads-up went has none left.
        since = moments.get(cohort.phase if entered is None else entered, now)
        cohort.heads_up_at = first_heads_up(moments, PHASES[index], not_before=min(since, now))
    if entered is None:
        return [], 0  # its dates moved on (an extension): nothing to do yet
    cohort.phase = entered
    cohort.phase_changed_at = now
    if entered == "midpoint":
        survey = open_round(session, cohort=cohort, phase="midpoint", now=now)
        pairs = live_pairs(session, cohort)
        return survey_messages(session, pairs=pairs, survey=survey, now=now), 0
    if entered == "closing":
        survey = open_round(session, cohort=cohort, phase="closing", now=now)
        pairs = live_pairs(session, cohort)
        return closing_messages(session, cohort, pairs, survey=survey, now=now), 0
    return [], 0


def _heads_up(
    session: Session, cohort: Cohort, moments: dict[str, datetime], now: datetime
) -> list[Outgoing]:
    """Tell coordinators what the cohort's next phase brings and when; then aim at the
    phase after it."""
    assert cohort.heads_up_at is not None
    ahead = [
        (phase, moment)
        for phase, moment in upcoming_phases(moments, cohort.phase)
        if moment > now and moment - HEADS_UP_BEFORE >= cohort.heads_up_at
    ]
    cohort.heads_up_at = ahead[1][1] - HEADS_UP_BEFORE if len(ahead) > 1 else None
    if not ahead:
        return []
    phase, moment = ahead[0]
    pairs = live_pairs(session, cohort)
    people = {user_id for pair in pairs for user_id in (pair.mentor_id, pair.mentee_id)}
    coordinators = list_coordinators(
        session, team_id=cohort.team_id, configured=configured_coordinators(session, cohort.team_id)
    )
    if not coordinators:
        return []
    zones = availabilities_for(session, team_id=cohort.team_id, user_ids=coordinators)
    survey_days = survey_length(session, cohort.team_id).days
    heads_ups = []
    for coordinator in coordinators:
        with speaking_to(session, team_id=cohort.team_id, user_id=coordinator):
            words = render_json(
                "phases/heads_up.json.j2",
                cohort=cohort,
                phase=phase,
                moment=moment,
                zone=zones[coordinator].zone,
                people=len(people),
                pairs=len(pairs),
                weeks=EXTEND_BY_BUTTON,
                survey_days=survey_days,
            )
        heads_ups.append(
            Outgoing(
                team_id=cohort.team_id,
                dedupe_key=message_kinds.phase_soon(cohort, phase, coordinator),
                target_kind="user",
                target_id=coordinator,
                payload=words,
                not_before=now,
                expires_at=moment,  # a heads-up about a phase that has begun is no heads-up
            )
        )
    return heads_ups
