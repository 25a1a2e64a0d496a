"""`mentorbot demo`: a short programme against the local Slack stand-in, printed as a transcript."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mentorbot.app import create_app
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Pair
from mentorbot.bot.settings import Settings
from mentorbot.bot.tick import run_tick
from mentorbot.bot.timeutil import utcnow
from mentorbot.localserver import LocalServer
from mentorbot.runtime import Runtime, build_runtime, identify, record_workspace
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp

TEAM = "T0DEMO"
SECRET = "demo-signing-secret"
CHANNEL = "C0MENTORING"


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


_SLACK_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")


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
            channel = str(call.args.get("channel"))
            reader = channels.get(channel)
            if reader:
                where = f"{reader.name} (DM)"
            elif channel.startswith("G"):
                where, reader = "Aiko & Sam (group DM)", MENTEE
            else:
                where = "#mentoring-spring"
            stamp = self.stamp(moment, reader or COORDINATOR)
            self.say(f"  [{stamp}] mentorbot → {where}: {shown(call.args.get('text', ''))}")


def run_demo(out: TextIO) -> int:
    """Run the demo programme and print its transcript; returns the exit code."""
    with (
        tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as folder,
        SlackStandin(team_id=TEAM) as standin,
    ):
        for person in PEOPLE:
            standin.add_user(
                person.user_id, person.name.lower(), tz=person.tz, real_name=person.name
            )
        standin.add_channel(CHANNEL, "mentoring-spring", members=[p.user_id for p in PEOPLE])
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
            record_workspace(runtime, identify(runtime), utcnow())
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
    runtime.clock = _at(now)  # requests see the demo's simulated time, as ticks do
    t.say("mentorbot demo: a short mentoring programme against a local stand-in for Slack.")
    t.say("People: " + ", ".join(f"{p.name} ({p.role}, {p.tz})" for p in PEOPLE))
    t.say()

    create = f"cohort create Spring <#{CHANNEL}|mentoring-spring> weeks 12 cadence biweekly"
    t.say(f'[{t.stamp(now, COORDINATOR)}] Priya creates the cohort: "/mentoring {create}"')
    _reply(t, slack.command("/mentoring", create, user_id=COORDINATOR.user_id).json())
    t.deliveries(now)
    pair = f"pair <@{MENTOR.user_id}|aiko> <@{MENTEE.user_id}|sam>"
    t.say(f'[{t.stamp(now, COORDINATOR)}] Priya pairs them: "/mentoring {pair}"')
    _reply(t, slack.command("/mentoring", pair, user_id=COORDINATOR.user_id).json())
    t.say()

    t.say("The kickoff goes through the outbox: a group DM, when the hours allow (Tokyo and")
    t.say("New York never share office hours, so it waits for Sam's morning):")
    moment = _tick_until(t, runtime, now, lambda: t.standin.calls_to("conversations.open"))
    t.say()

    pair_id = _pair_id(runtime)
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam presses “Set up our agreement”; a modal opens.")
    slack.block_action(MENTEE.user_id, "agreement_open", value=str(pair_id))
    wrong = slack.view_submission(
        MENTEE.user_id, "agreement", _agreement(time="7pm"), str(pair_id)
    ).json()
    t.say(f"  Sam types the time as 7pm; next to the field: {wrong['errors']['time']}")
    weekday = (moment + timedelta(days=2)).astimezone(ZoneInfo(MENTEE.tz)).weekday()
    slack.view_submission(
        MENTEE.user_id, "agreement", _agreement(weekday=str(weekday)), str(pair_id)
    )
    t.say("  Sam fixes it and submits; both of them see the agreement:")
    moment = _tick_until(t, runtime, moment, lambda: _agreement_posted(t))
    t.say()

    t.say(f"[{t.stamp(moment, COORDINATOR)}] Priya types `/mentoring announce` and schedules:")
    slack.command("/mentoring", "announce", user_id=COORDINATOR.user_id)
    view = t.standin.calls_to("views.open")[-1].args["view"]
    cohort_id = (json.loads(view) if isinstance(view, str) else view)["blocks"][0]["element"][
        "initial_option"
    ]["value"]
    post_at = (moment + timedelta(days=1)).astimezone(ZoneInfo(COORDINATOR.tz)).date()
    text = "Week {{ week }} of {{ cohort }}: {{ weeks_left }} weeks to go. How is it going?"
    t.say(f'  "{text}" on {post_at:%A %d %b} at 09:00 her time.')
    done = slack.view_submission(
        COORDINATOR.user_id, "announce", _announcement(cohort_id, text, post_at.isoformat())
    ).json()
    for block in done["view"]["blocks"]:
        t.say(f"    | {block['text']['text']}")
    t.say()

    quick = "Excited to start: I want to lead a project this year"
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam types `/checkin {quick}`; only Sam sees:")
    _reply(t, slack.command("/checkin", quick, user_id=MENTEE.user_id).json())
    t.say()

    t.say("Time moves on, one tick an hour (as `mentorbot tick --at ...` would):")
    moment = _tick_until(t, runtime, moment, lambda: _sent(t, "How did your"), limit=_days(9))
    t.say()
    _rhythm(t, runtime, slack, moment, pair_id)
    t.say()
    t.say("Each message above was checked against Slack's Web API contract and Block Kit rules.")


def _rhythm(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime, pair_id: int
) -> None:
    """Weeks of a pair's rhythm: a shared check-in, a goal, a pause, a nudge, escalation."""
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam presses “Check in”; the form opens. Sam rates it")
    t.say("  4/5, writes what went well and ticks “share with my mentor”:")
    slack.block_action(MENTEE.user_id, "checkin_open", value=str(pair_id))
    values = {
        "rating": {"value": {"type": "static_select", "selected_option": {"value": "4"}}},
        "went_well": {"value": {"type": "plain_text_input", "value": "We mapped my first project"}},
        "share": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "share"}]},
        },
    }
    done = slack.view_submission(MENTEE.user_id, "checkin", values, str(pair_id)).json()
    for block in done["view"]["blocks"]:
        t.say(f"    | {shown(block['text']['text'])}")
    due = (moment + _days(40)).astimezone(ZoneInfo(MENTEE.tz)).date()
    goal = f"goal Present the project plan to the team by {due.isoformat()}"
    t.say(f"  Sam types `/checkin {goal}`:")
    _reply(t, slack.command("/checkin", goal, user_id=MENTEE.user_id).json())
    t.say()

    t.say("Two weeks on, Aiko's prompt carries Sam's goals and the check-in Sam shared:")
    before = len(t.standin.calls_to("chat.postMessage"))
    moment = _tick_until(
        t, runtime, moment, lambda: _sent(t, "next meeting with your mentee", before), _days(15)
    )
    prompt = t.standin.calls_to("chat.postMessage")[-1].args
    for block in _blocks(prompt)[1:3]:
        for line in shown(block.get("text", {}).get("text", "")).splitlines():
            t.say(f"    | {line}")
    t.say()

    t.say(f"[{t.stamp(moment, MENTEE)}] Sam is off on holiday: `/checkin pause 3 weeks`")
    _reply(t, slack.command("/checkin", "pause 3 weeks", user_id=MENTEE.user_id).json())
    t.say("  No prompts or nudges while paused; the pause ends by itself:")
    moment = _tick_until(t, runtime, moment, lambda: _sent(t, "Welcome back"), _days(23), _hours(3))
    t.say()

    t.say("Then the pair goes quiet. One friendly nudge to Sam; two cycles on, a note to Priya")
    t.say("that says check-ins stopped, and nothing of what anyone wrote:")
    _tick_until(t, runtime, moment, lambda: _sent(t, "may need a hand"), _days(40), _hours(3))


def _tick_until(
    t: Transcript,
    runtime: Runtime,
    start: datetime,
    done: Callable[[], object],
    limit: timedelta = timedelta(days=4),
    step: timedelta = timedelta(hours=1),
) -> datetime:
    """Tick every `step` from `start`, printing deliveries, until `done()` holds."""
    moment = start
    while moment < start + limit:
        moment += step
        runtime.clock = _at(moment)
        summary = run_tick(runtime.sessions, runtime.client, moment)
        if summary.delivery.sent or summary.delivery.failed:
            t.say(f"  {summary.line()}")
            t.deliveries(moment)
        if done():
            break
    return moment


def _pair_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalars(select(Pair.id)).one())


def _agreement_posted(t: Transcript) -> bool:
    return any(
        "agreement" in str(c.args.get("text")) for c in t.standin.calls_to("chat.postMessage")
    )


def _at(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment`."""
    return lambda: moment


def _sent(t: Transcript, words: str, after: int = 0) -> bool:
    """Whether a message containing `words` was posted (after the first `after` posts)."""
    posts = t.standin.calls_to("chat.postMessage")[after:]
    return any(words in str(c.args.get("text")) for c in posts)


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


def _agreement(time: str = "10:00", weekday: str = "2") -> dict[str, Any]:
    return {
        "cadence": {"value": {"type": "static_select", "selected_option": {"value": "biweekly"}}},
        "weekday": {"value": {"type": "static_select", "selected_option": {"value": weekday}}},
        "time": {"value": {"type": "timepicker", "selected_time": time}},
        "place": {"value": {"type": "static_select", "selected_option": {"value": "video"}}},
        "expectations": {"value": {"type": "plain_text_input", "value": "Come with a question"}},
        "goal": {"value": {"type": "plain_text_input", "value": "Lead a project by June"}},
    }


def _announcement(cohort_id: str, text: str, day: str) -> dict[str, Any]:
    return {
        "cohort": {"value": {"type": "static_select", "selected_option": {"value": cohort_id}}},
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "when": {"value": {"type": "radio_buttons", "selected_option": {"value": "later"}}},
        "date": {"value": {"type": "datepicker", "selected_date": day}},
        "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
    }


def shown(text: object) -> str:
    """Text as Slack shows it: a `<!date^…|fallback>` reads as its (local) fallback."""
    return _SLACK_DATE.sub(r"\1", str(text))


def _reply(t: Transcript, reply: dict[str, object]) -> None:
    for line in shown(reply.get("text", "")).splitlines():
        t.say(f"    | {line}")
