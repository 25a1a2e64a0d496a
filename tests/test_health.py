"""Cohort health: the figures of a seeded cohort (numbers, not presence), the coordinators'
App Home with its Nudge and Open buttons, `/mentoring status`, and no written word of anyone
reaching any coordinator surface."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot import message_kinds
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.errors import NotAllowed
from mentorbot.bot.message_kinds import MessageKey
from mentorbot.bot.models import (
    Announcement,
    Cohort,
    Concern,
    Feedback,
    Goal,
    Member,
    Milestone,
    OutboundMessage,
    Pair,
)
from mentorbot.bot.outbox import Outgoing, TargetKind, enqueue_many
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.reports import pairs_csv
from mentorbot.bot.services.checkins import CheckInForm, record_checkin
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.digest import digest_message, weekly_changes
from mentorbot.bot.services.feedback import FeedbackForm, record_feedback
from mentorbot.bot.services.feedback_rounds import open_round
from mentorbot.bot.services.health import (
    cohort_health,
    engagement,
    failed_deliveries,
    pair_engagement,
    weekly_checkins,
)
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.services.pairs import Planned, create_pairs, end_pairs
from mentorbot.handlers.events.home import MAX_BLOCKS, home_view
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.contract import check_view
from tests.programme import ANA, BEN, CAT, COORD, DAN, mentoring
from tests.rhythm import opened

TEAM = "T0MENTOR"
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday
NOW = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)  # a Wednesday, four and a half weeks on
M3, E3, M4, E4, M5, E5, M9, E9 = "U0M3", "U0E3", "U0M4", "U0E4", "U0M5", "U0E5", "U0M9", "U0E9"
# Distinctive words people wrote: none may reach a coordinator, on any surface.
SECRETS = (
    "SECRET-WENT-WELL",
    "SECRET-BLOCKER",
    "SECRET-NEXT-STEP",
    "SECRET-CONCERN",
    "SECRET-COMMENT",
    "SECRET-GOAL",
)
# Column names that hold what people wrote, as they appear in SQL.
TEXT_COLUMNS = (
    "went_well",
    "blockers",
    "next_steps",
    "concern.text",
    "feedback.comment",
    "goal.title",
    "goal.measure",
)


@dataclass(frozen=True)
class Seeded:
    """The seeded programme's ids."""

    spring: int
    autumn: int
    steady: int  # Ana mentors Ben, weekly: checked in every week
    low: int  # Cat mentors Dan, every two weeks: low ratings
    quiet: int  # M3 mentors E3, weekly: never checked in, an open concern
    paused: int
    ended: int
    autumn_pair: int


def _checkin(
    session: Session, pair: Pair, at: datetime, rating: int | None, *, by: str | None = None
) -> None:
    form = CheckInForm(
        rating=rating,
        went_well="SECRET-WENT-WELL",
        blockers="SECRET-BLOCKER",
        next_steps="SECRET-NEXT-STEP",
        goal_id=None,
        shared=True,
    )
    record_checkin(
        session, pair=pair, author_id=by or pair.mentee_id, form=form, source="modal", now=at
    )


def _day(day: int, hour: int = 10) -> datetime:
    return datetime(2027, 3, day, hour, 0, tzinfo=UTC)


def seed(session: Session) -> Seeded:
    """Two cohorts. Spring 2027 (weekly, from Monday 1 March) has five pairs:

    - steady (Ana → Ben, weekly): checked in on 2, 9, 16, 23 and 30 March, rated 4;
      two goals, one done.
    - low (Cat → Dan, every two weeks): checked in on 5 March (rated 2) and 12 March (1);
      one goal, dropped.
    - quiet (M3 → E3, weekly): never checked in; one open goal; one open concern.
    - paused (M4 → E4): checked in on 8 March (5).
    - ended (M5 → E5): checked in on 2 March, ended on 20 March.

    Autumn 2027 (from 15 March) has one pair, every two weeks, with no check-in yet.
    """
    spring = create_cohort(
        session,
        team_id=TEAM,
        name="Spring 2027",
        channel_id="C0SPRING",
        starts_on=date(2027, 3, 1),
        cadence="weekly",
        created_by=COORD,
        now=START,
    )
    autumn = create_cohort(
        session,
        team_id=TEAM,
        name="Autumn 2027",
        channel_id="C0AUTUMN",
        starts_on=date(2027, 3, 15),
        created_by=COORD,
        now=START,
    )
    steady, quiet, paused, ended = create_pairs(
        session,
        cohort=spring,
        now=START,
        kickoff=False,
        planned=[Planned(ANA, BEN), Planned(M3, E3), Planned(M4, E4), Planned(M5, E5)],
    )
    [low] = create_pairs(
        session,
        cohort=spring,
        now=START,
        kickoff=False,
        cadence="biweekly",
        planned=[Planned(CAT, DAN)],
    )
    [autumn_pair] = create_pairs(
        session,
        cohort=autumn,
        now=datetime(2027, 3, 15, 9, 0, tzinfo=UTC),
        kickoff=False,
        planned=[Planned(M9, E9)],
    )
    for day in (2, 9, 16, 23, 30):
        _checkin(session, steady, _day(day), 4)
    _checkin(session, low, _day(5), 2)
    _checkin(session, low, _day(12), 1, by=CAT)
    _checkin(session, paused, _day(8), 5)
    _checkin(session, ended, _day(2), None)
    paused.status, paused.paused_until = "paused", NOW + timedelta(days=7)
    end_pairs(session, pairs=[ended], cohort=spring, reason="unpaired", now=_day(20))
    for pair, status in ((steady, "done"), (steady, "open"), (low, "dropped"), (quiet, "open")):
        session.add(
            Goal(
                team_id=TEAM,
                pair_id=pair.id,
                title="SECRET-GOAL",
                measure="SECRET-GOAL measure",
                status=status,
                created_at=START,
                completed_at=_day(29) if status == "done" else None,
            )
        )
    session.add_all(
        [
            Concern(
                team_id=TEAM,
                pair_id=quiet.id,
                raised_by=E3,
                text="SECRET-CONCERN",
                status="open",
                created_at=_day(29),
            ),
            Concern(
                team_id=TEAM,
                pair_id=steady.id,
                raised_by=BEN,
                text="SECRET-CONCERN handled",
                status="handled",
                created_at=_day(3),
            ),
        ]
    )
    # The midpoint survey round: open from 20 March for a week, closed by NOW.
    open_round(session, cohort=spring, phase="midpoint", now=_day(20))
    for pair, author, value in ((steady, BEN, 5), (low, DAN, 2), (quiet, E3, 2)):
        form = FeedbackForm(value, value, value + 1 if value < 5 else 5, "SECRET-COMMENT")
        record_feedback(
            session, pair=pair, author_id=author, phase="midpoint", form=form, now=_day(20)
        )
    record_feedback(
        session,
        pair=steady,
        author_id=ANA,
        phase="midpoint",
        form=FeedbackForm(4, 4, 4, "SECRET-COMMENT"),
        now=_day(20),
    )
    for user_id, name in ((ANA, "Ana"), (BEN, "=Ben"), (CAT, "Cat"), (DAN, "Dan")):
        session.add(Member(team_id=TEAM, user_id=user_id, name=name, created_at=START))
    # Failed deliveries: a person gone, an archived channel, one given up; and others'.
    outbox: list[Delivery] = [
        ("user", E3, message_kinds.nudge(quiet), "account_inactive"),
        ("channel", "C0SPRING", message_kinds.win_share(steady, Milestone(id=1)), "is_archived"),
        ("user", BEN, message_kinds.prompt(steady, _day(9, 10)), "gave up after 8 attempts: x"),
        ("user", E9, message_kinds.nudge(autumn_pair), "user_not_found"),
        ("user", ANA, message_kinds.prep(steady, _day(16, 10)), None),  # sent, not failed
    ]
    delivered(session, outbox)
    session.flush()
    return Seeded(
        spring.id, autumn.id, steady.id, low.id, quiet.id, paused.id, ended.id, autumn_pair.id
    )


# A message that was queued (target kind, target, key) and failed with an error, or was sent.
Delivery = tuple[TargetKind, str, MessageKey | str, str | None]


def delivered(session: Session, outbox: list[Delivery]) -> None:
    """Queue these messages, then mark each failed with its error, or sent without one."""
    enqueue_many(
        session,
        [
            Outgoing(TEAM, key, kind, target, {"text": "hi"}, START)
            for kind, target, key, _ in outbox
        ],
        now=START,
    )
    for _kind, _target, key, error in outbox:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.dedupe_key == str(key))
            .values(status="failed" if error else "sent", last_error=error)
        )


def seeded(sessions: sessionmaker[Session]) -> Seeded:
    with unit_of_work(sessions) as session:
        return seed(session)


def cohorts(session: Session, *ids: int) -> list[Cohort]:
    return [c for i in ids if (c := session.get(Cohort, i)) is not None]


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement the session's engine runs inside the block."""
    found: list[str] = []
    engine = session.get_bind()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


# -- the figures -------------------------------------------------------------------------------


def test_the_figures_of_a_seeded_cohort(session: Session) -> None:
    ids = seed(session)
    spring, autumn = cohort_health(
        session, cohorts=cohorts(session, ids.spring, ids.autumn), now=NOW
    )

    assert (spring.active, spring.paused, spring.ended, spring.proposed) == (3, 1, 1, 0)
    # Steady: 4 weekly cycles in 28 days, all met; low: 2 fortnightly cycles, one met (12
    # March is in the older one); quiet: 4 cycles, none. Paused and ended pairs are left out.
    assert (spring.rate.met, spring.rate.expected, spring.rate.percent) == (5, 10, 50)
    # The quiet pair first (an open concern, 4 weeks without a check-in), then low ratings.
    assert [row.pair_id for row in spring.at_risk] == [ids.quiet, ids.low]
    quiet, low = spring.at_risk
    assert [(r.kind, r.weeks, r.count) for r in quiet.risks] == [("quiet", 4, 0), ("concern", 0, 1)]
    assert [(r.kind, r.rating, r.average) for r in low.risks] == [("low_rating", 1, 1.5)]
    assert (spring.goals_done, spring.goals_total) == (1, 3)  # the dropped one is left out
    latest = spring.feedback.latest
    assert latest is not None and latest.round.phase == "midpoint"
    mentees, mentors = latest.mentees, latest.mentors
    assert not mentees.withheld and mentees.answered == 3
    assert mentees.averages == {"trust": 3.0, "communication": 3.0, "usefulness": 3.7}
    assert mentees.comments == []  # health never reads comments
    assert mentors.withheld and mentors.averages == {}  # one mentor answered: below 3
    failed = spring.failed
    assert (failed.person_left, failed.channel_gone, failed.other, failed.total) == (1, 1, 1, 3)
    assert failed.people == (E3,)

    assert (autumn.active, autumn.paused, autumn.ended) == (1, 0, 0)
    # Paired 15 March 09:00, every two weeks: one whole cycle by now, not met.
    assert (autumn.rate.met, autumn.rate.expected, autumn.rate.percent) == (0, 1, 0)
    assert autumn.at_risk == [] and (autumn.goals_done, autumn.goals_total) == (0, 0)
    assert autumn.feedback.rounds == [] and autumn.feedback.open is None
    assert (autumn.failed.person_left, autumn.failed.total, autumn.failed.people) == (1, 1, (E9,))

    # The week before, the quiet pair had been quiet for 3 weeks; two weeks on, the steady
    # pair (last check-in 30 March) is not yet quiet: two weekly cycles make 14 days.
    [earlier] = cohort_health(
        session, cohorts=cohorts(session, ids.spring), now=NOW - timedelta(days=7)
    )
    assert [r.weeks for r in earlier.at_risk[0].risks if r.kind == "quiet"] == [3]
    later = datetime(2027, 4, 13, 9, 0, tzinfo=UTC)  # 13 days 23 hours after 30 March 10:00
    [steady] = engagement(
        session, cohort=cohorts(session, ids.spring)[0], now=later, pair_ids=[ids.steady]
    )
    assert steady.risks == ()
    [steady] = engagement(
        session,
        cohort=cohorts(session, ids.spring)[0],
        now=later + timedelta(days=1),
        pair_ids=[ids.steady],
    )
    assert [(r.kind, r.weeks) for r in steady.risks] == [("quiet", 2)]


def test_failed_deliveries_count_for_the_cohort_each_message_is_about(session: Session) -> None:
    """A cohort's phase notes and announcement posts count for it, like its pairs' messages;
    a message about no pair or cohort counts where it was for the cohort's channel; an
    announcement's refusal to its author, a concern's copy and a coordinator's own note count
    for no cohort."""
    ids = seed(session)
    spring, autumn = cohorts(session, ids.spring, ids.autumn)
    post = Announcement(id=901, team_id=TEAM, cohort_id=autumn.id)
    concern = Concern(id=902, team_id=TEAM, raised_by=BEN)
    outbox: list[Delivery] = [
        ("user", COORD, message_kinds.phase_soon(autumn, "midpoint", COORD), "user_not_found"),
        ("channel", "C0AUTUMN", message_kinds.announcement(post), "channel_not_found"),
        ("user", COORD, message_kinds.announcement_refused(post), "user_not_found"),
        ("user", COORD, message_kinds.concern(concern, COORD), "user_not_found"),
        ("user", COORD, message_kinds.escalations(COORD, date(2027, 3, 2)), "user_not_found"),
        ("channel", "C0SPRING", "note:1", "is_archived"),  # a key from elsewhere: no columns
    ]
    delivered(session, outbox)

    found = failed_deliveries(session, team_id=TEAM, cohorts=[spring, autumn])

    autumn_failed, spring_failed = found[autumn.id], found[spring.id]
    assert (autumn_failed.person_left, autumn_failed.channel_gone, autumn_failed.total) == (2, 1, 3)
    assert autumn_failed.people == (E9, COORD)
    assert (spring_failed.channel_gone, spring_failed.total) == (2, 4)


def test_feedback_figures_keep_the_anonymity_threshold(session: Session) -> None:
    ids = seed(session)
    chosen = cohorts(session, ids.spring)

    def shown() -> str:
        health = cohort_health(session, cohorts=chosen, now=NOW)
        return render_text(
            "health/status.md.j2",
            health=health,
            named=True,
            shown=15,
            now=NOW,
            zone=UTC,
            min_group=3,
            retention_days=None,
        )

    assert "mentees: trust 3.0 · communication 3.0 · usefulness 3.7 (3 mentees)" in shown()
    # Two mentees left: no numbers at all, not even theirs.
    session.execute(delete(Feedback).where(Feedback.author_id == E3))
    [health] = cohort_health(session, cohorts=chosen, now=NOW)
    latest = health.feedback.latest
    assert latest is not None and latest.mentees.withheld and latest.mentees.averages == {}
    text = shown()
    assert "mentees: not enough answers; mentors: not enough answers" in text
    assert "trust" not in text and "a round's averages appear when it closes" in text
    assert "*Feedback* (midpoint survey, out of 5)" in text


def test_per_pair_engagement_and_weekly_checkins(session: Session) -> None:
    ids = seed(session)
    [spring] = cohorts(session, ids.spring)
    rows = {row.pair_id: row for row in engagement(session, cohort=spring, now=NOW)}
    steady, low, quiet = rows[ids.steady], rows[ids.low], rows[ids.quiet]
    assert (steady.mentor_name, steady.mentee_name, steady.status, steady.cadence) == (
        "Ana",
        "=Ben",
        "active",
        "weekly",
    )
    assert (steady.checkins, steady.checkins_recent, steady.last_checkin) == (5, 4, _day(30))
    assert (steady.average_rating, steady.goals_open, steady.goals_done) == (4.0, 1, 1)
    assert (steady.open_concerns, steady.risks, steady.paired_on) == (0, (), date(2027, 3, 1))
    assert (low.checkins, low.checkins_recent, low.average_rating) == (2, 2, 1.5)
    assert (quiet.checkins, quiet.last_checkin, quiet.average_rating, quiet.open_concerns) == (
        0,
        None,
        None,
        1,
    )
    ended = rows[ids.ended]
    assert (ended.status, ended.ended_on, ended.risks) == ("ended", date(2027, 3, 20), ())
    assert rows[ids.paused].risks == ()  # a paused pair is on a break, not quiet
    assert pair_engagement(session, team_id=TEAM, pair_id=ids.low, now=NOW) == low

    # Weeks from Monday 1 March to today (31 March), in the workspace's zone (UTC here).
    assert weekly_checkins(session, cohort=spring, now=NOW) == [
        (date(2027, 3, 1), 3),
        (date(2027, 3, 8), 3),
        (date(2027, 3, 15), 1),
        (date(2027, 3, 22), 1),
        (date(2027, 3, 29), 1),
    ]


def test_a_coordinator_in_a_pair_does_not_see_that_pair_on_its_own(session: Session) -> None:
    """M3 coordinates and mentors the quiet pair: its concern and figures go to the others."""
    ids = seed(session)
    chosen = cohorts(session, ids.spring)
    [others] = cohort_health(session, cohorts=chosen, now=NOW)
    [theirs] = cohort_health(session, cohorts=chosen, now=NOW, viewer=M3)
    assert [row.pair_id for row in others.at_risk] == [ids.quiet, ids.low]
    assert [row.pair_id for row in theirs.at_risk] == [ids.low]
    # Their pair still counts in the totals.
    assert (theirs.active, theirs.rate.met, theirs.rate.expected) == (3, 5, 10)
    rows = engagement(session, cohort=chosen[0], now=NOW, viewer=M3)
    assert ids.quiet not in [row.pair_id for row in rows] and len(rows) == 4
    with pytest.raises(NotAllowed, match="your own pair"):
        pair_engagement(session, team_id=TEAM, pair_id=ids.quiet, now=NOW, viewer=M3)
    assert weekly_changes(session, cohorts=chosen, now=NOW)[ids.spring].concerns == 1
    assert weekly_changes(session, cohorts=chosen, now=NOW, viewer=M3)[ids.spring].concerns == 0
    status = render_text(
        "health/status.md.j2",
        health=[theirs],
        named=True,
        shown=15,
        now=NOW,
        zone=UTC,
        min_group=3,
        retention_days=None,
    )
    assert "concern" not in status.lower() and "<@U0M3> mentors" not in status
    assert "concern" in render_text(
        "health/status.md.j2",
        health=[others],
        named=True,
        shown=15,
        now=NOW,
        zone=UTC,
        min_group=3,
        retention_days=None,
    )


def test_no_text_anyone_wrote_reaches_a_coordinator_surface(session: Session) -> None:
    """Home, status (same partials), digest, CSV and the pair modal: none holds a word anyone
    wrote, and none of the queries behind them even reads such a column."""
    ids = seed(session)
    session.commit()
    with statements(session) as sql:
        chosen = cohorts(session, ids.spring, ids.autumn)
        health = cohort_health(session, cohorts=chosen, now=NOW)
        digest = digest_message(
            health, weekly_changes(session, cohorts=chosen, now=NOW), zone=UTC, now=NOW
        )
        csv = pairs_csv(engagement(session, cohort=chosen[0], now=NOW)).decode()
        row = pair_engagement(session, team_id=TEAM, pair_id=ids.quiet, now=NOW)
    # The Home also reads the coordinator's own check-ins (theirs to read): rendered apart.
    home = home_view(session, team_id=TEAM, user_id=COORD, coordinator=True, now=NOW)
    status = render_text(
        "health/status.md.j2",
        health=health,
        named=False,
        shown=15,
        now=NOW,
        zone=UTC,
        min_group=3,
        retention_days=None,
    )
    modal = render_json("health/pair_modal.json.j2", row=row, zone=UTC)
    everything = json.dumps([home, digest, modal]) + status + csv
    assert "Spring 2027" in everything and "Cohort health" in json.dumps(home)
    for secret in SECRETS:
        assert secret not in everything
    read = " ".join(sql).lower()
    assert "check_in.rating" in read and "feedback.trust" in read  # the figures were read
    for column in TEXT_COLUMNS:
        assert column not in read, column


# -- App Home, buttons and status, through Slack ---------------------------------------------


pytestmark = pytest.mark.usefixtures("people")


def home_of(slack: SignedSlackClient, standin: SlackStandin, user_id: str) -> dict[str, Any]:
    event = {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"}
    assert slack.event(event).status == 200
    view = standin.home_view(user_id)
    assert view is not None
    return dict(view)


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def buttons(view: dict[str, Any], block_id: str) -> list[tuple[str, str]]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return [(e["action_id"], e["value"]) for e in block["elements"]]


def nudges(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(OutboundMessage.dedupe_key, OutboundMessage.target_id).where(
                OutboundMessage.dedupe_key.like("nudge:%asked%")
            )
        ).all()
    return [(key, target) for key, target in rows]


def test_coordinators_home_shows_cohort_health_and_its_buttons_work(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    ids = seeded(runtime.sessions)
    with freeze_time(NOW):
        view = home_of(slack, standin, COORD)
        assert check_view(view, "home") == []
        shown = texts(view)
        assert "Cohort health" in shown
        assert "*Pairs:* 3 active · 1 paused · 1 ended" in shown
        assert "*Check-in rate, last 4 weeks:* *50%* (5 of 10 expected check-ins)" in shown
        assert "*At risk:* 2 pairs" in shown and "*Goals done:* 1 of 3" in shown
        assert "mentees: trust 3.0 · communication 3.0 · usefulness 3.7 (3 mentees)" in shown
        assert "mentors: not enough answers" in shown
        assert "1 message to people who left Slack (<@U0E3>)" in shown
        assert "no check-in for 4 weeks; 1 open concern" in shown
        assert "low ratings (latest 1/5, last three 1.5 on average)" in shown
        # Autumn too: every running cohort.
        assert "*Check-in rate, last 4 weeks:* *0%* (0 of 1 expected check-ins)" in shown
        # Only the quiet pair can be nudged; both can be opened.
        assert buttons(view, f"risk_actions_{ids.quiet}") == [
            ("health_nudge", str(ids.quiet)),
            ("health_open", str(ids.quiet)),
        ]
        assert buttons(view, f"risk_actions_{ids.low}") == [("health_open", str(ids.low))]
        for secret in SECRETS:
            assert secret not in shown
        # Someone who is not a coordinator sees no cohort health.
        assert "Cohort health" not in texts(home_of(slack, standin, BEN))

        # Nudge: one DM to the quiet pair's mentee, in the automatic nudge's words; pressing
        # again the same day queues nothing more; the Home says it was nudged today.
        slack.block_action(COORD, "health_nudge", value=str(ids.quiet), view=view)
        slack.block_action(COORD, "health_nudge", value=str(ids.quiet), view=view)
        assert nudges(runtime.sessions) == [(f"nudge:pair{ids.quiet}:asked20270331", "U0E3")]
        with runtime.sessions() as session:
            payload = session.scalar(
                select(OutboundMessage.payload).where(
                    OutboundMessage.dedupe_key.like("nudge:%asked%")
                )
            )
        assert "It has been a while since you and <@U0M3> checked in" in json.dumps(payload)
        refreshed = standin.home_view(COORD)
        assert refreshed is not None
        assert "_nudged today_" in texts(refreshed)
        assert buttons(refreshed, f"risk_actions_{ids.quiet}") == [("health_open", str(ids.quiet))]

        # Open: the pair's figures in a modal, no text.
        slack.block_action(COORD, "health_open", value=str(ids.quiet), view=view)
        modal = opened(standin)
        assert check_view(modal, "modal") == []
        figures = texts(modal)
        assert "<@U0M3> mentors <@U0E3>" in figures
        assert "*Check-ins:* 0 in all, 0 in the last 4 weeks" in figures
        assert "*Goals:* 0 done, 1 open" in figures and "*Open concerns:* 1" in figures
        assert "no check-in for 4 weeks; 1 open concern" in figures
        assert "SECRET" not in figures

        # Not a coordinator: a polite refusal, and nothing is queued or shown.
        opens = len(standin.calls_to("views.open"))
        slack.block_action(BEN, "health_nudge", value=str(ids.quiet))
        assert len(standin.calls_to("views.open")) == opens + 1
        refusal = texts(opened(standin))
        assert "only programme coordinators can nudge a pair" in refusal
        slack.block_action(BEN, "health_open", value=str(ids.low))
        assert "only programme coordinators" in texts(opened(standin))
        assert len(nudges(runtime.sessions)) == 1
        # A pair that is paused is not nudged; it says why.
        slack.block_action(COORD, "health_nudge", value=str(ids.paused))
        assert "are paused, so they get no nudges" in texts(opened(standin))
        assert len(nudges(runtime.sessions)) == 1


def test_a_home_published_again_after_a_button_is_drawn_as_of_the_bots_clock(
    slack: SignedSlackClient,
    runtime: Runtime,
    standin: SlackStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bot's clock, not the wall clock (they differ in `mentorbot demo`), says when "now"
    is, also for the Home drawn again after a button on it (here a coordinator's Resume)."""
    ids = seeded(runtime.sessions)
    with unit_of_work(runtime.sessions) as session:
        get_or_create_member(session, team_id=TEAM, user_id=E4, now=NOW).is_coordinator = True
    monkeypatch.setattr(runtime, "clock", lambda: NOW)
    paused = home_of(slack, standin, E4)
    assert "no check-in for 4 weeks; 1 open concern" in texts(paused)

    slack.block_action(E4, "pause_resume", value=str(ids.paused), view=paused)

    refreshed = standin.home_view(E4)
    assert refreshed is not None and "pause_resume" not in texts(refreshed)
    assert "no check-in for 4 weeks; 1 open concern" in texts(refreshed)


def test_a_home_with_many_cohorts_and_pairs_at_risk_stays_within_slacks_limits(
    session: Session,
) -> None:
    for number in range(8):
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name=f"Cohort {number}",
            channel_id="C0MANY",
            starts_on=date(2027, 1, 4),
            cadence="weekly",
            created_by=COORD,
            now=datetime(2027, 1, 4, tzinfo=UTC),
        )
        create_pairs(
            session,
            cohort=cohort,
            now=datetime(2027, 1, 4, tzinfo=UTC),
            kickoff=False,
            planned=[Planned(f"U0M{number}X{i}", f"U0E{number}X{i}") for i in range(12)],
        )
    view = home_view(session, team_id=TEAM, user_id=COORD, coordinator=True, now=NOW)
    assert len(view["blocks"]) <= MAX_BLOCKS
    assert check_view(view, "home") == []
    shown = texts(view)
    assert "…and 3 more running cohorts: `/mentoring status` shows them all." in shown
    assert shown.count("*At risk:* 12 pairs") == 5
    listed = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("risk_actions_")]
    assert len(listed) in (5 * 5, 5 * 2)  # five or two at-risk pairs per cohort shown
    more = 12 - len(listed) // 5
    assert shown.count(f"…and {more} more at risk") == 5


def test_mentoring_status_gives_the_same_figures_as_a_message(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    seeded(runtime.sessions)
    with freeze_time(NOW):
        every = mentoring(slack, "status")
        named = mentoring(slack, "status spring 2027")
        unknown = mentoring(slack, "status Winter")
        refused = mentoring(slack, "status", user_id=BEN)
    assert "*Cohort health* of every running cohort" in every
    # Newest first, as `/mentoring cohorts` lists them.
    assert every.index("*Autumn 2027* (kickoff)") < every.index("*Spring 2027* (kickoff)")
    assert "*Check-in rate, last 4 weeks:* *50%* (5 of 10 expected check-ins)" in every
    assert "*Check-in rate, last 4 weeks:* *0%* (0 of 1 expected check-ins)" in every
    assert "• <@U0M3> mentors <@U0E3>: no check-in for 4 weeks; 1 open concern" in every
    assert (
        "• <@U0CAT> mentors <@U0DAN>: low ratings (latest 1/5, last three 1.5 on average)" in every
    )
    assert "3 messages" not in every and "1 message to a channel that was archived" in every
    assert "1 message for other reasons" in every
    assert "never what anyone wrote" in every
    assert "Autumn" not in named and "*Pairs:* 3 active · 1 paused · 1 ended" in named
    assert "every running cohort" not in named
    assert "no cohort called *Winter*" in unknown
    assert "*Spring 2027*" in unknown and "*Autumn 2027*" in unknown
    assert "only programme coordinators" in refused
    for secret in SECRETS:
        assert secret not in every + named
