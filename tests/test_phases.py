"""A cohort's phase dates, their schedule on the cohort row, and the producer over a short
cohort (services on a real database; the full programme is in test_closing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Cohort, OutboundMessage
from mentorbot.bot.services.cohorts import (
    create_cohort,
    extend_cohort,
    first_heads_up,
    phase_dates,
    phase_days,
    upcoming_phases,
)
from mentorbot.bot.services.pairs import Planned, create_pairs, end_cohort
from mentorbot.bot.services.phases import produce_phases
from mentorbot.bot.services.workspaces import ensure_workspace

TEAM = "T0MENTOR"
LONDON = ZoneInfo("Europe/London")
DAY = timedelta(days=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_twelve_week_cohort_moves_on_a_week_in_halfway_and_two_weeks_before_the_end() -> None:
    assert phase_days(date(2027, 3, 1), date(2027, 5, 24)) == {
        "active": date(2027, 3, 8),
        "midpoint": date(2027, 4, 12),
        "closing": date(2027, 5, 10),
        "ended": date(2027, 5, 24),
    }


def test_each_phase_begins_at_midnight_in_the_workspace_zone_stored_in_utc() -> None:
    moments = phase_dates(date(2027, 3, 1), date(2027, 5, 24), LONDON)
    assert moments == {
        "active": utc(2027, 3, 8),  # GMT
        "midpoint": utc(2027, 4, 11, 23),  # midnight BST
        "closing": utc(2027, 5, 9, 23),
        "ended": utc(2027, 5, 23, 23),
    }
    assert all(moment.tzinfo is UTC for moment in moments.values())


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        (1, ["03-08", "03-08", "03-08", "03-08"]),
        (2, ["03-08", "03-08", "03-08", "03-15"]),
        (3, ["03-08", "03-11", "03-11", "03-22"]),
        (4, ["03-08", "03-15", "03-15", "03-29"]),
        (5, ["03-08", "03-18", "03-22", "04-05"]),
    ],
)
def test_a_short_cohort_has_its_dates_clamped_so_they_never_go_back(
    weeks: int, expected: list[str]
) -> None:
    days = phase_days(date(2027, 3, 1), date(2027, 3, 1) + timedelta(weeks=weeks))
    assert [f"{day:%m-%d}" for day in days.values()] == expected


def test_a_phase_sharing_its_moment_with_the_next_is_passed_and_gets_no_heads_up() -> None:
    moments = phase_dates(date(2027, 3, 1), date(2027, 3, 29), ZoneInfo("UTC"))
    assert [name for name, _ in upcoming_phases(moments, "kickoff")] == [
        "active",
        "closing",
        "ended",
    ]
    assert [name for name, _ in upcoming_phases(moments, "closing")] == ["ended"]
    assert first_heads_up(moments, "kickoff", not_before=utc(2027, 2, 20)) == utc(2027, 3, 1)
    assert first_heads_up(moments, "kickoff", not_before=utc(2027, 3, 1, 12)) == utc(2027, 3, 8)
    assert first_heads_up(moments, "closing", not_before=utc(2027, 3, 23)) is None


def _workspace(session: Session, zone: str = "Europe/London") -> None:
    ensure_workspace(
        session,
        team_id=TEAM,
        name="test",
        bot_user_id=None,
        defaults={"timezone": zone, "coordinators": ["U0COORD"]},
        now=utc(2027, 1, 1),
    )


def _cohort(session: Session, *, now: datetime, starts: date, weeks: int = 12) -> Cohort:
    return create_cohort(
        session,
        team_id=TEAM,
        name="Spring",
        channel_id="C0SPRING",
        starts_on=starts,
        weeks=weeks,
        created_by="U0COORD",
        now=now,
    )


def test_a_new_cohort_knows_its_next_phase_and_heads_up(session: Session) -> None:
    _workspace(session)
    early = _cohort(session, now=utc(2027, 2, 20, 12), starts=date(2027, 3, 1))
    assert (early.phase, early.next_phase_at, early.heads_up_at) == (
        "kickoff",
        utc(2027, 3, 8),
        utc(2027, 3, 1),
    )
    # Created on its first day: the week-ahead note for "active" has passed, so the first
    # heads-up is the midpoint's (midnight in London, summer time by then).
    session.delete(early)
    late = _cohort(session, now=utc(2027, 3, 1, 12), starts=date(2027, 3, 1))
    assert late.next_phase_at == utc(2027, 3, 8)
    assert late.heads_up_at == utc(2027, 4, 4, 23)


def test_extending_moves_the_end_and_what_is_ahead_never_back(session: Session) -> None:
    _workspace(session, "UTC")
    cohort = _cohort(session, now=utc(2027, 2, 20), starts=date(2027, 3, 1))
    extend_cohort(session, cohort=cohort, weeks=2, now=utc(2027, 3, 2))
    assert cohort.ends_on == date(2027, 6, 7)
    assert cohort.next_phase_at == utc(2027, 3, 8)  # active: a week in, as before
    assert cohort.heads_up_at == utc(2027, 4, 12)  # the midpoint moved a week later

    cohort.phase = "closing"  # say it is closing already: it stays closing, ending later
    extend_cohort(session, cohort=cohort, weeks=4, now=utc(2027, 5, 25))
    assert (cohort.phase, cohort.ends_on) == ("closing", date(2027, 7, 5))
    assert cohort.next_phase_at == utc(2027, 7, 5)
    assert cohort.heads_up_at == utc(2027, 6, 28)

    with pytest.raises(BadInput, match="can get up to 86 more"):
        extend_cohort(session, cohort=cohort, weeks=87, now=utc(2027, 5, 25))
    with pytest.raises(BadInput, match="from 1 to 104"):
        extend_cohort(session, cohort=cohort, weeks=0, now=utc(2027, 5, 25))
    end_cohort(session, cohort=cohort, now=utc(2027, 5, 26))
    assert (cohort.next_phase_at, cohort.heads_up_at) == (None, None)
    with pytest.raises(BadInput, match="has ended, so it cannot be extended"):
        extend_cohort(session, cohort=cohort, weeks=1, now=utc(2027, 5, 26))
    assert cohort.ends_on == date(2027, 7, 5)


def test_a_four_week_cohort_passes_its_midpoint_and_hears_of_each_phase_once(
    session: Session,
) -> None:
    """Midpoint and closing share a day: closing is entered, the midpoint passed silently."""
    _workspace(session, "UTC")
    cohort = _cohort(session, now=utc(2027, 2, 20), starts=date(2027, 3, 1), weeks=4)
    create_pairs(
        session,
        cohort=cohort,
        planned=[Planned("U0MENTOR", "U0MENTEE")],
        now=utc(2027, 2, 20),
        kickoff=False,
    )
    phases = []
    moment = utc(2027, 2, 20, 12)
    while moment < utc(2027, 4, 5):
        moment += DAY
        produce_phases(session, moment)
        if not phases or phases[-1][1] != cohort.phase:
            phases.append((f"{moment:%m-%d}", cohort.phase))
        if cohort.phase == "closing":  # the closing flow, queued (the end withdraws it unsent)
            closing = session.scalars(
                select(OutboundMessage.target_id).where(
                    OutboundMessage.dedupe_key.like("closing:%")
                )
            ).all()
            assert sorted(closing) == ["U0MENTEE", "U0MENTOR"]
    assert phases == [
        ("02-21", "kickoff"),
        ("03-08", "active"),
        ("03-15", "closing"),
        ("03-29", "ended"),
    ]
    keys = session.scalars(select(OutboundMessage.dedupe_key).order_by(OutboundMessage.id)).all()
    heads_ups = [key for key in keys if key.startswith("phasesoon:")]
    assert heads_ups == [
        f"phasesoon:cohort{cohort.id}:active:U0COORD",
        f"phasesoon:cohort{cohort.id}:closing:U0COORD",
        f"phasesoon:cohort{cohort.id}:ended:U0COORD",
    ]
    assert not [key for key in keys if key.startswith("survey:")]
    when = {
        key: at
        for key, at in session.execute(
            select(OutboundMessage.dedupe_key, OutboundMessage.created_at)
        )
    }
    assert [f"{when[key]:%m-%d}" for key in heads_ups] == ["03-01", "03-08", "03-22"]


def test_the_closing_flow_waits_for_a_paused_pair_and_skips_an_ended_one(
    session: Session,
) -> None:
    _workspace(session, "UTC")
    cohort = _cohort(session, now=utc(2027, 2, 20), starts=date(2027, 3, 1))
    paused, ended, _active = create_pairs(
        session,
        cohort=cohort,
        planned=[Planned("U0M1", "U0E1"), Planned("U0M2", "U0E2"), Planned("U0M3", "U0E3")],
        now=utc(2027, 2, 20),
        kickoff=False,
    )
    paused.status, paused.paused_until = "paused", utc(2027, 5, 17, 9)
    ended.status, ended.ended_at = "ended", utc(2027, 4, 1)
    cohort.phase, cohort.next_phase_at = "midpoint", utc(2027, 5, 10)
    produce_phases(session, utc(2027, 5, 10, 6))
    assert cohort.phase == "closing"
    rows = session.execute(
        select(OutboundMessage.target_id, OutboundMessage.not_before).where(
            OutboundMessage.dedupe_key.like("closing:%")
        )
    ).all()
    assert sorted(rows) == [
        ("U0E1", utc(2027, 5, 17, 9)),
        ("U0E3", utc(2027, 5, 10, 6)),
        ("U0M1", utc(2027, 5, 17, 9)),
        ("U0M3", utc(2027, 5, 10, 6)),
    ]
