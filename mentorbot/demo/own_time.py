"""The demo's people's own time: Sam's calendar link (read as a calendar app reads it), a
reminder held over one of Sam's public holidays, and Aiko away at a conference."""

from __future__ import annotations

import re
import urllib.request
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from mentorbot.bot.public_holidays import parse_calendar
from mentorbot.demo.transcript import (
    MENTEE,
    MENTOR,
    Transcript,
    blocks,
    days,
    hours,
    reply,
    sent,
    shown,
    tick_until,
)
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient
from mentorbot.standin.objects import user_object

# Calendars a holiday is looked for in, for Sam's goal (the first with one in the weeks
# the demo's goal may fall due): Sam keeps that country's public holidays.
CALENDARS = ("US", "CA", "GB", "IE", "MX", "BR", "DE", "FR", "ES", "IT", "JP", "IN", "AU", "NZ")
PREP = "What do you want from this meeting?"
PROMPT = "Your next meeting with"


def calendar_link(t: Transcript, slack: SignedSlackClient, moment: datetime) -> None:
    """Sam asks for the calendar link; the demo reads the feed as Sam's calendar app would."""
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam types `/checkin calendar`; only Sam sees:")
    answer = slack.command("/checkin", "calendar", user_id=MENTEE.user_id).json()
    reply(t, answer)
    found = re.search(r"`(https?://[^`]+\.ics)`", str(answer.get("text")))
    if found is None:
        return
    with urllib.request.urlopen(found.group(1), timeout=10) as response:
        calendar = Calendar.from_ical(response.read())
    events: list[Any] = calendar.walk("VEVENT")  # (read by property name, as a client does)
    for event in events:
        if "RRULE" not in event:
            continue
        first = event["DTSTART"].dt
        rule = event["RRULE"]
        every = int((rule.get("INTERVAL") or [1])[0])
        last = rule["UNTIL"][0].astimezone(first.tzinfo)
        t.say(f"  Sam's calendar app subscribes: “{event['SUMMARY']}”, every {every} weeks")
        t.say(
            f"  from {first:%a %d %b %H:%M} ({event['DTSTART'].params.get('TZID')}) to"
            f" {last:%a %d %b}, the cohort's last meeting; a moved meeting moves there too."
        )


def holiday_goal_due(
    t: Transcript, slack: SignedSlackClient, moment: datetime, earliest: date, latest: date
) -> date | None:
    """Sam keeps a country's public holidays, and the goal's due date is three days after one
    on a weekday: the reminder due that day waits for Sam's next working day. Returns the due
    date (None when no calendar has a holiday in those weeks)."""
    for code in CALENDARS:
        calendar = parse_calendar(code)
        assert calendar is not None
        day = earliest
        while day <= latest:
            name = calendar.holiday_on(day)
            if name and day.weekday() < 5:
                t.say(f"  Sam keeps the public holidays in {code}: `/checkin holidays {code}`")
                reply(
                    t, slack.command("/checkin", f"holidays {code}", user_id=MENTEE.user_id).json()
                )
                t.say(f"  ({day:%A %d %B} is {name} there: the goal's reminder, due that day,")
                t.say("  will wait for Sam's next working day.)")
                return day + timedelta(days=3)
            day += timedelta(days=1)
    return None


def away_at_a_conference(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime
) -> datetime:
    """Aiko's status says :airplane: over the next meeting: Sam's reminder says so, Aiko's
    waits; she presses *Send them now* from her App Home; back home, she clears it."""
    t.say(f"[{t.stamp(moment, MENTOR)}] Aiko flies to a conference: her Slack status says")
    t.say("  :airplane: (Slack tells mentorbot of the change; only “away” is kept, not her words).")
    _set_status(t, slack, moment, ":airplane:", "At a conference in Osaka")
    before = len(t.standin.calls_to("chat.postMessage"))
    moment = tick_until(t, runtime, moment, lambda: sent(t, PREP, before), days(14))
    [*_, prep] = [
        c.args for c in t.standin.calls_to("chat.postMessage")[before:] if PREP in str(c.args)
    ]
    for block in blocks(prep):
        text = shown((block.get("text") or {}).get("text", ""))
        if "is away" in text:
            t.say(f"    | {text}")
    t.say("  Aiko's reminder waits while she is away.")
    moment = tick_until(t, runtime, moment, lambda: False, hours(2))
    home = {"type": "app_home_opened", "user": MENTOR.user_id, "channel": "D0AIKO", "tab": "home"}
    slack.event(home)
    view = t.standin.home_view(MENTOR.user_id) or {}
    t.say(f"[{t.stamp(moment, MENTOR)}] Between talks, Aiko opens mentorbot's App Home:")
    for block in view.get("blocks", []):
        if block.get("block_id") == "away_status":
            t.say(f"    | {shown(block['text']['text'])}  [Send them now]")
    t.say("  She presses “Send them now”:")
    before = len(t.standin.calls_to("chat.postMessage"))
    slack.block_action(MENTOR.user_id, "away_send_now", value="away", view=view)
    moment = tick_until(t, runtime, moment, lambda: sent(t, PROMPT, before), hours(6))
    moment = tick_until(t, runtime, moment, lambda: sent(t, "How did your", before), days(3))
    t.say(f"[{t.stamp(moment, MENTOR)}] Back home, Aiko clears her status.")
    _set_status(t, slack, moment)
    return moment


def _set_status(
    t: Transcript, slack: SignedSlackClient, moment: datetime, emoji: str = "", text: str = ""
) -> None:
    person = t.standin.set_status(MENTOR.user_id, emoji, text)
    user: dict[str, Any] = user_object(t.standin.bot, person)
    user["updated"] = int(moment.timestamp())  # the demo's clock, not the machine's
    slack.event({"type": "user_change", "user": user})


def local_date(moment: datetime) -> date:
    """The day `moment` is on Sam's clock."""
    return moment.astimezone(ZoneInfo(MENTEE.tz)).date()
