"""The weekly digest: due Monday 09:00 in each coordinator's own time zone, once per week
(late after downtime, never twice), only where there are cohorts; what changed in 7 days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Cohort, Member, OutboundMessage, Pair, Workspace
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.digest import (
    Changes,
    digest_message,
    produce_digests,
    weekly_changes,
)
from mentorbot.bot.services.health import cohort_health
from mentorbot.bot.tick import PRODUCERS
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import ANA, CAT, COORD, DAN, create_spring, mention, mentoring
from tests.rhythm import run_until, sent
from tests.test_health import NOW, TEAM, seed

LONDON_COORD, TOKYO, NEW_YORK, GONE = "U0COORD", "U0TOKYO", "U0NYC", "U0GONE"


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def digests(session: Session) -> list[str]:
    """The digest keys queued so far, sorted."""
    return sorted(
        session.scalars(
            select(OutboundMessage.dedupe_key).where(OutboundMessage.dedupe_key.like("digest:%"))
        )
    )


def workspaces(session: Session) -> None:
    """Our workspace (London by default; a configured coordinator without a profile, one in
    Tokyo, one in New York, one who left Slack) with a cohort; another workspace with a
    coordinator but no cohort; an uninstalled one."""
    session.add_all(
        [
            Workspace(
                team_id=TEAM,
                settings={"timezone": "Europe/London", "coordinators": [LONDON_COORD]},
                installed_at=utc(1, 0),
            ),
            Workspace(
                team_id="T0EMPTY", settings={"coordinators": ["U0EMPTY"]}, installed_at=utc(1, 0)
            ),
            Workspace(
                team_id="T0GONE",
                settings={"coordinators": ["U0OLD"]},
                installed_at=utc(1, 0),
                uninstalled_at=utc(1, 0),
            ),
            Member(team_id=TEAM, user_id=TOKYO, tz="Asia/Tokyo", is_coordinator=True),
            Member(team_id=TEAM, user_id=NEW_YORK, tz="America/New_York", is_coordinator=True),
            Member(team_id=TEAM, user_id=GONE, tz="UTC", is_coordinator=True, deleted=True),
            Member(team_id=TEAM, user_id=ANA, tz="Asia/Tokyo"),  # not a coordinator
        ]
    )
    for team_id in (TEAM, "T0GONE"):
        create_cohort(
            session,
            team_id=team_id,
            name="Spring 2027",
            channel_id="C0SPRING",
            starts_on=date(2027, 2, 1),
            weeks=20,
            created_by=COORD,
            now=utc(1, 0, month=2),
        )
    session.flush()


def queue_at(session: Session, moment: datetime) -> list[str]:
    """Run the producer at `moment`; the keys it queued."""
    before = set(digests(session))
    produce_digests(session, moment)
    return sorted(set(digests(session)) - before)


def test_digests_fall_due_on_monday_at_nine_in_each_coordinators_own_time_zone(
    session: Session,
) -> None:
    assert produce_digests in PRODUCERS
    workspaces(session)
    # On Friday 5 March every coordinator's digest of week 9 is still due (a late one).
    assert queue_at(session, utc(5, 12)) == [
        f"digest:{LONDON_COORD}:2027-W09",
        f"digest:{NEW_YORK}:2027-W09",
        f"digest:{TOKYO}:2027-W09",
    ]
    assert queue_at(session, utc(6, 12)) == []
    # Monday 8 March, 09:00 in Tokyo is 00:00 UTC; in London 09:00 (GMT); in New York 14:00.
    assert queue_at(session, utc(7, 23, 59)) == []
    assert queue_at(session, utc(8, 0)) == [f"digest:{TOKYO}:2027-W10"]
    assert queue_at(session, utc(8, 8, 59)) == []
    assert queue_at(session, utc(8, 9)) == [f"digest:{LONDON_COORD}:2027-W10"]
    assert queue_at(session, utc(8, 13, 59)) == []
    assert queue_at(session, utc(8, 14)) == [f"digest:{NEW_YORK}:2027-W10"]
    assert queue_at(session, utc(10, 12)) == []  # never twice in a week

    # Down from Sunday to Wednesday: week 11's digests go out late, once each.
    assert queue_at(session, utc(17, 12)) == [
        f"digest:{LONDON_COORD}:2027-W11",
        f"digest:{NEW_YORK}:2027-W11",
        f"digest:{TOKYO}:2027-W11",
    ]
    assert queue_at(session, utc(18, 12)) == []
    # Down all of week 12: on its Saturday it is too late; the next one comes on Monday.
    assert queue_at(session, utc(27, 12)) == []
    # Monday 29 March: New York is on summer time since the 14th (09:00 is 13:00 UTC),
    # London since the 28th (09:00 is 08:00 UTC).
    assert queue_at(session, utc(29, 7, 59)) == [f"digest:{TOKYO}:2027-W13"]
    assert queue_at(session, utc(29, 8)) == [f"digest:{LONDON_COORD}:2027-W13"]
    assert queue_at(session, utc(29, 12, 59)) == []
    assert queue_at(session, utc(29, 13)) == [f"digest:{NEW_YORK}:2027-W13"]

    # The one who left Slack, the workspace without cohorts, the uninstalled one: none.
    everyone = " ".join(digests(session))
    assert GONE not in everyone and "U0EMPTY" not in everyone and "U0OLD" not in everyone
    assert len(digests(session)) == 12
    with_targets = session.execute(
        select(
            OutboundMessage.team_id, OutboundMessage.target_kind, OutboundMessage.target_id
        ).where(OutboundMessage.dedupe_key == f"digest:{TOKYO}:2027-W10")
    ).one()
    assert tuple(with_targets) == (TEAM, "user", TOKYO)


def test_a_programme_started_midweek_waits_for_next_mondays_digest(session: Session) -> None:
    session.add(
        Workspace(team_id=TEAM, settings={"coordinators": [LONDON_COORD]}, installed_at=utc(1, 0))
    )
    create_cohort(
        session,
        team_id=TEAM,
        name="Spring 2027",
        channel_id="C0SPRING",
        starts_on=date(2027, 3, 15),
        weeks=12,
        created_by=LONDON_COORD,
        now=utc(10, 15),  # Wednesday: this week's digest time (Monday 09:00) has passed
    )
    session.flush()
    assert queue_at(session, utc(10, 15, 1)) == []
    assert queue_at(session, utc(12, 17)) == []
    assert queue_at(session, utc(15, 9)) == [f"digest:{LONDON_COORD}:2027-W11"]


def test_a_digest_says_what_changed_in_seven_days_and_who_needs_attention(
    session: Session,
) -> None:
    ids = seed(session)
    spring = session.get(Cohort, ids.spring)
    autumn = session.get(Cohort, ids.autumn)
    assert spring is not None and autumn is not None
    # This week (24 to 31 March): a pair joins, the low pair ends, Spring reaches its midpoint.
    session.add(
        Pair(
            team_id=TEAM,
            cohort_id=spring.id,
            mentor_id="U0NEWM",
            mentee_id="U0NEWE",
            cadence="weekly",
            status="active",
            created_at=utc(30, 9),
            quiet_since=utc(30, 9),
        )
    )
    low = session.get(Pair, ids.low)
    assert low is not None
    low.status, low.ended_at = "ended", utc(29, 9)
    spring.phase, spring.phase_changed_at = "midpoint", utc(28, 0)
    session.flush()

    changes = weekly_changes(session, cohorts=[spring, autumn], now=NOW)
    # Check-ins: steady's on 30 March; goals done: steady's on 29 March; concerns: quiet's.
    assert changes[spring.id] == Changes(
        new_pairs=1, ended_pairs=1, checkins=1, goals_done=1, concerns=1, phase="midpoint"
    )
    assert changes[autumn.id] == Changes() and not changes[autumn.id].any

    health = cohort_health(session, cohorts=[spring, autumn], now=NOW)
    message = digest_message(health, changes, zone=ZoneInfo("Asia/Tokyo"), now=NOW)
    text = json.dumps(message, ensure_ascii=False)
    assert message["text"] == "Your weekly mentoring digest: 1 pair may need attention."
    assert (
        "*This week:* 1 new pair · 1 pair ended · 1 check-in · 1 goal done · 1 concern raised"
        " · now in its midpoint phase"
    ) in text
    assert "*This week:* 0 check-ins" in text  # Autumn
    # In the reader's time zone: 31 March 12:00 UTC is 21:00 in Tokyo.
    assert "The 7 days from Wednesday 24 March to Wednesday 31 March 2027." in text
    assert "*Needs attention*\\n• <@U0M3> mentors <@U0E3>: no check-in for 4 weeks" in text
    assert "low ratings" not in text  # that pair has ended
    assert "*Check-in rate, last 4 weeks:* *50%* (4 of 8 expected check-ins)" in text
    assert "SECRET" not in text


def test_each_coordinator_receives_the_digest_at_nine_on_monday_their_time(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin, people: None
) -> None:
    start = utc(1, 12)  # Monday 1 March 2027
    with freeze_time(start, tick=True) as clock:
        create_spring(slack, "starts 2027-03-01 cadence weekly")
        assert "coordinator" in mentoring(slack, f"coordinator add {mention(ANA)}")
        mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
        run_until(runtime, clock, start, utc(8, 15), timedelta(hours=1))
    delivered = [(s.to, s.at) for s in sent(runtime.sessions, "digest")]
    # Ana was told she coordinates now (and that DM taught mentorbot her time zone).
    [welcome] = [s for s in sent(runtime.sessions, "coordinator") if s.to == ANA]
    assert welcome.at == utc(2, 0)  # 09:00 in Tokyo, her first working hour
    assert any(
        "made you a coordinator" in m["text"]
        for m in standin.messages_in(standin.dm_channel_for(ANA))
    )
    assert delivered == [
        # Nothing in week 9: the cohort began after its digest time. Week 10: Monday 09:00
        # on each one's own clock.
        (ANA, utc(8, 0)),
        (COORD, utc(8, 9)),
    ]
    [latest] = [m for m in standin.messages_in(COORD) if "weekly mentoring digest" in m["text"]]
    shown = json.dumps(latest, ensure_ascii=False)
    assert "*Spring 2027*" in shown and "*Pairs:* 1 active · 0 paused · 0 ended" in shown
    # Paired Monday 1 March 12:00, weekly: one whole cycle by Monday 8 March 09:00 is none
    # (6 days 21 hours), so no check-in was expected yet.
    assert "*Check-in rate, last 4 weeks:* none expected yet" in shown


def test_the_digest_points_to_what_lists_every_pair_it_leaves_out(session: Session) -> None:
    """The trial's digest said the App Home listed 139 more pairs; it lists 5."""
    ids = seed(session)
    spring = session.get(Cohort, ids.spring)
    assert spring is not None
    session.add_all(
        Pair(
            team_id=TEAM,
            cohort_id=spring.id,
            mentor_id=f"U0QM{i:02d}",
            mentee_id=f"U0QE{i:02d}",
            cadence="weekly",
            status="active",
            created_at=utc(1, 9),
            quiet_since=utc(1, 9),
        )
        for i in range(14)
    )
    session.flush()
    health = cohort_health(session, cohorts=[spring], now=NOW)
    at_risk = len(health[0].at_risk)
    assert at_risk > 10
    message = digest_message(health, {spring.id: Changes()}, zone=ZoneInfo("UTC"), now=NOW)
    text = json.dumps(message, ensure_ascii=False)
    assert text.count("mentors <@") == 10
    assert (
        f"…and {at_risk - 10} more pairs in _Spring 2027_: `/mentoring cohort show Spring 2027`"
        " lists every pair with its flags, and `/mentoring report Spring 2027` sends them as a"
        " file."
    ) in text
    assert "App Home lists" not in text
