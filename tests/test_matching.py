"""Matching: working hours that overlap across zones and DST, the assignment checked against
brute force on small random cases, and proposals on a real database (who can be matched,
capacity, past pairs, swaps, drops and confirming)."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.errors import BadInput, InvalidForm
from mentorbot.bot.models import Cohort, Member, OutboundMessage, Pair
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.match_proposals import (
    ROWS_SHOWN,
    NothingToMatch,
    confirm,
    drop_row,
    open_proposal,
    pool_for,
    proposal_message,
    propose,
    swap_mentees,
)
from mentorbot.bot.services.matching import (
    Fit,
    Person,
    best_assignment,
    fit_of,
    hours_overlap,
    objective,
)
from mentorbot.bot.services.pairs import Planned, create_pairs, end_cohort
from mentorbot.bot.services.profiles import (
    ProfileForm,
    parse_areas,
    read_profile_form,
    save_profile,
)
from mentorbot.bot.working_hours import Availability
from mentorbot.standin.contract import check_message_content
from tests.processes import wait_for
from tests.test_working_hours import person as hours

TEAM = "T0MENTOR"
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
MONDAY = date(2027, 3, 1)


# -- working hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "week", "expected"),
    [
        # Tokyo 09-18 is 00-09 UTC, New York 09-18 EST is 14-23 UTC: never together.
        (hours("Asia/Tokyo"), hours("America/New_York"), MONDAY, 0),
        # London GMT 09-18 and New York EST 14-23 UTC: 4 hours.
        (hours("Europe/London"), hours("America/New_York"), MONDAY, 4),
        # 15 March: New York is on summer time (13-22 UTC), London not yet: 5 hours.
        (hours("Europe/London"), hours("America/New_York"), date(2027, 3, 15), 5),
        # April: both on summer time again, 4 hours.
        (hours("Europe/London"), hours("America/New_York"), date(2027, 4, 5), 4),
        # Sydney 09-20 AEDT is 22:00-09:00 UTC the day before; London from 07:00: 2 hours,
        # across the date line.
        (
            hours("Australia/Sydney", "09:00-20:00"),
            hours("Europe/London", "07:00-16:00"),
            MONDAY,
            2,
        ),
        (
            hours("Europe/London", "07:00-16:00"),
            hours("Australia/Sydney", "09:00-20:00"),
            MONDAY,
            2,
        ),
        # Sunday to Thursday in Dubai meets Monday to Friday in London.
        (hours("Asia/Dubai", "09:00-18:00", "sun-thu"), hours("Europe/London"), MONDAY, 5),
        # Saturdays only never meets weekdays only.
        (hours("Europe/London", "09:00-18:00", "sat"), hours("Europe/London"), MONDAY, 0),
        # A window until midnight ("24:00") counts its last hour whole.
        (hours("UTC", "18:00-24:00"), hours("UTC", "23:00-24:00"), MONDAY, 1),
    ],
)
def test_working_hours_overlap(
    first: Availability, second: Availability, week: date, expected: int
) -> None:
    assert hours_overlap(first, second, week) == timedelta(hours=expected)


def test_a_fit_needs_an_hour_together_two_people_and_no_past_pair() -> None:
    london, tokyo = hours("Europe/London"), hours("Asia/Tokyo")
    mentor = Person("U1", ("python", "design", "career"), london)
    mentee = Person("U2", ("design", "python", "rust"), london)
    fit = fit_of(mentor, mentee, week_of=MONDAY, past=set())
    assert fit == Fit(shared=("design", "python"), closeness=500, overlap=timedelta(hours=9))
    assert fit.score == 2
    assert fit_of(mentor, mentee, week_of=MONDAY, past={frozenset(("U2", "U1"))}) is None
    assert fit_of(mentor, Person("U1", ("python",), london), week_of=MONDAY, past=set()) is None
    assert fit_of(mentor, Person("U3", ("python",), tokyo), week_of=MONDAY, past=set()) is None
    nothing_shared = fit_of(mentor, Person("U4", ("rust",), london), week_of=MONDAY, past=set())
    assert nothing_shared is not None and nothing_shared.score == 0


# -- the assignment against brute force ----------------------------------------------------


def brute_force(fits: list[list[Fit | None]], room: list[int]) -> tuple[int, int, int]:
    """The best objective over every assignment that respects room (exhaustive)."""
    best = (0, 0, 0)
    left = list(room)

    def visit(i: int, chosen: list[Fit]) -> None:
        nonlocal best
        if i == len(fits):
            best = max(best, objective(chosen))
            return
        visit(i + 1, chosen)  # mentee i stays unmatched
        for j, fit in enumerate(fits[i]):
            if fit is not None and left[j] > 0:
                left[j] -= 1
                visit(i + 1, [*chosen, fit])
                left[j] += 1

    visit(0, [])
    return best


def random_fit(rng: random.Random, labels: list[str]) -> Fit | None:
    if rng.random() < 0.3:
        return None
    shared = tuple(rng.sample(labels, rng.randint(0, 3)))
    return Fit(shared=shared, closeness=rng.randint(0, 1000), overlap=timedelta(hours=2))


def check(fits: list[list[Fit | None]], room: list[int]) -> list[tuple[int, int]]:
    """Solve, then check the rules every answer must keep; returns the answer."""
    chosen = best_assignment(fits, room)
    mentees = [i for i, _ in chosen]
    assert len(mentees) == len(set(mentees)), "a mentee matched twice"
    load = Counter(j for _, j in chosen)
    assert all(load[j] <= room[j] for j in load), "a mentor beyond their room"
    assert all(fits[i][j] is not None for i, j in chosen), "a pair that does not fit"
    return chosen


@pytest.mark.parametrize("seed", range(100))
def test_the_assignment_is_optimal_against_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    labels = ["python", "design", "rust", "sales", "career", "writing"]
    mentees, mentors = rng.randint(1, 6), rng.randint(1, 4)
    room = [rng.randint(0, 2) for _ in range(mentors)]
    fits = [[random_fit(rng, labels) for _ in range(mentors)] for _ in range(mentees)]
    chosen = check(fits, room)
    got = objective(fit for i, j in chosen if (fit := fits[i][j]) is not None)
    assert got == brute_force(fits, room)


@pytest.mark.parametrize("seed", range(30))
def test_people_with_real_hours_and_past_pairs_match_optimally(seed: int) -> None:
    """Fits computed from people (areas, zones, past pairs), then solved and checked."""
    rng = random.Random(1000 + seed)
    labels = ["python", "design", "rust", "sales", "career"]
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Berlin"]

    def someone(prefix: str, n: int) -> Person:
        areas = tuple(rng.sample(labels, rng.randint(1, 3)))
        return Person(f"U{prefix}{n}", areas, hours(rng.choice(zones)))

    mentees = [someone("E", n) for n in range(rng.randint(1, 5))]
    mentors = [someone("M", n) for n in range(rng.randint(1, 4))]
    past = {
        frozenset((mentor.user_id, mentee.user_id))
        for mentor in mentors
        for mentee in mentees
        if rng.random() < 0.2
    }
    fits = [[fit_of(m, e, week_of=MONDAY, past=past) for m in mentors] for e in mentees]
    room = [rng.randint(1, 2) for _ in mentors]
    chosen = check(fits, room)
    for i, j in chosen:
        assert frozenset((mentors[j].user_id, mentees[i].user_id)) not in past
        overlap = hours_overlap(mentors[j].availability, mentees[i].availability, MONDAY)
        assert overlap >= timedelta(hours=1)
    got = objective(fit for i, j in chosen if (fit := fits[i][j]) is not None)
    assert got == brute_force(fits, room)


def test_more_mentees_matched_beats_a_higher_score_that_greed_would_take() -> None:
    # Ana shares 3 areas with Xavier but could also take Yoko (0 shared); Ben fits Xavier
    # only. Greedy picking gives Ana Xavier and leaves Ben out; the optimum matches both.
    three = Fit(("a", "b", "c"), 1000, timedelta(hours=3))
    none_shared = Fit((), 0, timedelta(hours=3))
    one = Fit(("a",), 200, timedelta(hours=3))
    fits: list[list[Fit | None]] = [[three, none_shared], [one, None]]
    assert check(fits, [1, 1]) == [(0, 1), (1, 0)]
    # With room for both at Xavier, each gets Xavier and the best scores.
    assert check(fits, [2, 1]) == [(0, 0), (1, 0)]


def test_nothing_to_assign() -> None:
    assert best_assignment([], [1]) == []
    assert best_assignment([[Fit((), 0, timedelta(hours=2))]], [0]) == []
    assert best_assignment([[None, None]], [1, 1]) == []


# -- profiles ------------------------------------------------------------------------------


def test_areas_are_short_lowercase_labels_each_once() -> None:
    assert parse_areas(" Python, Public  Speaking ,python;\nDesign,, ") == [
        "python",
        "public speaking",
        "design",
    ]
    for typed, says in (
        (" , ,", "at least one area"),
        (", ".join(f"area {n}" for n in range(11)), "Up to 10 areas"),
        ("python, " + "x" * 41, "longer than 40 characters"),
    ):
        with pytest.raises(InvalidForm) as raised:
            parse_areas(typed)
        assert raised.value.field == "areas" and says in str(raised.value)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"areas": "python"}, "role"),
        ({"role": "mentor", "areas": "python", "cohort": "spring"}, "cohort"),
        ({"role": "mentor", "areas": "python", "capacity": "21"}, "capacity"),
        ({"role": "mentor", "areas": "python", "capacity": "0"}, "capacity"),
        ({"role": "mentee", "areas": "python", "goals": "x" * 1001}, "goals"),
    ],
)
def test_a_wrong_profile_field_is_named(values: dict[str, str | None], field: str) -> None:
    with pytest.raises(InvalidForm) as raised:
        read_profile_form(values)
    assert raised.value.field == field


def test_a_mentee_capacity_is_ignored() -> None:
    form = read_profile_form({"role": "mentee", "areas": "Go", "capacity": "99", "cohort": "any"})
    assert form == ProfileForm("mentee", None, ["go"], None, None)


# -- proposals on a database ---------------------------------------------------------------


def cohort_named(session: Session, name: str, starts_on: date = MONDAY) -> Cohort:
    return create_cohort(
        session,
        team_id=TEAM,
        name=name,
        channel_id="C0COHORT",
        starts_on=starts_on,
        created_by="U0COORD",
        now=NOW,
    )


def person(
    session: Session,
    user_id: str,
    role: str,
    areas: str,
    *,
    tz: str = "Europe/London",
    cohort_id: int | None = None,
    capacity: int | None = None,
) -> None:
    session.add(Member(team_id=TEAM, user_id=user_id, name=user_id.lower(), tz=tz))
    session.flush()
    form = ProfileForm(role, cohort_id, parse_areas(areas), None, capacity)
    save_profile(session, team_id=TEAM, user_id=user_id, form=form, now=NOW)


def rows_of(proposal_rows: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(row["mentor"], row["mentee"], row["score"]) for row in proposal_rows]


def test_who_can_be_matched(session: Session) -> None:
    spring, autumn = cohort_named(session, "Spring"), cohort_named(session, "Autumn")
    person(session, "U0MENTOR1", "mentor", "python", capacity=2)
    person(session, "U0MENTOR2", "mentor", "design", capacity=1)
    person(session, "U0MENTOR3", "mentor", "rust", cohort_id=autumn.id)
    person(session, "U0MENTEE1", "mentee", "python", cohort_id=spring.id)
    person(session, "U0MENTEE2", "mentee", "design")
    person(session, "U0MENTEE3", "mentee", "rust", cohort_id=autumn.id)
    person(session, "U0PAIRED", "mentee", "python")
    person(session, "U0GONE", "mentee", "python")
    person(session, "U0APP", "mentee", "python")
    person(session, "U0ERASED", "mentee", "python")
    person(session, "U0BACK", "mentee", "python")
    members = {m.user_id: m for m in session.scalars(select(Member))}
    members["U0GONE"].deleted = True
    members["U0APP"].is_bot = True
    members["U0ERASED"].data_deleted_at = NOW  # deleted their data after saving the profile
    members["U0BACK"].data_deleted_at = NOW - timedelta(days=1)  # and came back since
    # Mentor 2 mentors someone in Autumn (full: capacity 1); mentor 1 someone in Spring.
    create_pairs(session, cohort=autumn, planned=[Planned("U0MENTOR2", "U0X")], now=NOW)
    create_pairs(session, cohort=spring, planned=[Planned("U0MENTOR1", "U0PAIRED")], now=NOW)

    pool = pool_for(session, cohort=spring, now=NOW)
    assert [p.user_id for p in pool.mentees] == ["U0MENTEE1", "U0MENTEE2", "U0BACK"]
    assert [(p.user_id, room) for p, room in zip(pool.mentors, pool.room, strict=True)] == [
        ("U0MENTOR1", 1)
    ]
    assert pool.mentees[0].areas == ("python",)
    assert str(pool.mentees[0].availability.zone) == "Europe/London"


def test_propose_then_confirm_creates_pairs_with_their_kickoff(session: Session) -> None:
    spring = cohort_named(session, "Spring")
    person(session, "U0CAT", "mentor", "python, design", capacity=1)
    person(session, "U0DAN", "mentor", "leadership, speaking")
    person(session, "U0EVE", "mentee", "design, python")
    person(session, "U0BEN", "mentee", "python, leadership", tz="America/New_York")
    person(session, "U0ANA", "mentee", "python", tz="Asia/Tokyo")

    proposal = propose(session, cohort=spring, by="U0COORD", now=NOW)
    assert rows_of(proposal.rows) == [("U0CAT", "U0EVE", 2), ("U0DAN", "U0BEN", 1)]
    assert proposal.rows[1]["reasons"] == {
        "shared": ["leadership"],
        "closeness": 333,
        "overlap_minutes": 240,
        "mentor_zone": "Europe/London",
        "mentee_zone": "America/New_York",
    }
    done = confirm(session, proposal=proposal, now=NOW)
    assert [(p.mentor_id, p.mentee_id, p.status) for p in done.created] == [
        ("U0CAT", "U0EVE", "active"),
        ("U0DAN", "U0BEN", "active"),
    ]
    assert done.skipped == []
    kickoffs = session.scalars(
        select(OutboundMessage.dedupe_key).where(OutboundMessage.dedupe_key.like("kickoff:%"))
    ).all()
    assert sorted(kickoffs) == sorted(f"kickoff:pair{p.id}" for p in done.created)
    assert proposal.status == "confirmed" and proposal.rows[0]["pair"] == done.created[0].id
    with pytest.raises(BadInput, match="confirmed already"):
        open_proposal(session, team_id=TEAM, proposal_id=proposal.id)
    # Everyone who fits is paired now: Ana (Tokyo) shares no hour with the mentors left.
    with pytest.raises(NothingToMatch) as nothing:
        propose(session, cohort=spring, by="U0COORD", now=NOW)
    context = nothing.value.context
    assert (context["why"], context["mentees"], context["mentors"]) == ("no_fit", 1, 1)


def test_confirm_rechecks_what_changed_since_the_proposal(session: Session) -> None:
    spring = cohort_named(session, "Spring")
    person(session, "U0CAT", "mentor", "python", capacity=2)
    person(session, "U0EVE", "mentee", "python")
    person(session, "U0DAN", "mentee", "python")
    proposal = propose(session, cohort=spring, by="U0COORD", now=NOW)
    assert rows_of(proposal.rows) == [("U0CAT", "U0EVE", 1), ("U0CAT", "U0DAN", 1)]
    # Meanwhile another coordinator gives Dan a mentor by hand.
    create_pairs(session, cohort=spring, planned=[Planned("U0OTHER", "U0DAN")], now=NOW)
    done = confirm(session, proposal=proposal, now=NOW)
    assert [(p.mentor_id, p.mentee_id) for p in done.created] == [("U0CAT", "U0EVE")]
    [(row, why)] = done.skipped
    assert row["mentee"] == "U0DAN" and "already has a mentor" in why
    assert proposal.rows[1]["skipped"] == why


def test_capacity_is_rechecked_at_confirm(session: Session) -> None:
    spring = cohort_named(session, "Spring")
    person(session, "U0CAT", "mentor", "python", capacity=1)
    person(session, "U0EVE", "mentee", "python")
    proposal = propose(session, cohort=spring, by="U0COORD", now=NOW)
    create_pairs(session, cohort=spring, planned=[Planned("U0CAT", "U0DAN")], now=NOW)
    done = confirm(session, proposal=proposal, now=NOW)
    assert done.created == []
    assert "their capacity" in done.skipped[0][1]


def test_swaps_keep_the_rules_and_drops_take_rows_out(session: Session) -> None:
    old, spring = cohort_named(session, "Old", date(2026, 9, 1)), cohort_named(session, "Spring")
    create_pairs(session, cohort=old, planned=[Planned("U0EVE", "U0DAN")], now=NOW)
    end_cohort(session, cohort=old, now=NOW)  # Eve mentored Dan once: never again
    person(session, "U0CAT", "mentor", "python, design", capacity=1)
    person(session, "U0DAN", "mentor", "leadership", capacity=1)
    person(session, "U0EVE", "mentee", "design, python")
    person(session, "U0BEN", "mentee", "python, leadership", tz="America/New_York")
    person(session, "U0ANA", "mentee", "leadership", tz="Asia/Tokyo")
    proposal = propose(session, cohort=spring, by="U0COORD", now=NOW)
    assert rows_of(proposal.rows) == [("U0CAT", "U0EVE", 2), ("U0DAN", "U0BEN", 1)]

    with pytest.raises(BadInput, match="were paired before"):
        swap_mentees(session, proposal=proposal, first="U0EVE", second="U0BEN", now=NOW)
    with pytest.raises(BadInput, match="no longer in the proposal"):
        swap_mentees(session, proposal=proposal, first="U0EVE", second="U0ANA", now=NOW)
    assert rows_of(proposal.rows) == [("U0CAT", "U0EVE", 2), ("U0DAN", "U0BEN", 1)]

    drop_row(proposal, mentee_id="U0EVE")
    assert rows_of(proposal.rows) == [("U0DAN", "U0BEN", 1)]
    with pytest.raises(BadInput, match="no longer in the proposal"):
        drop_row(proposal, mentee_id="U0EVE")
    # A later proposal sets this one aside.
    newer = propose(session, cohort=spring, by="U0COORD", now=NOW)
    assert proposal.status == "dropped" and newer.status == "open"
    with pytest.raises(BadInput, match="set aside"):
        open_proposal(session, team_id=TEAM, proposal_id=proposal.id)


def test_a_swap_recomputes_scores_and_reasons(session: Session) -> None:
    spring = cohort_named(session, "Spring")
    person(session, "U0CAT", "mentor", "python, design", capacity=1)
    person(session, "U0DAN", "mentor", "leadership", capacity=1)
    person(session, "U0EVE", "mentee", "design, python")
    person(session, "U0BEN", "mentee", "python, leadership", tz="America/New_York")
    proposal = propose(session, cohort=spring, by="U0COORD", now=NOW)
    swap_mentees(session, proposal=proposal, first="U0BEN", second="U0EVE", now=NOW)
    assert rows_of(proposal.rows) == [("U0CAT", "U0BEN", 1), ("U0DAN", "U0EVE", 0)]
    assert proposal.rows[0]["reasons"]["overlap_minutes"] == 240  # type: ignore[index]
    assert proposal.rows[1]["reasons"]["shared"] == []  # type: ignore[index]


@pytest.mark.parametrize(
    ("mentors", "mentees", "why"),
    [
        ([], [], "no_mentees"),
        ([], [("U0EVE", "Europe/London")], "no_mentors"),
        ([("U0CAT", "Asia/Tokyo")], [("U0EVE", "America/New_York")], "no_fit"),
    ],
)
def test_nothing_to_match_says_why(
    session: Session, mentors: list[tuple[str, str]], mentees: list[tuple[str, str]], why: str
) -> None:
    spring = cohort_named(session, "Spring")
    for user_id, tz in mentors:
        person(session, user_id, "mentor", "python", tz=tz)
    for user_id, tz in mentees:
        person(session, user_id, "mentee", "python", tz=tz)
    with pytest.raises(NothingToMatch) as nothing:
        propose(session, cohort=spring, by="U0COORD", now=NOW)
    assert nothing.value.context["why"] == why
    assert session.scalar(select(Pair.id)) is None


def test_a_long_proposal_fits_in_one_message(session: Session) -> None:
    spring = cohort_named(session, "Spring")
    for n in range(30):
        person(session, f"U0MENTOR{n:02}", "mentor", "python", capacity=1)
        person(session, f"U0MENTEE{n:02}", "mentee", "python")
    person(session, "U0LATE", "mentee", "python")
    proposal = propose(session, cohort=spring, by="U0COORD", now=NOW)
    assert len(proposal.rows) == 30
    message = proposal_message(session, proposal=proposal, now=NOW)
    assert check_message_content(message) == []
    rows = [b for b in message["blocks"] if str(b.get("block_id", "")).startswith("match_row")]
    assert len(rows) == ROWS_SHOWN == 25
    assert len(rows[0]["accessory"]["options"]) == 25  # drop, and a swap with each other row
    shown = json.dumps(message, ensure_ascii=False)
    assert "…and 5 more pairs, not shown here: confirming creates them too." in shown
    # 31 mentees for 30 places: one is left out, and the message says why.
    assert shown.count("(every mentor who fits is taken)") == 1


def test_two_coordinators_confirming_together_create_the_pairs_once(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writing transaction at a time; PostgreSQL needs the lock")
    with sessions() as session, session.begin():
        spring = cohort_named(session, "Spring")
        person(session, "U0CAT", "mentor", "python", capacity=1)
        person(session, "U0EVE", "mentee", "python")
        proposal_id = propose(session, cohort=spring, by="U0COORD", now=NOW).id
    first = sessions()
    first.begin()
    confirm(first, proposal=open_proposal(first, team_id=TEAM, proposal_id=proposal_id), now=NOW)
    outcome: dict[str, str] = {}

    def second_coordinator() -> None:
        with sessions() as session:
            try:
                with session.begin():
                    found = open_proposal(session, team_id=TEAM, proposal_id=proposal_id)
                    confirm(session, proposal=found, now=NOW)
                    outcome["second"] = "created the pairs again"
            except BadInput as refused:
                outcome["second"] = str(refused)

    press = threading.Thread(target=second_coordinator)
    press.start()
    try:
        # The second press waits for the first one's lock on the proposal...
        wait_for(lambda: _waiting_for_a_lock(first) == 1, "the second Create to wait")
    finally:
        first.commit()
        first.close()
        press.join(timeout=30)
    # ...then finds it confirmed: one pair, one kickoff.
    assert "confirmed already" in outcome["second"]
    with sessions() as session:
        pairs = session.execute(select(Pair.mentor_id, Pair.mentee_id)).all()
        assert [tuple(row) for row in pairs] == [("U0CAT", "U0EVE")]


def _waiting_for_a_lock(session: Session) -> int:
    """How many other connections to this database wait for a row lock."""
    with session.get_bind().connect() as connection:  # type: ignore[union-attr]
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar_one()
        )
