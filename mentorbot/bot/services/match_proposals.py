"""Match proposals: `/mentoring match` proposes pairs for a cohort, the coordinator drops or
swaps rows, then confirms (the pairs are created as by `/mentoring pair`) or discards.

Who can be matched: people with a profile for the cohort (or for any cohort); mentees
without a live pair in it; mentors with room left (their capacity minus their live pairs
anywhere). Deleted accounts, apps and people who deleted their data since they last saved
their profile are left out. How pairs are chosen is in `matching`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput, MentorbotError, Reason
from mentorbot.bot.models import Cohort, MatchProposal, Member, Pair, Profile
from mentorbot.bot.rendering import render_json
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.matching import (
    MIN_OVERLAP,
    Fit,
    Person,
    Pool,
    best_assignment,
    fit_of,
    left_out,
    obstacle,
    week_of,
)
from mentorbot.bot.services.pairs import Planned, capacities, create_pairs, pairing_problems
from mentorbot.bot.services.workspaces import availabilities_for

# Rows a proposal message shows (each with its controls); Slack allows 50 blocks.
ROWS_SHOWN = 25


class NothingToMatch(MentorbotError):
    """`/mentoring match` found nobody to pair; `why` says which side is missing."""

    template = "matching/nothing.md.j2"


# -- who can be matched --------------------------------------------------------------------


def past_pairs(session: Session, *, team_id: str, user_ids: set[str]) -> set[frozenset[str]]:
    """Every two of these people who were ever paired, either way round."""
    rows = session.execute(
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.team_id == team_id, Pair.mentor_id.in_(user_ids), Pair.mentee_id.in_(user_ids)
        )
    )
    return {frozenset(row) for row in rows}


def people(session: Session, *, team_id: str, profiles: Iterable[Profile]) -> dict[str, Person]:
    """The people behind these profiles, with their availability."""
    listed = list(profiles)
    known = availabilities_for(session, team_id=team_id, user_ids=[p.user_id for p in listed])
    return {p.user_id: Person(p.user_id, tuple(p.areas or ()), known[p.user_id]) for p in listed}


def pool_for(
    session: Session, *, cohort: Cohort, now: datetime, mentee_id: str | None = None
) -> Pool:
    """The cohort's unpaired mentees and mentors with room, from their profiles; with
    `mentee_id`, that one mentee's side only (the directory of mentors they may ask)."""
    team_id = cohort.team_id
    query = select(Profile).where(
        Profile.team_id == team_id,
        or_(Profile.cohort_id == cohort.id, Profile.cohort_id.is_(None)),
    )
    if mentee_id is not None:
        query = query.where(or_(Profile.role == "mentor", Profile.user_id == mentee_id))
    profiles = list(session.scalars(query.order_by(Profile.created_at, Profile.id)))
    ids = {p.user_id for p in profiles}
    members = {
        m.user_id: m
        for m in session.scalars(
            select(Member).where(Member.team_id == team_id, Member.user_id.in_(ids))
        )
    }
    profiles = [p for p in profiles if _can_take_part(p, members.get(p.user_id))]
    live = list(
        session.scalars(
            select(Pair).where(
                Pair.team_id == team_id,
                Pair.status.in_(LIVE_PAIR),
                or_(Pair.mentor_id.in_(ids), Pair.mentee_id.in_(ids)),
            )
        )
    )
    paired = {p.mentee_id for p in live if p.cohort_id == cohort.id}
    mentoring: dict[str, int] = {}
    for pair in live:
        mentoring[pair.mentor_id] = mentoring.get(pair.mentor_id, 0) + 1
    mentor_ids = [p.user_id for p in profiles if p.role == "mentor"]
    limits = capacities(session, team_id=team_id, user_ids=mentor_ids)
    room = {user_id: limits[user_id] - mentoring.get(user_id, 0) for user_id in mentor_ids}
    found = people(session, team_id=team_id, profiles=profiles)
    mentors = [found[user_id] for user_id in mentor_ids if room[user_id] > 0]
    return Pool(
        mentees=[
            found[p.user_id] for p in profiles if p.role == "mentee" and p.user_id not in paired
        ],
        mentors=mentors,
        room=[room[mentor.user_id] for mentor in mentors],
        past=past_pairs(session, team_id=team_id, user_ids=ids),
        week_of=week_of(cohort, now),
    )


def _can_take_part(profile: Profile, member: Member | None) -> bool:
    """Not a deleted account or an app; not someone who deleted their data after saving it."""
    if member is None:
        return True
    if member.deleted or member.is_bot:
        return False
    erased = member.data_deleted_at
    return erased is None or erased < profile.updated_at


# -- proposals -----------------------------------------------------------------------------


def row_of(mentor: Person, mentee: Person, fit: Fit) -> dict[str, Any]:
    """One proposed pair as stored: who, the score, and the reasons shown."""
    return {
        "mentor": mentor.user_id,
        "mentee": mentee.user_id,
        "score": fit.score,
        "reasons": {
            "shared": list(fit.shared),
            "closeness": fit.closeness,
            "overlap_minutes": int(fit.overlap.total_seconds() // 60),
            "mentor_zone": mentor.availability.zone.key,
            "mentee_zone": mentee.availability.zone.key,
        },
    }


def propose(session: Session, *, cohort: Cohort, by: str, now: datetime) -> MatchProposal:
    """Propose the best pairs for the cohort's unpaired people; an earlier open proposal for
    the cohort is set aside. NothingToMatch says why when there is none."""
    if cohort.phase == "ended":
        raise BadInput("cohorts/ended", cohort=cohort.name)
    pool = pool_for(session, cohort=cohort, now=now)
    if not pool.mentees or not pool.mentors:
        why = "no_mentors" if pool.mentees else "no_mentees"
        raise NothingToMatch(
            why=why, cohort=cohort, mentees=len(pool.mentees), mentors=len(pool.mentors)
        )
    fits = pool.fits()
    chosen = best_assignment(fits, pool.room)
    if not chosen:
        raise NothingToMatch(
            why="no_fit", cohort=cohort, mentees=len(pool.mentees), mentors=len(pool.mentors)
        )
    rows = [
        row_of(pool.mentors[j], pool.mentees[i], fit)
        for i, j in chosen
        if (fit := fits[i][j]) is not None
    ]
    rows.sort(key=lambda row: -int(row["score"]))
    session.execute(
        update(MatchProposal)
        .where(
            MatchProposal.team_id == cohort.team_id,
            MatchProposal.cohort_id == cohort.id,
            MatchProposal.status == "open",
        )
        .values(status="dropped", decided_at=now)
    )
    proposal = MatchProposal(
        team_id=cohort.team_id,
        cohort_id=cohort.id,
        created_by=by,
        rows=rows,
        status="open",
        created_at=now,
    )
    session.add(proposal)
    session.flush()
    return proposal


def open_proposal(session: Session, *, team_id: str, proposal_id: int) -> MatchProposal:
    """A proposal that can still change; NotFound or BadInput otherwise.

    The row stays locked until the transaction ends (PostgreSQL; SQLite writes one at a
    time anyway), so two coordinators pressing Create together cannot both create its pairs:
    the second waits, then finds it confirmed.
    """
    proposal = of_workspace(session, MatchProposal, proposal_id, team_id=team_id, for_update=True)
    cohort = _cohort_of(session, proposal)
    if proposal.status != "open":
        confirmed = proposal.status == "confirmed"
        raise BadInput("matching/settled", confirmed=confirmed, cohort=cohort.name)
    return proposal


def _cohort_of(session: Session, proposal: MatchProposal) -> Cohort:
    cohort = session.get(Cohort, proposal.cohort_id)
    assert cohort is not None  # a cohort's proposals go with it
    return cohort


def _row_index(proposal: MatchProposal, mentee_id: str) -> int:
    for index, row in enumerate(proposal.rows):
        if row["mentee"] == mentee_id:
            return index
    raise BadInput("matching/row_gone")


def drop_row(proposal: MatchProposal, *, mentee_id: str) -> None:
    """Take the mentee's row out of the proposal."""
    index = _row_index(proposal, mentee_id)
    proposal.rows = [row for i, row in enumerate(proposal.rows) if i != index]


def swap_mentees(
    session: Session, *, proposal: MatchProposal, first: str, second: str, now: datetime
) -> None:
    """Give two rows each other's mentee; BadInput (nothing changed) when a new pair would
    not fit."""
    i, k = _row_index(proposal, first), _row_index(proposal, second)
    if i == k:
        raise BadInput("matching/same_row")
    rows = [dict(row) for row in proposal.rows]
    user_ids = {rows[i]["mentor"], rows[k]["mentor"], first, second}
    profiles = session.scalars(
        select(Profile).where(Profile.team_id == proposal.team_id, Profile.user_id.in_(user_ids))
    )
    found = people(session, team_id=proposal.team_id, profiles=profiles)
    missing = sorted(user_ids - set(found))
    if missing:
        raise BadInput("matching/no_profile", user_id=missing[0])
    past = past_pairs(session, team_id=proposal.team_id, user_ids=user_ids)
    week = week_of(_cohort_of(session, proposal), now)
    swapped = {i: (rows[i]["mentor"], second), k: (rows[k]["mentor"], first)}
    for index, (mentor_id, mentee_id) in swapped.items():
        mentor, mentee = found[mentor_id], found[mentee_id]
        why = obstacle(mentor, mentee, week_of=week, past=past)
        if why is not None:
            raise BadInput("matching/no_fit", mentor=mentor_id, mentee=mentee_id, why=why)
        fit = fit_of(mentor, mentee, week_of=week, past=past)
        assert fit is not None
        rows[index] = row_of(mentor, mentee, fit)
    proposal.rows = rows


def discard(proposal: MatchProposal, *, now: datetime) -> None:
    """Set the proposal aside: nothing is created."""
    proposal.status = "dropped"
    proposal.decided_at = now


@dataclass(frozen=True)
class Confirmed:
    """What confirming made: the pairs created, and the rows skipped with the reason (in
    words, as the proposal keeps it)."""

    cohort: Cohort
    created: list[Pair]
    skipped: list[tuple[dict[str, Any], str]]


def confirm(session: Session, *, proposal: MatchProposal, now: datetime) -> Confirmed:
    """Create the proposal's pairs (each gets its kickoff), re-checking every row now: another
    coordinator may have paired someone, or a capacity may have changed, since."""
    cohort = _cohort_of(session, proposal)
    rows = [dict(row) for row in proposal.rows]
    user_ids = {row["mentor"] for row in rows} | {row["mentee"] for row in rows}
    past = past_pairs(session, team_id=proposal.team_id, user_ids=user_ids)
    members = {
        m.user_id: m
        for m in session.scalars(
            select(Member).where(Member.team_id == proposal.team_id, Member.user_id.in_(user_ids))
        )
    }
    gone = user_ids - {
        p.user_id
        for p in session.scalars(
            select(Profile).where(
                Profile.team_id == proposal.team_id, Profile.user_id.in_(user_ids)
            )
        )
        if _can_take_part(p, members.get(p.user_id))
    }
    reasons: dict[int, Reason] = {}
    for index, row in enumerate(rows):
        person = next((u for u in (row["mentor"], row["mentee"]) if u in gone), None)
        if person is not None:
            reasons[index] = Reason("matching/cannot_take_part", user_id=person)
        elif frozenset((row["mentor"], row["mentee"])) in past:
            reasons[index] = Reason(
                "matching/paired_before", mentor=row["mentor"], mentee=row["mentee"]
            )
    checked = [index for index in range(len(rows)) if index not in reasons]
    planned = [Planned(rows[i]["mentor"], rows[i]["mentee"]) for i in checked]
    for index, problem in zip(
        checked, pairing_problems(session, cohort=cohort, planned=planned), strict=True
    ):
        if problem is not None:
            reasons[index] = problem
    making = [i for i in checked if i not in reasons]
    created = create_pairs(
        session,
        cohort=cohort,
        planned=[Planned(rows[i]["mentor"], rows[i]["mentee"]) for i in making],
        now=now,
    )
    for index, pair in zip(making, created, strict=True):
        rows[index]["pair"] = pair.id
    for index, reason in reasons.items():
        rows[index]["skipped"] = str(reason)  # kept with the proposal, in words
    proposal.rows = rows
    proposal.status = "confirmed"
    proposal.decided_at = now
    return Confirmed(
        cohort=cohort,
        created=created,
        skipped=[(rows[i], rows[i]["skipped"]) for i in sorted(reasons)],
    )


# -- what the coordinator sees -------------------------------------------------------------


def proposal_message(session: Session, *, proposal: MatchProposal, now: datetime) -> Any:
    """The proposal as a message: rows with scores, reasons and controls; who is left out."""
    cohort = _cohort_of(session, proposal)
    unmatched = left_out(pool_for(session, cohort=cohort, now=now), proposal.rows)
    return render_json(
        "matching/proposal.json.j2",
        proposal=proposal,
        cohort=cohort,
        rows=proposal.rows,
        shown=ROWS_SHOWN,
        unmatched=unmatched,
        min_overlap_hours=int(MIN_OVERLAP.total_seconds() // 3600),
    )


def confirmed_message(confirmed: Confirmed) -> Any:
    """What confirming did, replacing the proposal."""
    return render_json(
        "matching/confirmed.json.j2",
        cohort=confirmed.cohort,
        created=confirmed.created,
        skipped=confirmed.skipped,
    )


def discarded_message(session: Session, proposal: MatchProposal) -> Any:
    """The proposal set aside, replacing it."""
    return render_json("matching/discarded.json.j2", cohort=_cohort_of(session, proposal))
