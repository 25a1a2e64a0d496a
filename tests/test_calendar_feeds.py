"""Calendar feeds: each person's private iCalendar link, read by a real iCalendar parser.

The feed is checked against the bot itself: over a whole cohort, with a DST change, a pause,
a moved meeting and the cohort's end, the meetings `recurring-ical-events` finds in the feed
are exactly those the bot prompted for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from flask.testing import FlaskClient
from freezegun import freeze_time
from icalendar import Calendar
from slack_bolt import App
from sqlalchemy import select

from mentorbot.bot.models import CalendarFeed, Goal, OutboundMessage
from mentorbot.bot.services import own_data
from mentorbot.bot.services.calendar_feeds import feed_link
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp, create_wsgi_app
from tests.conftest import TEAM, settings_for
from tests.programme import ANA, BEN, COORD, DAN, create_spring, mention, mentoring
from tests.rhythm import agree, opened, run_until, the_pair

pytestmark = pytest.mark.usefixtures("people")

PUBLIC_URL = "https://mentorbot.example.com"
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday; US clocks go forward on 14 March
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
NEW_YORK = ZoneInfo("America/New_York")
LINK = re.compile(r"https://mentorbot\.example\.com(/calendar/[A-Za-z0-9_-]{43}\.ics)")


@pytest.fixture
def settings(standin: SlackStandin, database_url: str) -> Settings:
    """The usual test settings, with calendars on."""
    return settings_for(standin, database_url, MENTORBOT_PUBLIC_URL=PUBLIC_URL + "/")


@pytest.fixture
def web(bolt_app: App, runtime: Runtime) -> Iterator[FlaskClient]:
    """The bot's web app (Flask's test client: the feed is plain HTTP, no Slack signature)."""
    with WebApp(bolt_app, runtime).test_client() as client:
        yield client


def feed_path(slack: SignedSlackClient, user_id: str, words: str = "calendar") -> str:
    """The path of the person's feed, from the link `/checkin calendar` gives them."""
    reply = slack.command("/checkin", words, user_id=user_id).json()["text"]
    found = LINK.search(reply)
    assert found, reply
    assert "webcal://mentorbot.example.com" + found.group(1) in reply
    return found.group(1)


def ana_and_ben_meet_on_wednesdays(slack: SignedSlackClient, runtime: Runtime) -> None:
    """Spring runs 12 weeks from 1 March; Ana mentors Ben, weekly on Wednesdays at 19:00 his
    time (New York)."""
    create_spring(slack, "starts 2027-03-01 weeks 12 cadence weekly")
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    agree(slack, the_pair(runtime.sessions).id, weekday="2", at="19:00", cadence="weekly")


def read_feed(web: FlaskClient, path: str) -> Calendar:
    answer = web.get(path)
    assert answer.status_code == 200, answer.data
    assert answer.content_type == "text/calendar; charset=utf-8"
    return Calendar.from_ical(answer.data)


def meetings_in(calendar: Calendar, start: datetime, end: datetime) -> list[datetime]:
    """Every meeting the calendar app would show between `start` and `end`, in UTC."""
    events = recurring_ical_events.of(calendar).between(start, end)
    return sorted(
        event["DTSTART"].dt.astimezone(UTC)
        for event in events
        if str(event["SUMMARY"]).startswith("Mentoring with")
    )


def prompted_meetings(runtime: Runtime) -> list[datetime]:
    """The meetings the bot sent Ana (the mentor) a prompt for, from the prompts' keys."""
    with runtime.sessions() as session:
        keys = session.scalars(
            select(OutboundMessage.dedupe_key).where(
                OutboundMessage.kind == "prompt", OutboundMessage.status == "sent"
            )
        ).all()
    return sorted(
        datetime.strptime(key.split(":", 2)[2], "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
        for key in keys
    )


def test_the_feed_holds_exactly_the_meetings_the_bot_prompts_for_over_a_cohort(
    slack: SignedSlackClient, runtime: Runtime, web: FlaskClient, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        create_spring(slack, "starts 2027-03-01 weeks 6 cadence weekly")  # ends 12 April
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
        pair_id = the_pair(runtime.sessions).id
        # Wednesdays 19:00 in New York (Ben's clock), across the US change to summer time.
        agree(slack, pair_id, weekday="2", at="19:00", cadence="weekly")
        mentee, mentor = feed_path(slack, BEN), feed_path(slack, ANA)
        before = meetings_in(read_feed(web, mentee), START, START + 60 * DAY)
        assert len(before) == 6  # 3 March to 7 April: the cohort ends on 12 April

        moment = run_until(runtime, clock, START, datetime(2027, 3, 11, 12, tzinfo=UTC), 4 * HOUR)
        paused = slack.command("/checkin", "pause until 2027-03-20", user_id=BEN).json()
        assert "pause" in paused["text"].lower(), paused
        moment = run_until(runtime, clock, moment, datetime(2027, 3, 21, 12, tzinfo=UTC), 4 * HOUR)
        moved = slack.command("/checkin", "reschedule 2027-03-25T10:00", user_id=BEN).json()
        assert "Moved" in moved["text"], moved
        planned = meetings_in(read_feed(web, mentee), START, START + 60 * DAY)
        run_until(runtime, clock, moment, datetime(2027, 4, 14, tzinfo=UTC), 4 * HOUR)

    prompted = prompted_meetings(runtime)
    assert prompted == [
        datetime(2027, 3, 4, 0, tzinfo=UTC),  # Wednesday 3 March 19:00 EST
        datetime(2027, 3, 11, 0, tzinfo=UTC),
        # 17 March was inside the pause
        datetime(2027, 3, 25, 14, tzinfo=UTC),  # moved from the 24th to Thursday 10:00 EDT
        datetime(2027, 3, 31, 23, tzinfo=UTC),  # 19:00 EDT
        datetime(2027, 4, 7, 23, tzinfo=UTC),  # the last before the cohort's end
    ]
    assert planned == prompted
    for path in (mentee, mentor):
        assert meetings_in(read_feed(web, path), START - 30 * DAY, START + 90 * DAY) == prompted

    calendar = read_feed(web, mentee)
    series = [c for c in calendar.walk("VEVENT") if "RRULE" in c and "RECURRENCE-ID" not in c]
    assert len(series) == 1
    assert series[0]["DTSTART"].params["TZID"] == "America/New_York"
    assert series[0]["RRULE"]["FREQ"] == ["WEEKLY"]
    overrides = [c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" in c]
    assert [o["RECURRENCE-ID"].dt.astimezone(UTC) for o in overrides] == [
        datetime(2027, 3, 24, 23, tzinfo=UTC)
    ]
    assert overrides[0]["UID"] == series[0]["UID"]
    assert {"America/New_York"} <= {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert str(series[0]["SUMMARY"]) == "Mentoring with ana"  # her name in Slack
    # A link back to Slack: Ben's DM with mentorbot, which the bot opened to prompt him.
    back = f"https://slack.com/app_redirect?channel={standin.dm_channel_for(BEN)}&team={TEAM}"
    assert str(series[0]["URL"]) == back and back in str(series[0]["DESCRIPTION"])


def test_a_new_agreement_keeps_past_meetings_and_its_sequence_grows(
    slack: SignedSlackClient, runtime: Runtime, web: FlaskClient
) -> None:
    with freeze_time(START, tick=True) as clock:
        create_spring(slack, "starts 2027-03-01 weeks 8 cadence weekly")
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
        pair_id = the_pair(runtime.sessions).id
        agree(slack, pair_id, weekday="2", at="19:00", cadence="weekly")
        path = feed_path(slack, BEN)
        first = read_feed(web, path)
        sequence = max(int(e["SEQUENCE"]) for e in first.walk("VEVENT"))
        run_until(runtime, clock, START, datetime(2027, 3, 12, tzinfo=UTC), 3 * HOUR)
        # From now on, Fridays at 09:00 every two weeks.
        agree(slack, pair_id, weekday="4", at="09:00", cadence="biweekly")
        after = read_feed(web, path)

    meetings = meetings_in(after, START, START + 60 * DAY)
    assert meetings[:2] == [
        datetime(2027, 3, 4, 0, tzinfo=UTC),
        datetime(2027, 3, 11, 0, tzinfo=UTC),
    ]
    fridays = [date(2027, 3, 12) + k * 14 * DAY for k in range(len(meetings) - 2)]
    assert [m.astimezone(NEW_YORK) for m in meetings[2:]] == [
        datetime.combine(day, time(9), NEW_YORK) for day in fridays
    ]  # 09:00 in New York every other Friday, until the cohort's end on 26 April
    assert len(fridays) == 4
    assert meetings[-1] < datetime(2027, 4, 26, tzinfo=UTC)
    uids = {str(e["UID"]) for e in after.walk("VEVENT") if "RRULE" in e}
    assert len(uids) == 2  # the old rhythm and the new one
    assert min(int(e["SEQUENCE"]) for e in after.walk("VEVENT") if "RRULE" in e) > sequence


def test_goals_due_and_a_coordinators_phase_dates_are_all_day_events(
    slack: SignedSlackClient, runtime: Runtime, web: FlaskClient
) -> None:
    with freeze_time(START):
        create_spring(slack, "starts 2027-03-01 weeks 12 cadence weekly")
        mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
        pair_id = the_pair(runtime.sessions).id
        with runtime.sessions.begin() as session:
            session.add(
                Goal(
                    team_id=TEAM,
                    pair_id=pair_id,
                    title="Ship search",
                    due_on=date(2027, 4, 2),
                    created_at=START,
                )
            )
            session.add(Goal(team_id=TEAM, pair_id=pair_id, title="Open-ended"))
        mentee, mentor, coordinator = (feed_path(slack, who) for who in (BEN, ANA, COORD))

    def all_day(path: str) -> dict[str, date]:
        calendar = read_feed(web, path)
        return {
            str(e["SUMMARY"]): e["DTSTART"].dt
            for e in calendar.walk("VEVENT")
            if not isinstance(e["DTSTART"].dt, datetime)
        }

    assert all_day(mentee) == {"Goal due: Ship search": date(2027, 4, 2)}
    assert all_day(mentor) == {}  # the mentee's goals are in the mentee's calendar
    phases = all_day(coordinator)
    assert phases["Spring 2027: begins"] == date(2027, 3, 1)
    assert phases["Spring 2027: midpoint survey opens"] == date(2027, 4, 12)
    assert phases["Spring 2027: ends"] == date(2027, 5, 24)


def test_a_reset_link_stops_at_once_and_a_stranger_learns_nothing(
    slack: SignedSlackClient, runtime: Runtime, web: FlaskClient
) -> None:
    with freeze_time(START):
        ana_and_ben_meet_on_wednesdays(slack, runtime)
        old = feed_path(slack, BEN)
        assert feed_path(slack, BEN) == old  # asking again gives the same link
        new = feed_path(slack, BEN, "calendar reset")
    assert new != old
    gone = web.get(old)
    unknown = web.get("/calendar/" + "A" * 43 + ".ics")
    malformed = web.get("/calendar/short.ics")
    assert gone.status_code == unknown.status_code == malformed.status_code == 404
    assert gone.data == unknown.data == malformed.data == web.get("/nothing-here").data
    assert web.get(new).status_code == 200
    with runtime.sessions() as session:
        stored = session.scalars(select(CalendarFeed.token_hash)).all()
    assert all(new.split("/")[-1].removesuffix(".ics") not in value for value in stored)

    with runtime.sessions.begin() as session:
        exported = json.dumps(own_data.export(session, team_id=TEAM, user_id=BEN, now=START))
        assert '"calendar_feed": {"created_at"' in exported
        assert new.split("/")[-1].removesuffix(".ics") not in exported
        own_data.delete(session, team_id=TEAM, user_id=BEN, now=START)
    assert web.get(new).status_code == 404  # deleting one's data stops the link

    dan = feed_path(slack, DAN)  # not in any pair: an empty calendar, nobody else's meetings
    body = web.get(dan).data.decode()
    assert "BEGIN:VCALENDAR" in body and "VEVENT" not in body
    assert "Mentoring with" not in body


def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(
    slack: SignedSlackClient, runtime: Runtime, web: FlaskClient
) -> None:
    with freeze_time(START):
        ana_and_ben_meet_on_wednesdays(slack, runtime)
        path = feed_path(slack, BEN)
        first = web.get(path)
        etag = first.headers["ETag"]
        assert "private" in first.headers["Cache-Control"]
        again = web.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        slack.command("/checkin", "reschedule 2027-03-04T10:00", user_id=BEN)
        changed = web.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_without_a_public_url_calendars_are_off_and_say_how_to_turn_them_on(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    off = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s"})
    runtime.settings = off  # this test only: a runtime whose settings name no public URL
    reply = slack.command("/checkin", "calendar", user_id=BEN).json()["text"]
    assert "MENTORBOT_PUBLIC_URL" in reply
    with runtime.sessions() as session:
        assert session.scalars(select(CalendarFeed)).all() == []


def test_the_app_homes_button_shows_the_link_in_a_modal(
    slack: SignedSlackClient, standin: SlackStandin
) -> None:
    home = {"type": "app_home_opened", "user": BEN, "channel": "D0HOME", "tab": "home"}
    assert slack.event(home).status == 200
    view = standin.home_view(BEN)
    assert view is not None and "calendar_feed_open" in str(view)
    slack.block_action(BEN, "calendar_feed_open", value="calendar", view=view)
    modal = opened(standin)
    assert LINK.search(str(modal)), modal


def test_words_after_calendar_are_a_check_in(slack: SignedSlackClient, runtime: Runtime) -> None:
    create_spring(slack, "starts 2027-03-01 weeks 12 cadence weekly")
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    reply = slack.command("/checkin", "calendar was packed this week", user_id=BEN).json()
    assert "calendar/" not in reply["text"]
    with runtime.sessions() as session:
        assert session.scalars(select(CalendarFeed)).all() == []


@pytest.mark.parametrize("value", ["mentorbot.example.com", "https://", "ftp://x.example.com"])
def test_a_public_url_that_is_not_one_stops_start_up_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingsError, match="MENTORBOT_PUBLIC_URL must be the address"):
        Settings.from_env({"MENTORBOT_PUBLIC_URL": value})


def test_a_socket_mode_install_serves_feeds_from_its_web_process(
    standin: SlackStandin, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Socket Mode needs no public address for Slack, but calendar apps do: the web process
    (`create_wsgi_app()`, gunicorn's entry point), run with the same settings and no signing
    secret, serves the links `/checkin calendar` gives."""
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_APP_TOKEN": "xapp-1-socket",
        "SLACK_API_URL": standin.api_url,
        "MENTORBOT_DATABASE_URL": database_url,
        "MENTORBOT_PUBLIC_URL": PUBLIC_URL,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    web = create_wsgi_app()
    try:
        settings = web.runtime.settings
        assert settings.socket_mode and settings.slack_signing_secret is None
        with web.runtime.sessions.begin() as session:
            link = feed_link(session, settings, team_id=TEAM, user_id=BEN, now=START)
        with web.test_client() as client:
            answer = client.get(link.https.removeprefix(PUBLIC_URL))
        assert answer.status_code == 200 and b"BEGIN:VCALENDAR" in answer.data
    finally:
        web.runtime.close()
