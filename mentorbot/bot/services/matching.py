"""Matching: which mentor and mentee fit, and the best set of pairs, as an assignment.

A mentor and a mentee fit when they are two different people, were never paired before
(in either direction, any cohort, any status), and their working hours overlap by at least
`MIN_OVERLAP` on a workday of the cohort. Among all sets of fitting pairs that respect each
mentor's room, the best one is chosen by, in this order:

1. the number of mentees matched (nobody is left out for a better fit elsewhere);
2. the number of shared areas, summed over pairs (a row's *score*);
3. the closeness of the pairs' areas (Jaccard similarity: shared / all areas of the two),
   summed, so that among equal scores focused matches win.

SciPy's `linear_sum_assignment` finds it: one row per mentee, one column per free place
of a mentor, and weights that make each criterion outweigh every later one. Everything here
is pure: `match_proposals` reads the people from the database and keeps the proposals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from mentorbot.bot.models import Cohort
from mentorbot.bot.working_hours import Availability, wall_clock

MIN_OVERLAP = timedelta(hours=1)
# Closeness is counted in thousandths, so that weights stay whole numbers.
CLOSENESS_SCALE = 1000


@dataclass(frozen=True)
class Person:
    """Someone to match: their areas and when they work."""

    user_id: str
    areas: tuple[str, ...]
    availability: Availability


@dataclass(frozen=True)
class Fit:
    """Why a mentor and a mentee go together."""

    shared: tuple[str, ...]
    closeness: int  # Jaccard similarity of their areas, in thousandths
    overlap: timedelta

    @property
    def score(self) -> int:
        """A row's score: how many areas the two share."""
        return len(self.shared)


# -- overlap, fit, the assignment ----------------------------------------------------------


def _windows(person: Availability, days: Iterable[date]) -> list[tuple[datetime, datetime]]:
    """The person's working hours on each of their workdays among `days`, in UTC."""
    found = []
    for day in days:
        if day.weekday() not in person.workdays:
            continue
        start = wall_clock(day, person.hours.start, person.zone)
        if person.hours.end == time.max:  # "24:00": until midnight
            end = wall_clock(day + timedelta(days=1), time(0), person.zone)
        else:
            end = wall_clock(day, person.hours.end, person.zone)
        found.append((start, end))
    return found


@lru_cache(maxsize=65536)
def hours_overlap(first: Availability, second: Availability, week_of: date) -> timedelta:
    """The longest time both work on the same stretch, over the week from `week_of`.

    Each of the first person's workdays is compared with the second person's previous, same
    and next local day (zones far apart shift the date). Wall clocks are read on real dates,
    so the overlap is the one of that week, daylight saving time included. Many people
    share a zone and hours, so the answers are remembered.
    """
    days = [week_of + timedelta(days=offset) for offset in range(7)]
    around = [week_of + timedelta(days=offset) for offset in range(-1, 8)]
    best = timedelta(0)
    for start, end in _windows(first, days):
        for other_start, other_end in _windows(second, around):
            best = max(best, min(end, other_end) - max(start, other_start))
    return best


def obstacle(
    mentor: Person, mentee: Person, *, week_of: date, past: set[frozenset[str]]
) -> str | None:
    """Why the two cannot be matched ("self", "past" or "hours"), or None when they can."""
    if mentor.user_id == mentee.user_id:
        return "self"
    if frozenset((mentor.user_id, mentee.user_id)) in past:
        return "past"
    if hours_overlap(mentor.availability, mentee.availability, week_of) < MIN_OVERLAP:
        return "hours"
    return None


def fit_of(
    mentor: Person, mentee: Person, *, week_of: date, past: set[frozenset[str]]
) -> Fit | None:
    """How well the two go together, or None when they cannot be matched."""
    if obstacle(mentor, mentee, week_of=week_of, past=past) is not None:
        return None
    shared = tuple(area for area in mentee.areas if area in set(mentor.areas))
    either = set(mentor.areas) | set(mentee.areas)
    closeness = round(CLOSENESS_SCALE * len(shared) / len(either)) if either else 0
    overlap = hours_overlap(mentor.availability, mentee.availability, week_of)
    return Fit(shared=shared, closeness=closeness, overlap=overlap)


def objective(fits: Iterable[Fit]) -> tuple[int, int, int]:
    """What a set of pairs achieves: (pairs, shared areas, closeness), compared in order."""
    chosen = list(fits)
    return (
        len(chosen),
        sum(fit.score for fit in chosen),
        sum(fit.closeness for fit in chosen),
    )


def best_assignment(
    fits: Sequence[Sequence[Fit | None]], room: Sequence[int]
) -> list[tuple[int, int]]:
    """The best (mentee, mentor) index pairs, by `objective`; `fits[i][j]` is mentee i with
    mentor j (None: they cannot be matched), `room[j]` how many mentees mentor j may take.

    Each mentor becomes `room[j]` columns. A fitting cell weighs
    `PAIR + score * AREA + closeness`: AREA exceeds any sum of closeness and PAIR any sum of
    the rest, so the weights order assignments exactly as `objective` does. A forbidden cell
    weighs 0: the solver may use it, but it is then left out, as if unassigned.
    """
    # Imported here: NumPy and SciPy take a while to load, and only matching needs them
    # (web workers start faster and smaller without them).
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    columns = [mentor for mentor, places in enumerate(room) for _ in range(max(places, 0))]
    if not fits or not columns:
        return []
    mentees = len(fits)
    top = max((fit.score for row in fits for fit in row if fit is not None), default=0)
    area = CLOSENESS_SCALE * mentees + 1
    pair = (top + 1) * area * mentees
    weights = np.zeros((mentees, len(columns)))
    for i, row in enumerate(fits):
        for column, mentor in enumerate(columns):
            fit = row[mentor]
            if fit is not None:
                weights[i, column] = pair + fit.score * area + fit.closeness
    chosen_rows, chosen_columns = linear_sum_assignment(weights, maximize=True)
    return sorted(
        (int(i), columns[int(column)])
        for i, column in zip(chosen_rows, chosen_columns, strict=True)
        if fits[int(i)][columns[int(column)]] is not None
    )


# -- a cohort's pool, and who a proposal leaves out ----------------------------------------


@dataclass(frozen=True)
class Pool:
    """Everyone who can be matched in a cohort now."""

    mentees: list[Person]
    mentors: list[Person]
    room: list[int]  # free places of each mentor, in the order of `mentors`
    past: set[frozenset[str]]
    week_of: date

    def fits(self) -> list[list[Fit | None]]:
        """Every mentee (rows) against every mentor (columns)."""
        return [
            [
                fit_of(mentor, mentee, week_of=self.week_of, past=self.past)
                for mentor in self.mentors
            ]
            for mentee in self.mentees
        ]


def week_of(cohort: Cohort, now: datetime) -> date:
    """The week whose working hours count: the cohort's first, or this one once it runs."""
    return max(cohort.starts_on, now.astimezone(UTC).date())


@dataclass(frozen=True)
class Unmatched:
    """A mentee the proposal leaves out, and why: no mentor fits them ("no_fit"), every
    mentor who fits is taken by the proposal ("taken"), or one still has room ("free")."""

    user_id: str
    why: str


def left_out(pool: Pool, rows: list[dict[str, Any]]) -> list[Unmatched]:
    """The pool's mentees a proposal's rows leave out, each with why."""
    proposed = {row["mentee"] for row in rows}
    taken: dict[str, int] = {}
    for row in rows:
        taken[row["mentor"]] = taken.get(row["mentor"], 0) + 1
    found = []
    for mentee in pool.mentees:
        if mentee.user_id in proposed:
            continue
        fitting = [
            (mentor, room)
            for mentor, room in zip(pool.mentors, pool.room, strict=True)
            if fit_of(mentor, mentee, week_of=pool.week_of, past=pool.past) is not None
        ]
        free = any(room > taken.get(mentor.user_id, 0) for mentor, room in fitting)
        found.append(
            Unmatched(mentee.user_id, "free" if free else "taken" if fitting else "no_fit")
        )
    return found
