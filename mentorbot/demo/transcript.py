"""The demo's cast, its simulated clock, and the transcript of what each person sees."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from mentorbot.bot.tick import run_tick
from mentorbot.runtime import Runtime
from mentorbot.standin import SlackStandin
from mentorbot.standin.objects import conversation_id

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
# A mentee who finds her own mentor, in a later cohort.
SEEKER = Person("U0LENA", "Lena", "Europe/Berlin", "mentee")
GUIDE = Person("U0OMAR", "Omar", "Europe/London", "mentor")
PEOPLE = (COORDINATOR, MENTOR, MENTEE, SEEKER, GUIDE)
PAIRS = ((MENTOR, MENTEE), (GUIDE, SEEKER))


_SLACK_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")


class Transcript:
    """Prints what each person sees, stamped in their own local time."""

    def __init__(self, out: TextIO, standin: SlackStandin) -> None:
        self.out = out
        self.standin = standin
        self.seen_calls = 0
        self.files_seen = 0

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
        bot = self.standin.bot_user_id
        groups = {
            conversation_id("G", [mentor.user_id, mentee.user_id, bot]): (mentor, mentee)
            for mentor, mentee in PAIRS
        }
        for call in calls:
            if call.method != "chat.postMessage" or not call.ok:
                continue
            channel = str(call.args.get("channel"))
            reader = channels.get(channel)
            if reader:
                where = f"{reader.name} (DM)"
            elif channel in groups:
                mentor, reader = groups[channel]
                where = f"{mentor.name} & {reader.name} (group DM)"
            else:
                where = "#mentoring-spring"
            stamp = self.stamp(moment, reader or COORDINATOR)
            first, *more = shown(call.args.get("text", "")).splitlines() or [""]
            self.say(f"  [{stamp}] mentorbot → {where}: {first}")
            for line in more:
                self.say(f"      {line}")
            for block in blocks(call.args):  # what someone wrote, quoted as Slack shows it
                if block.get("type") == "section" and not more:
                    for line in shown((block.get("text") or {}).get("text", "")).splitlines():
                        if line.startswith(">"):
                            self.say(f"      {line}")


def tick_until(
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
        runtime.clock = at(moment)
        summary = run_tick(
            runtime.sessions, runtime.client, moment, language=runtime.settings.language
        )
        if summary.delivery.sent or summary.delivery.failed:
            t.say(f"  {summary.line()}")
            t.deliveries(moment)
        if done():
            break
    return moment


def agreement_posted(t: Transcript) -> bool:
    return any(
        "agreement" in str(c.args.get("text")) for c in t.standin.calls_to("chat.postMessage")
    )


def at(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment`."""
    return lambda: moment


def sent(t: Transcript, words: str, after: int = 0, count: int = 1) -> bool:
    """Whether `count` messages containing `words` were posted (after the first `after`)."""
    posts = t.standin.calls_to("chat.postMessage")[after:]
    return sum(words in str(c.args.get("text")) for c in posts) >= count


def blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def hours(n: int) -> timedelta:
    return timedelta(hours=n)


def shown(text: object) -> str:
    """Text as Slack shows it: a `<!date^…|fallback>` reads as its (local) fallback."""
    return _SLACK_DATE.sub(r"\1", str(text))


def reply(t: Transcript, answer: dict[str, object]) -> None:
    for line in shown(answer.get("text", "")).splitlines():
        t.say(f"    | {line}")
