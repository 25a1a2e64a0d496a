"""Public holidays: a person's own calendar (or the workspace's), DMs that wait over a
holiday in the reader's calendar and zone and not in anyone else's, and `/checkin holidays`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.delivery import deliver_due
from mentorbot.bot.models import CheckIn, Member, OutboundMessage
from mentorbot.bot.outbox import enqueue
from mentorbot.bot.public_holidays import HolidayCalendar, UnknownCalendar, parse_calendar
from mentorbot.bot.services.nudges import without_holidays
from mentorbot.bot.services.own_data.deletion import delete
from mentorbot.bot.services.own_data.export import export
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.bot.working_hours import availability
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.factories import TEAM
from tests.programme import ANA, BEN, CAT
from tests.rhythm import pair_ana_and_ben
from tests.weeks import START


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london(holidays: str | None, default: str | None = None):  # type: ignore[no-untyped-def]
    return availability(
        tz="Europe/London",
        hours="09:00-18:00",
        workdays="mon-fri",
        default_tz="UTC",
        default_hours="09:00-18:00",
        default_workdays="mon-fri",
        holidays=holidays,
        default_holidays=default,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GB", HolidayCalendar("GB")),
        ("us-ca", HolidayCalendar("US", "CA")),
        (" GB-SCT ", HolidayCalendar("GB", "SCT")),
        ("none", None),
        ("", None),
    ],
)
def test_a_calendar_is_a_country_with_an_optional_region(
    text: str, expected: HolidayCalendar | None
) -> None:
    assert parse_calendar(text) == expected


@pytest.mark.parametrize(("text", "says"), [("XX", "XX is not a country"), ("US-ZZ", "ZZ is")])
def test_an_unknown_calendar_is_refused_saying_which_part(text: str, says: str) -> None:
    with pytest.raises(UnknownCalendar, match=says):
        parse_calendar(text)


def test_dms_wait_over_christmas_in_the_readers_calendar_only() -> None:
    """Christmas 2027 falls on a weekend: in England its holidays move to Monday 27 and
    Tuesday 28 December, so a DM due then waits for Wednesday; without a calendar it goes."""
    monday_9_london = utc(2027, 12, 27, 9, 0)
    assert london("GB").holiday_on(date(2027, 12, 27)) == "Christmas Day (observed)"
    assert london("GB").next_allowed(monday_9_london) == utc(2027, 12, 29, 9, 0)
    assert london(None).next_allowed(monday_9_london) == monday_9_london
    # The workspace's calendar applies to people without one; `none` is a choice of none.
    assert london(None, default="GB").next_allowed(monday_9_london) == utc(2027, 12, 29, 9, 0)
    assert london("none", default="GB").next_allowed(monday_9_london) == monday_9_london


def test_the_workspace_calendar_is_a_setting() -> None:
    assert Settings.from_env({"MENTORBOT_HOLIDAYS": "gb-eng"}).holidays == "GB-ENG"
    assert Settings.from_env({}).holidays is None
    with pytest.raises(SettingsError, match="MENTORBOT_HOLIDAYS"):
        Settings.from_env({"MENTORBOT_HOLIDAYS": "Narnia"})


@pytest.mark.usefixtures("people")
def test_a_dm_on_the_readers_holiday_waits_and_the_others_goes(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    """Cat (London) keeps England's holidays, Ana (Tokyo) none: on Monday 27 December
    Cat's DM waits for Wednesday 09:00 in London while Ana's goes at once."""
    assert "GB" in slack.command("/checkin", "holidays GB", user_id=CAT).json()["text"]
    slack.command("/checkin", "hours", user_id=ANA)  # Ana is known, with no calendar
    monday = utc(2027, 12, 27, 9, 0)  # 09:00 in London, 18:00 in Tokyo: both at work
    monday_tokyo = utc(2027, 12, 27, 1, 0)  # 10:00 in Tokyo
    with unit_of_work(runtime.sessions) as session:
        for key, user, at in (("cat", CAT, monday), ("ana", ANA, monday_tokyo)):
            enqueue(
                session,
                team_id=TEAM,
                dedupe_key=key,
                target_kind="user",
                target_id=user,
                payload={"text": f"hello {key}"},
                not_before=at,
                now=at,
            )
    for moment in (monday_tokyo, monday):
        with freeze_time(moment):
            deliver_due(runtime.sessions, runtime.client, moment)
    with runtime.sessions() as session:
        found = {row.dedupe_key: row for row in session.scalars(select(OutboundMessage))}
    assert found["ana"].status == "sent"
    assert found["cat"].status == "pending"
    assert found["cat"].not_before == utc(2027, 12, 29, 9, 0)
    wednesday = utc(2027, 12, 29, 9, 0)
    with freeze_time(wednesday):
        deliver_due(runtime.sessions, runtime.client, wednesday)
    with runtime.sessions() as session:
        cat = session.scalars(select(OutboundMessage).where(OutboundMessage.dedupe_key == "cat"))
        assert cat.one().status == "sent"
    assert [m["text"] for m in standin.messages_in(standin.dm_channel_for(CAT))] == ["hello cat"]


@pytest.mark.usefixtures("people")
def test_checkin_holidays_shows_sets_and_refuses_politely(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    shown = slack.command("/checkin", "holidays", user_id=BEN).json()["text"]
    assert "don't keep messages back" in shown and "/checkin holidays US-CA" in shown
    assert "US-CA" in slack.command("/checkin", "holidays us-ca", user_id=BEN).json()["text"]
    refused = slack.command("/checkin", "holidays US-ZZ", user_id=BEN).json()
    assert refused["response_type"] == "ephemeral"
    assert "ZZ is not a subdivision of US" in refused["text"]
    hours = slack.command("/checkin", "hours", user_id=BEN).json()["text"]
    assert "public holidays in US-CA" in hours
    slack.command("/checkin", "holidays none", user_id=BEN)
    with runtime.sessions() as session:
        ben = session.scalars(select(Member).where(Member.user_id == BEN)).one()
    assert ben.holiday_calendar == "none"


@pytest.mark.usefixtures("people")
def test_words_after_holidays_that_name_no_calendar_are_a_checkin(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/checkin", "holidays were lovely, back to the plan", user_id=ANA)
    with runtime.sessions() as session:
        texts = session.scalars(select(CheckIn.went_well)).all()
        calendars = session.scalar(
            select(func.count()).select_from(Member).where(Member.holiday_calendar.is_not(None))
        )
    assert texts == ["holidays were lovely, back to the plan"]
    assert calendars == 0


def test_a_month_of_holidays_lets_the_message_go() -> None:
    """A calendar can never hold a DM for ever: past the horizon it goes."""
    person = london("GB")
    never = person.__class__(
        zone=person.zone, hours=person.hours, workdays=frozenset(), holidays=person.holidays
    )
    moment = utc(2027, 12, 27, 9, 0)
    assert never.next_allowed(moment) == moment
    assert person.next_allowed(moment) - moment < timedelta(days=3)


@pytest.mark.usefixtures("people")
def test_a_persons_calendar_is_in_their_data_and_goes_with_it(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    slack.command("/checkin", "holidays GB-SCT", user_id=CAT)
    now = utc(2027, 3, 8, 9, 0)
    with runtime.sessions() as session:
        exported = export(session, team_id=TEAM, user_id=CAT, now=now)
    assert exported["member"]["holiday_calendar"] == "GB-SCT"
    with unit_of_work(runtime.sessions) as session:
        delete(session, team_id=TEAM, user_id=CAT, now=now)
    with runtime.sessions() as session:
        cat = session.scalars(select(Member).where(Member.user_id == CAT)).one()
    assert cat.holiday_calendar is None


def test_a_nudge_deadline_moves_a_day_for_each_holiday_the_added_days_included() -> None:
    """England's Christmas 2027: the 25th to the 28th are holidays. A deadline of the 27th
    counts the 25th, 26th and 27th (to the 30th), then the 28th it now spans (the 31st)."""
    since, deadline = utc(2027, 12, 20, 9, 0), utc(2027, 12, 27, 9, 0)
    assert without_holidays(since, deadline, london("GB")) == utc(2027, 12, 31, 9, 0)
    assert without_holidays(since, deadline, london(None)) == deadline
