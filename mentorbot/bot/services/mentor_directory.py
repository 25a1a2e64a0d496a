"""The directory of mentors a mentee may ask, in cohorts where mentees find their own mentor.

A mentor is listed to a mentee of a self-serve cohort (`cohort.self_serve` is `open` or
`approval`) when their profile is a mentor's in that cohort (or any), they are open to
requests, have room (capacity), have no paused pair (they are on a break), were never
paired with this mentee, and did not say "not now" to this mentee's request in that cohort.
The list is ranked by areas shared with the mentee, then by how long their working hours
overlap, then by name. Coordinators are never asked: this reads profiles and pairs, and
says nothing of anyone's check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Cohort, Member, MentorRequest, Pair, Profile
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
    asked_at: datetime | None = None  # the mentee's request to them waits for an answer since


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
    asked = _asked(session, team_id, mentee_id, [c.id for c in cohorts])
    open_cohorts = []
    for cohort in cohorts:
        pool = pool_for(session, cohort=cohort, now=now, mentee_id=mentee_id)
        mentee = next((p for p in pool.mentees if p.user_id == mentee_id), None)
        if mentee is None:
            continue  # already paired in this cohort
        open_cohorts.append(cohort)
        candidates = [m for m in pool.mentors if m.user_id not in found]
        listed = _listable(session, team_id, [m.user_id for m in candidates])
        for mentor in candidates:
            offered = listed.get(mentor.user_id)
            why_not = obstacle(mentor, mentee, week_of=pool.week_of, past=pool.past)
            request = asked.get((cohort.id, mentor.user_id))
            if offered is None or why_not in ("self", "past") or request == DECLINED:
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
                asked_at=request if isinstance(request, datetime) else None,
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


# What `_asked` says of a mentor who said "not now" (or a coordinator did, for them).
DECLINED = "declined"
# Requests that still wait for an answer (the mentor's, then a coordinator's).
OPEN_REQUEST = ("waiting", "confirming")


def _asked(
    session: Session, team_id: str, mentee_id: str, cohort_ids: list[int]
) -> dict[tuple[int, str], datetime | str]:
    """The mentee's requests in these cohorts, by (cohort, mentor): when an open one was
    made, or DECLINED."""
    rows = session.execute(
        select(
            MentorRequest.cohort_id,
            MentorRequest.mentor_id,
            MentorRequest.status,
            MentorRequest.created_at,
        ).where(
            MentorRequest.team_id == team_id,
            MentorRequest.mentee_id == mentee_id,
            MentorRequest.cohort_id.in_(cohort_ids),
            MentorRequest.status.in_((*OPEN_REQUEST, DECLINED)),
        )
    )
    found: dict[tuple[int, str], datetime | str] = {}
    for cohort_id, mentor_id, status, created_at in rows:
        key = (cohort_id, mentor_id)
        if status == DECLINED or found.get(key) != DECLINED:
            found[key] = DECLINED if status == DECLINED else created_at
    return found


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
