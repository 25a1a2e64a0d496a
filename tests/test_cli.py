"""The `mentorbot` command as an operator uses it: real processes, real HTTP, real signals."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.models import Workspace
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.processes import (
    COMMAND,
    GUNICORN,
    SECRET,
    bot_env,
    clean_env,
    free_port,
    mentorbot,
    refusing_port,
    running,
    wait_until_healthy,
)


def test_help_lists_every_command() -> None:
    result = mentorbot("--help", env=clean_env())
    assert result.returncode == 0
    for command in ("run", "worker", "tick", "db", "demo"):
        assert f"    {command}" in result.stdout


def test_db_alone_explains_its_subcommands() -> None:
    result = mentorbot("db", env=clean_env())
    assert result.returncode == 2
    assert "upgrade" in result.stdout
    assert "db upgrade" in mentorbot("--help", env=clean_env()).stdout


def test_web_process_without_settings_stops_with_one_line(tmp_path: Path) -> None:
    port = str(free_port())
    web = [*GUNICORN, "--bind", f"127.0.0.1:{port}", "mentorbot.web:create_wsgi_app()"]
    result = subprocess.run(
        web, env=clean_env(), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "mentorbot: SLACK_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_is_idempotent(database_url: str) -> None:
    env = clean_env(MENTORBOT_DATABASE_URL=database_url)
    first = mentorbot("db", "upgrade", env=env)
    second = mentorbot("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout


def test_unreachable_database_is_one_clear_line() -> None:
    env = clean_env(MENTORBOT_DATABASE_URL="postgresql://nobody:pw@127.0.0.1:1/none")
    result = mentorbot("db", "upgrade", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("mentorbot: could not migrate the database")
    assert "Traceback" not in result.stderr


def test_tick_at_prints_a_summary(database_url: str, standin: SlackStandin) -> None:
    env = bot_env(standin, database_url)
    result = mentorbot("tick", "--at", "2027-03-09T09:00:00+01:00", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "tick at 2027-03-09T08:00:00+00:00: queued 0, sent 0, failed 0, retrying 0"
    )


def test_tick_rejects_a_bad_time() -> None:
    result = mentorbot("tick", "--at", "next tuesday", env=clean_env(SLACK_BOT_TOKEN="xoxb-t"))
    assert result.returncode == 2
    assert "is not an ISO-8601 time" in result.stderr


@dataclass(frozen=True)
class Demo:
    out: str
    home: Path  # its HOME and working directory


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """`mentorbot demo` run once, with an empty environment, for the tests that read it."""
    home = tmp_path_factory.mktemp("demo")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home)}
    result = mentorbot("demo", env=env, cwd=home)
    assert result.returncode == 0, result.stderr
    return Demo(result.stdout, home)


def test_demo_runs_with_an_empty_environment(demo: Demo) -> None:
    out = demo.out
    assert "Priya creates the cohort" in out
    assert "Cohort *Spring* is set up in <#C0MENTORING>" in out
    assert "mentorbot → Aiko & Sam (group DM): You are a mentoring pair in Spring" in out
    assert "next to the field: “7pm” is not a time of day" in out
    assert "mentorbot → Aiko & Sam (group DM): Mentorship agreement: Every two weeks" in out
    assert "mentorbot → #mentoring-spring: Week 1 of Spring: 11 weeks to go" in out
    assert "Checked in. Only you can see it." in out
    assert "mentorbot → Aiko (DM): Your next meeting with <@U0SAM> is" in out
    assert "JST" in out
    assert "You and your mentor <@U0AIKO> can see it" in out
    assert "What they shared with you" in out and "Went well: We mapped my first project" in out
    assert "mentorbot → Aiko & Sam (group DM): :double_vertical_bar: <@U0SAM> paused" in out
    assert "mentorbot → Aiko & Sam (group DM): :arrow_forward: Welcome back" in out
    assert "mentorbot → Sam (DM): It has been a while" in out
    assert "mentorbot → Priya (DM): A pair in Spring may need a hand." in out
    # Coordinator insight and a person's own data.
    assert "mentorbot → Priya (DM): Your weekly mentoring digest: 1 pair may need attention." in out
    assert "*Pairs:* 1 active · 0 paused · 0 ended" in out
    assert "• <@U0AIKO> mentors <@U0SAM>: no check-in for 4 weeks" in out
    assert "mentorbot → Priya (DM): file spring-pairs.csv" in out
    assert "mentorbot → Priya (DM): file spring-weekly-checkins.png" in out
    assert "mentorbot → Sam (DM): file mentorbot-my-data-" in out
    coordinators_view = out.split("Priya types `/mentoring status`")[1].split("Sam wants")[0]
    assert "mapped my first project" not in coordinators_view  # Sam's shared check-in
    # Growth and ending: a win (escaped), the midpoint survey, a concern, closing, alumni.
    assert "mentorbot → #mentoring-spring: A win from <@U0SAM>, shared with the cohort." in out
    assert "> Ran my first demo for the &lt;!channel&gt; crowd &amp; nobody fell asleep" in out
    assert "mentorbot → Priya (DM): Heads-up: Spring reaches its midpoint in a week." in out
    for person in ("Aiko", "Sam"):
        assert f"mentorbot → {person} (DM): How is the mentoring going? A short survey" in out
    assert "The midpoint survey is open until" in out and "appear when it closes" in out
    assert "mentorbot → Priya (DM): A concern raised privately by <@U0SAM>." in out
    assert "Aiko (DM): A concern" not in out and "keep moving at short notice" not in "".join(
        line for line in out.splitlines() if "Aiko" in line and "mentorbot →" in line
    )
    assert "mentorbot → Sam (DM): A coordinator has handled the concern you raised." in out
    assert "mentorbot → Aiko (DM): <@U0SAM> sent you a thank-you note." in out
    assert ">Thank you for every question, &amp; for the patience &lt;3" in out
    assert "*Present the project plan to the team*: done!" in out
    assert "(group DM): :sunflower: *Spring* has come to an end" in out
    for months in (3, 6):
        assert f"mentorbot → Sam (DM): It has been {months} months since Spring ended" in out
    assert "mentorbot → Aiko (DM): It has been" not in out
    assert "violations" not in out
    assert list(demo.home.iterdir()) == []  # throwaway database, nothing left behind


def test_the_demo_shows_a_calendar_link_a_reminder_held_over_a_holiday_and_an_away_note(
    demo: Demo,
) -> None:
    out = demo.out
    assert "Sam types `/checkin calendar`" in out and "|Subscribe in your calendar app>" in out
    assert re.search(r"webcal://127\.0\.0\.1:\d+/calendar/[\w-]{43}\.ics", out)
    assert "Sam's calendar app subscribes: “Mentoring with Aiko”, every 2 weeks" in out
    # Aiko is away at a conference: Sam's reminder says so; hers waits until she asks.
    assert "<@U0AIKO> is away for now, by their Slack status: maybe move this meeting?" in out
    # (How many depends on the hour the demo starts: her reminder, perhaps a group DM too.)
    assert re.search(r"\*Messages are waiting while you're away\*: \d+ messages? so far\.", out)
    assert "At a conference in Osaka" not in out  # her status's words are never shown
    lines = out.splitlines()
    pressed = next(n for n, line in enumerate(lines) if "She presses “Send them now”" in line)
    assert any("mentorbot → Aiko (DM): Your next meeting with" in x for x in lines[pressed:][:4])
    # The goal's reminder falls on one of Sam's public holidays, and waits for the next day.
    holiday = re.search(r"\((\w+day) (\d+) (\w+) is .+ there: the goal's reminder", out)
    assert holiday, out
    reminder = re.search(
        r"\[\w{3} (\d{2}) (\w{3}) [\d:]+ E[SD]T\] mentorbot → Sam \(DM\): Your goal is due", out
    )
    assert reminder
    assert (int(reminder.group(1)), reminder.group(2)) != (
        int(holiday.group(2)),
        holiday.group(3)[:3],
    )


# How the demo stamps each line: "[Mon 07 Dec 09:24 EST]", in the reader's own zone.
STAMP = re.compile(r"\[(\w{3}) (\d{2}) (\w{3}) (\d{2}):(\d{2}) ([A-Z]{3})\]")
ZONES = {
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "JST": "Asia/Tokyo",
    "EST": "America/New_York",
    "EDT": "America/New_York",
}
TICK = re.compile(r"tick at (\S+):")


def moments(out: str) -> list[tuple[int, datetime]]:
    """Each stamped line's number and moment (aware UTC). A stamp has no year: it is the one
    (of the year before, the same and the next as the line before) whose weekday matches."""
    found: list[tuple[int, datetime]] = []
    year = datetime.now(UTC).year
    for number, line in enumerate(out.splitlines()):
        if tick := TICK.search(line):
            found.append((number, datetime.fromisoformat(tick.group(1)).astimezone(UTC)))
            year = found[-1][1].year
            continue
        stamp = STAMP.search(line)
        if stamp is None:
            continue
        weekday, day, month, hour, minute, zone = stamp.groups()
        for candidate in (year, year + 1, year - 1):
            try:
                local = datetime.strptime(
                    f"{candidate} {month} {day} {hour}:{minute}", "%Y %b %d %H:%M"
                ).replace(tzinfo=ZoneInfo(ZONES[zone]))
            except ValueError:  # 29 February
                continue
            if f"{local:%a}" == weekday and local.tzname() == zone:
                found.append((number, local.astimezone(UTC)))
                year = candidate
                break
        else:
            raise AssertionError(f"no year fits line {number}: {line}")
    return found


def test_the_demo_tells_events_in_the_order_they_happen(demo: Demo) -> None:
    lines = demo.out.splitlines()
    times = moments(demo.out)
    assert len(times) > 100
    for (before, earlier), (after, later) in itertools.pairwise(times):
        assert earlier <= later, f"{lines[before]!r} comes before {lines[after]!r}"
    # Sam presses the kickoff's button once the kickoff has arrived, not before.
    [kickoff] = [
        n
        for n, line in enumerate(lines)
        if "(group DM): You are a mentoring pair in Spring" in line
    ]
    [press] = [n for n, line in enumerate(lines) if "presses “Set up our agreement”" in line]
    assert kickoff < press


def test_the_demos_pair_settles_on_a_time_inside_aikos_working_hours(demo: Demo) -> None:
    out = demo.out
    # Aiko's own working hours: the default until she sets hers.
    start, end = time(9), time(18)
    meetings = 0
    for line in out.splitlines():
        if hours := re.search(r"Aiko types `/checkin hours (\d\d:\d\d)-(\d\d:\d\d)`", line):
            start, end = (time.fromisoformat(h) for h in hours.groups())
        if "mentorbot → Aiko (DM):" in line or "(group DM): Mentorship agreement" in line:
            # "Thursday 10 December 2026 at 08:00 JST", or "Thursdays at 08:00 for <@U0AIKO>"
            named = re.findall(r"(\w+day) \d+ \w+ \d{4} at (\d\d:\d\d) JST", line)
            named += re.findall(r"(\w+day)s at (\d\d:\d\d) for <@U0AIKO>", line)
            for day, at in named:
                meetings += 1
                assert day not in ("Saturday", "Sunday"), line
                assert start <= time.fromisoformat(at) < end, line
    assert meetings >= 5
    # On the way, the modal questioned Sam's first pick, 10:00 in New York.
    assert "That is 00:00 on " in out or "That is 23:00 on " in out
    assert "for Aiko in Tokyo, outside their working hours." in out


def test_run_serves_slack_and_stops_cleanly_on_sigterm(
    database_url: str, standin: SlackStandin
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*COMMAND, "run", "--port", str(port)]
    with running(command, bot_env(standin, database_url)) as process:
        wait_until_healthy(url, process)
        slack = SignedSlackClient(f"{url}/slack/events", SECRET, standin=standin)
        reply = slack.command("/checkin", "help", user_id="U0MENTEE")
        assert reply.status == 200 and "/checkin help" in reply.json()["text"]
        assert slack.command("/checkin", "help", user_id="U0MENTEE", sign=False).status == 401
    # leaving `running` sent SIGTERM and required exit status 0


def test_healthz_is_503_when_the_database_is_down(bot_without_database: str) -> None:
    with pytest.raises(HTTPError) as caught:
        urlopen(f"{bot_without_database}/healthz", timeout=10)
    assert caught.value.code == 503
    assert b'"database": "down"' in caught.value.read()
    caught.value.close()


def test_refused_token_and_unreachable_slack_are_one_clear_line(
    database_url: str, standin: SlackStandin, tmp_path: Path
) -> None:
    env = bot_env(standin, database_url, SLACK_BOT_TOKEN="xoxb-revoked")
    standin.fail_next("auth.test", error="invalid_auth")
    database_file = tmp_path / "untouched.db"
    refused = mentorbot("tick", env={**env, "MENTORBOT_DATABASE_URL": f"sqlite:///{database_file}"})
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "mentorbot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)"
    )

    with refusing_port() as port:
        unreachable = mentorbot(
            "tick", env={**env, "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}
        )
    assert unreachable.returncode == 2
    assert unreachable.stderr.startswith("mentorbot: SLACK_API_URL: could not reach Slack")
    assert "Traceback" not in refused.stderr + unreachable.stderr
    assert not database_file.exists()  # a refused token changes nothing


def test_tick_records_the_workspace_with_the_settings_defaults(
    database_url: str, standin: SlackStandin
) -> None:
    env = bot_env(
        standin,
        database_url,
        MENTORBOT_TIMEZONE="Asia/Tokyo",
        MENTORBOT_WORKDAYS="sun-thu",
        MENTORBOT_HOLIDAYS="il",
        MENTORBOT_SURVEY_DAYS="10",
        MENTORBOT_AWAY_EMOJI=":Palm_Tree:, :beach_with_umbrella:",
        MENTORBOT_AWAY_WORDS="vacation, out   of office",
    )
    assert mentorbot("tick", env=env).returncode == 0
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            workspace = session.scalars(select(Workspace)).one()
    finally:
        engine.dispose()
    assert workspace.team_id == standin.team_id
    assert workspace.bot_user_id == standin.bot_user_id
    assert workspace.settings == {
        "timezone": "Asia/Tokyo",
        "working_hours": "00:00-24:00",
        "workdays": [0, 1, 2, 3, 6],
        "holidays": "IL",
        "away_emoji": [":palm_tree:", ":beach_with_umbrella:"],
        "away_words": ["vacation", "out of office"],
        "prompt_lead_hours": 24,
        "nudge_grace_days": 3,
        "survey_days": 10,
        "coordinators": [],
    }


def test_the_demo_shows_a_mentee_finding_and_asking_a_mentor(demo: Demo) -> None:
    out = demo.out
    assert "Lena types `/checkin find-mentor design`" in out
    assert "*Mentors you may ask* in Autumn with *design*: 1 mentor" in out
    assert "Lena presses “Ask Omar”" in out and "Your request is on its way to <@U0OMAR>" in out
    assert "mentorbot → Omar (DM): <@U0LENA> asks you to be their mentor in Autumn." in out
    assert ">Your critiques at the design guild changed how I present my work." in out
    assert "You are <@U0LENA>'s mentor" in out
    assert "mentorbot → Lena (DM): :tada: <@U0OMAR> is your mentor in *Autumn*!" in out
    assert "mentorbot → Omar & Lena (group DM): You are a mentoring pair in Autumn" in out


def test_the_demo_opens_the_dashboard_with_a_one_time_link(demo: Demo) -> None:
    out = demo.out
    assert "Priya types `/mentoring dashboard`; only she sees:" in out
    assert re.search(
        r"<http://127\.0\.0\.1:\d+/dashboard/sign-in/[\w-]{43}\|Open your mentoring dashboard>", out
    )
    assert "| Autumn: check-in rate none expected yet" in out
    assert "`mentorbot demo --serve`" in out
