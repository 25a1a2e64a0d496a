"""`mentorbot demo`: a short programme against the local Slack stand-in, printed as a transcript."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from mentorbot.app import create_app
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Member
from mentorbot.bot.services.cohorts import create_cohort
from mentorbot.bot.services.pairs import Planned, create_pairs
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.runtime import Runtime, build_runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp

TEAM = "T0DEMO"
SECRET = "demo-signing-secret"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    tz: str
    role: str


COORDINATOR = Person("U0PRIYA", "Priya", "Europe/London", "coordinator")
MENTOR = Person("U0AIKO", "Aiko", "Asia/Tokyo", "mentor")
MENTEE = Person("U0SAM", "Sam", "America/New_York", "mentee")
PEOPLE = (COORDINATOR, MENTOR, MENTEE)


class Transcript:
    """Prints what each person sees, stamped in their own local time."""

    def __init__(self, out: TextIO, standin: SlackStandin) -> None:
        self.out = out
        self.standin = standin
        self.seen_calls = 0

    def say(self, line: str = "") -> None:
        self.out.write(line + "\n")

    def stamp(self, moment: datetime, person: Person) -> str:
        local = moment.astimezone(ZoneInfo(person.tz))
        return f"{local:%a %d %b %H:%M} {local.tzname()}"

    def deliveries(self, moment: datetime) -> None:
        """Print every message the bot posted since the last call, as its reader sees it."""
        calls = self.standin.calls[self.seen_calls :]
        self.seen_calls = len(self.standin.calls)
        channels = {self.standin.dm_channel_for(p.user_id): p for p in PEOPLE}
        for call in calls:
            if call.method != "chat.postMessage" or not call.ok:
                continue
            reader = channels.get(str(call.args.get("channel")))
            where = f"{reader.name} (DM)" if reader else str(call.args.get("channel"))
            stamp = self.stamp(moment, reader or COORDINATOR)
            self.say(f"  [{stamp}] mentorbot → {where}: {call.args.get('text', '')}")


def run_demo(out: TextIO) -> int:
    """Run the demo programme and print its transcript; returns the exit code."""
    with (
        tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as folder,
        SlackStandin(team_id=TEAM) as standin,
    ):
        for person in PEOPLE:
            standin.add_user(person.user_id, person.name.lower(), tz=person.tz)
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-demo",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": standin.api_url,
                "MENTORBOT_DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.db'}",
                "MENTORBOT_COORDINATORS": COORDINATOR.user_id,
            }
        )
        runtime = build_runtime(settings)
        try:
            upgrade(runtime.engine)
            with LocalServer(WebApp(create_app(runtime), runtime)) as server:
                slack = SignedSlackClient(
                    f"{server.url}/slack/events", SECRET, standin=standin, team_id=TEAM
                )
                _programme(Transcript(out, standin), runtime, slack)
            if standin.violations:
                out.write(f"\nWeb API contract violations: {standin.violations}\n")
                return 1
        finally:
            runtime.close()
    return 0


def _programme(t: Transcript, runtime: Runtime, slack: SignedSlackClient) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    start = now.date()
    meeting_local = datetime.combine(start + timedelta(days=2), datetime.min.time()).replace(
        hour=10, tzinfo=ZoneInfo(MENTOR.tz)
    )
    t.say("mentorbot demo: a short mentoring programme against a local stand-in for Slack.")
    t.say("People: " + ", ".join(f"{p.name} ({p.role}, {p.tz})" for p in PEOPLE))
    t.say()

    t.say(f"[{t.stamp(now, COORDINATOR)}] Priya types `/mentoring help`; only she sees:")
    _reply(t, slack.command("/mentoring", "help", user_id=COORDINATOR.user_id).json())

    with unit_of_work(runtime.sessions) as session:
        ensure_workspace(
            session,
            team_id=TEAM,
            name="Demo Co",
            bot_user_id=None,
            defaults={"timezone": "UTC"},
            now=now,
        )
        for person in PEOPLE:
            session.add(
                Member(team_id=TEAM, user_id=person.user_id, name=person.name, tz=person.tz)
            )
        cohort = create_cohort(
            session,
            team_id=TEAM,
            name="Spring",
            channel_id="C0MENTORING",
            starts_on=start,
            weeks=12,
            cadence="biweekly",
            created_by=COORDINATOR.user_id,
            now=now,
        )
        [pair] = create_pairs(
            session, cohort=cohort, planned=[Planned(MENTOR.user_id, MENTEE.user_id)], now=now
        )
        pair.next_meeting_at = meeting_local
    t.say(f'[{t.stamp(now, COORDINATOR)}] Priya creates the cohort "Spring" (12 weeks, biweekly)')
    when = f"{meeting_local:%A %d %b %H:%M}"
    t.say(f"  and pairs Aiko (mentor) with Sam (mentee); they agree to meet {when} Tokyo time.")
    t.say()

    quick = "Excited to start: I want to lead a project this year"
    t.say(f"[{t.stamp(now, MENTEE)}] Sam types `/checkin {quick}`; only Sam sees:")
    _reply(t, slack.command("/checkin", quick, user_id=MENTEE.user_id).json())
    dm = "Found a first project to lead <!channel>"
    t.say(f'[{t.stamp(now, MENTEE)}] Sam writes to mentorbot in a DM: "{dm}"')
    slack.event(
        {
            "type": "message",
            "channel": t.standin.dm_channel_for(MENTEE.user_id),
            "channel_type": "im",
            "user": MENTEE.user_id,
            "text": dm,
            "ts": "1700000000.000100",
        },
        event_id="Ev0DEMO1",
    )
    t.deliveries(now)
    t.say()

    t.say("Time moves on, one tick an hour (as `mentorbot tick --at ...` would):")
    moment = now
    while moment <= meeting_local + timedelta(hours=1):
        moment += timedelta(hours=1)
        summary = run_tick(runtime.sessions, runtime.client, moment)
        if summary.delivery.sent or summary.delivery.failed:
            t.say(f"  {summary.line()}")
            t.deliveries(moment)
    t.say()
    t.say("Each message above was checked against Slack's Web API contract and Block Kit rules.")


def _reply(t: Transcript, reply: dict[str, object]) -> None:
    for line in str(reply.get("text", "")).splitlines():
        t.say(f"    | {line}")
