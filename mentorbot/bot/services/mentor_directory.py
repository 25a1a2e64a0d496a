"""The directory of mentors a mentee may ask, in cohorts where mentees find their own mentor.

A mentor is listed to a mentee of a self-serve cohort (`cohort.self_serve` is `open` or
`approval`) when their profile is a mentor's in that cohort (or any), they are open to
requests, have room (capacity), have no paused pair (they are on a break), and were never
paired with this mentee. The list is ranked by areas shared with the mentee, then by how
long their working hours overlap, then by name. Coordinators are never asked: this reads
profiles and pairs, and says nothing of anyone's check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Cohort, Member, Pair, Profile
from mentorbot.bot.services.cohorts import LIVE_PAIR
from mentorbot.bot.services.match_proposals import pool_for
from mentorbot.bot.services.matching import hours_overlap, obstacle
from mentorbot.bot.services.profiles import profile_of

# Mentors a page shows (each is a few blocks; Slack allows 50 a message).
PAGE = 8


@dataclass(frozen=True)
class ListedMentor:
    """A mentor as the directory shows them to one mentee."""

    user_id: str
    name: str | None
    cohort: Cohort
    areas: tuple[str, ...]
    shared: tuple[str, ...]
    how_i_help: str | None
    zone: str
    overlap: timedelta


@dataclass(frozen=True)
class Directory:
    """One page of the mentors a mentee may ask (`area`: only those with that area)."""

    cohorts: list[Cohort]
    mentors: list[ListedMentor]
    total: int
    offset: int
    area: str | None

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, if there is one."""
        following = self.offset + len(self.mentors)
        return following if following < self.total else None


def mentor_directory(
    session: Session,
    *,
    team_id: str,
    mentee_id: str,
    now: datetime,
    area: str | None = None,
    offset: int = 0,
    page: int = PAGE,
) -> Directory:
    """A page of the mentors this mentee may ask, best first. BadInput when they have no
    mentee's profile, no cohort of theirs lets mentees find a mentor, or they have a
    mentor in each such cohort already."""
    profile = profile_of(session, team_id=team_id, user_id=mentee_id)
    if profile is None or profile.role != "mentee":
        raise BadInput("mentor_directory/no_profile")
    cohorts = _self_serve_cohorts(session, team_id, profile.cohort_id)
    if not cohorts:
        raise BadInput("mentor_directory/not_self_serve")
    wanted = " ".join((area or "").lower().split()) or None
    found: dict[str, ListedMentor] = {}
    open_cohorts = []
    for cohort in cohorts:
        pool = pool_for(session, cohort=cohort, now=now)
        mentee = next((p for p in pool.mentees if p.user_id == mentee_id), None)
        if mentee is None:
            continue  # already paired in this cohort
        open_cohorts.append(cohort)
        candidates = [m for m in pool.mentors if m.user_id not in found]
        listed = _listable(session, team_id, [m.user_id for m in candidates])
        for mentor in candidates:
            offered = listed.get(mentor.user_id)
            why_not = obstacle(mentor, mentee, week_of=pool.week_of, past=pool.past)
            if offered is None or why_not in ("self", "past"):
                continue  # (hours apart is no bar here: the mentee sees the overlap)
            if wanted and not any(wanted in a for a in mentor.areas):
                continue
            shared = tuple(a for a in mentee.areas if a in set(mentor.areas))
            found[mentor.user_id] = ListedMentor(
                user_id=mentor.user_id,
                name=offered[1],
                cohort=cohort,
                areas=mentor.areas,
                shared=shared,
                how_i_help=offered[0].how_i_help,
                zone=mentor.availability.zone.key,
                overlap=hours_overlap(mentor.availability, mentee.availability, pool.week_of),
            )
    if not open_cohorts:
        raise BadInput("mentor_directory/paired", cohorts=[c.name for c in cohorts])
    ranked = sorted(
        found.values(), key=lambda m: (-len(m.shared), -m.overlap, (m.name or m.user_id).lower())
    )
    offset = max(0, min(offset, len(ranked)))
    return Directory(
        cohorts=open_cohorts,
        mentors=ranked[offset : offset + page],
        total=len(ranked),
        offset=offset,
        area=wanted,
    )


def can_find_mentor(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether the person is a mentee of a self-serve cohort without a mentor in it yet (the
    App Home's *Find a mentor*): two small reads, not the directory itself."""
    profile = profile_of(session, team_id=team_id, user_id=user_id)
    if profile is None or profile.role != "mentee":
        return False
    cohorts = {c.id for c in _self_serve_cohorts(session, team_id, profile.cohort_id)}
    if not cohorts:
        return False
    paired = set(
        session.scalars(
            select(Pair.cohort_id).where(
                Pair.team_id == team_id,
                Pair.mentee_id == user_id,
                Pair.status.in_(LIVE_PAIR),
            )
        )
    )
    return bool(cohorts - paired)


def _self_serve_cohorts(session: Session, team_id: str, cohort_id: int | None) -> list[Cohort]:
    """The running cohorts where mentees find a mentor: the mentee's own, or any."""
    query = select(Cohort).where(
        Cohort.team_id == team_id, Cohort.phase != "ended", Cohort.self_serve != "off"
    )
    if cohort_id is not None:
        query = query.where(Cohort.id == cohort_id)
    return list(session.scalars(query.order_by(Cohort.starts_on, Cohort.id)))


def _listable(
    session: Session, team_id: str, user_ids: list[str]
) -> dict[str, tuple[Profile, str | None]]:
    """Of these mentors (who have room), those open to requests and not on a break, with
    their profile and name."""
    if not user_ids:
        return {}
    on_break = set(
        session.scalars(
            select(Pair.mentor_id).where(
                Pair.team_id == team_id, Pair.mentor_id.in_(user_ids), Pair.status == "paused"
            )
        )
    )
    rows = session.execute(
        select(Profile, Member.name)
        .outerjoin(
            Member, (Member.team_id == Profile.team_id) & (Member.user_id == Profile.user_id)
        )
        .where(
            Profile.team_id == team_id,
            Profile.user_id.in_(user_ids),
            Profile.open_to_requests.is_(True),
        )
    )
    return {
        profile.user_id: (profile, name)
        for profile, name in rows
        if profile.user_id not in on_break
    }
