"""Working hours in the recipient's own zone, across zones and DST changes, and a person's own
set with `/checkin hours`."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from mentorbot.bot.models import Member
from mentorbot.bot.working_hours import Availability, availability
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient
from tests.programme import BEN
from tests.rhythm import pair_ana_and_ben
from tests.weeks import START


def person(tz: str, hours: str = "09:00-18:00", workdays: str = "mon-fri") -> Availability:
    return availability(
        tz=tz,
        hours=hours,
        workdays=workdays,
        default_tz="UTC",
        default_hours="09:00-18:00",
        default_workdays="mon-fri",
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "moment", "expected"),
    [
        # Tokyo (UTC+9, no DST): Monday 2027-03-08 08:00 JST is 23:00 UTC Sunday.
        ("Asia/Tokyo", utc(2027, 3, 7, 23, 0), utc(2027, 3, 8, 0, 0)),
        ("Asia/Tokyo", utc(2027, 3, 8, 3, 0), utc(2027, 3, 8, 3, 0)),  # 12:00 JST: now
        ("Asia/Tokyo", utc(2027, 3, 12, 9, 0), utc(2027, 3, 15, 0, 0)),  # Fri 18:00 → Mon 09:00
        # New York: 08:59 EST waits a minute; 18:00 waits for tomorrow 09:00.
        ("America/New_York", utc(2027, 1, 12, 13, 59), utc(2027, 1, 12, 14, 0)),
        ("America/New_York", utc(2027, 1, 12, 23, 0), utc(2027, 1, 13, 14, 0)),
        # London, a Saturday: waits for Monday 09:00 GMT.
        ("Europe/London", utc(2027, 1, 16, 12, 0), utc(2027, 1, 18, 9, 0)),
    ],
)
def test_next_allowed_moment(tz: str, moment: datetime, expected: datetime) -> None:
    assert person(tz).next_allowed(moment) == expected


def test_new_york_spring_forward_keeps_nine_local() -> None:
    # DST starts Sunday 2027-03-14 in the US: Friday 09:00 is 14:00 UTC, Monday 09:00 is 13:00.
    new_york = person("America/New_York")
    saturday = utc(2027, 3, 13, 15, 0)
    monday = new_york.next_allowed(saturday)
    assert monday == utc(2027, 3, 15, 13, 0)
    assert monday.astimezone(ZoneInfo("America/New_York")).hour == 9


def test_london_autumn_back_keeps_nine_local() -> None:
    # BST ends Sunday 2027-10-31: Monday 09:00 GMT is 09:00 UTC (it was 08:00 UTC on Friday).
    london = person("Europe/London")
    assert london.next_allowed(utc(2027, 10, 29, 17, 30)) == utc(2027, 11, 1, 9, 0)
    assert london.next_allowed(utc(2027, 10, 29, 7, 30)) == utc(2027, 10, 29, 8, 0)


def test_a_window_starting_in_a_dst_gap_opens_after_the_gap() -> None:
    # 02:00-03:00 does not exist in New York on 2027-03-14; a 02:30 start opens at 03:30 EDT.
    night_owl = person("America/New_York", hours="02:30-06:00", workdays="sun")
    opens = night_owl.next_allowed(utc(2027, 3, 14, 5, 0))  # 00:00 EST
    assert opens == utc(2027, 3, 14, 7, 30)
    assert opens.astimezone(ZoneInfo("America/New_York")).hour == 3


def test_personal_hours_and_wrapping_workdays() -> None:
    dubai = person("Asia/Dubai", hours="08:00-16:00", workdays="sun-thu")
    friday_noon = utc(2027, 3, 12, 8, 0)  # 12:00 in Dubai, a Friday
    assert not dubai.allows(friday_noon)
    assert dubai.next_allowed(friday_noon) == utc(2027, 3, 14, 4, 0)  # Sunday 08:00


def test_missing_or_unknown_zone_falls_back_to_the_default() -> None:
    fallback = availability(
        tz="Not/AZone",
        hours=None,
        workdays=None,
        default_tz="Asia/Tokyo",
        default_hours="10:00-12:00",
        default_workdays=[0],
    )
    assert fallback.zone == ZoneInfo("Asia/Tokyo")
    assert fallback.next_allowed(utc(2027, 3, 8, 0, 0)) == utc(2027, 3, 8, 1, 0)


@pytest.mark.usefixtures("people")
def test_personal_hours_decide_when_a_person_hears(
    slack: SignedSlackClient, runtime: Runtime
) -> None:
    with freeze_time(START, tick=True):
        pair_ana_and_ben(slack, "2027-03-01")
        reply = slack.command("/checkin", "hours 07:00-11:00 mon-thu", user_id=BEN).json()
        assert "07:00-11:00" in reply["text"] and "Mon, Tue, Wed, Thu" in reply["text"]
        shown = slack.command("/checkin", "hours", user_id=BEN).json()["text"]
        assert "07:00-11:00" in shown and "America/New_York" in shown
    with runtime.sessions() as session:
        ben = session.scalars(select(Member).where(Member.user_id == BEN)).one()
    assert (ben.working_hours_start, ben.working_hours_end) == (time(7), time(11))
    assert ben.workdays == "mon,tue,wed,thu"
