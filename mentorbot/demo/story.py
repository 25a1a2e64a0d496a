"""The demo's story: a cohort, a pair, kickoff and agreement, an announcement, weeks of the
pair's rhythm, then the programme's growth and ending (see `ending`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mentorbot.bot.models import Pair
from mentorbot.bot.timeutil import utcnow
from mentorbot.demo import dashboard, ending, finding_a_mentor, forms, own_time
from mentorbot.demo.transcript import (
    CHANNEL,
    COORDINATOR,
    MENTEE,
    MENTOR,
    PEOPLE,
    Transcript,
    agreement_posted,
    at,
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


def programme(t: Transcript, runtime: Runtime, slack: SignedSlackClient) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    runtime.clock = at(now)  # requests see the demo's simulated time, as ticks do
    t.say("mentorbot demo: a whole mentoring programme against a local stand-in for Slack.")
    t.say("People: " + ", ".join(f"{p.name} ({p.role}, {p.tz})" for p in PEOPLE))
    t.say()

    create = f"cohort create Spring <#{CHANNEL}|mentoring-spring> weeks 12 cadence biweekly"
    t.say(f'[{t.stamp(now, COORDINATOR)}] Priya creates the cohort: "/mentoring {create}"')
    reply(t, slack.command("/mentoring", create, user_id=COORDINATOR.user_id).json())
    t.deliveries(now)
    pair = f"pair <@{MENTOR.user_id}|aiko> <@{MENTEE.user_id}|sam>"
    t.say(f'[{t.stamp(now, COORDINATOR)}] Priya pairs them: "/mentoring {pair}"')
    reply(t, slack.command("/mentoring", pair, user_id=COORDINATOR.user_id).json())
    t.say()

    t.say("The kickoff goes through the outbox: a group DM, when the hours allow (Tokyo and")
    t.say("New York never share office hours, so it waits for Sam's morning):")
    moment = tick_until(t, runtime, now, lambda: sent(t, "You are a mentoring pair"))
    t.say()
    pair_id = _pair_id(runtime)
    moment = _agreement(t, runtime, slack, moment, pair_id)
    t.say()
    own_time.calendar_link(t, slack, moment)
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
        COORDINATOR.user_id, "announce", forms.announcement(cohort_id, text, post_at.isoformat())
    ).json()
    for block in done["view"]["blocks"]:
        t.say(f"    | {block['text']['text']}")
    t.say()

    quick = "Excited to start: I want to lead a project this year"
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam types `/checkin {quick}`; only Sam sees:")
    reply(t, slack.command("/checkin", quick, user_id=MENTEE.user_id).json())
    t.say()

    t.say("Time moves on, one tick an hour (as `mentorbot tick --at ...` would).")
    moment = own_time.away_at_a_conference(t, runtime, slack, moment)
    t.say()
    moment = _rhythm(t, runtime, slack, moment, pair_id)
    t.say()
    moment = ending.growth_and_ending(t, runtime, slack, moment, pair_id)
    t.say()
    moment = finding_a_mentor.request_and_acceptance(t, runtime, slack, moment)
    t.say()
    dashboard.open_dashboard(t, slack, moment)
    t.say()
    t.say("Each message above was checked against Slack's Web API contract and Block Kit rules.")


def _agreement(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime, pair_id: int
) -> datetime:
    """The kickoff's button: a typo, a time at Aiko's midnight, then one that suits both."""
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam presses “Set up our agreement”; a modal opens.")
    slack.block_action(MENTEE.user_id, "agreement_open", value=str(pair_id))

    def submit(**terms: str) -> dict[str, Any]:
        form = forms.agreement(weekday=str(weekday), **terms)
        return dict(slack.view_submission(MENTEE.user_id, "agreement", form, str(pair_id)).json())

    # A weekday from Monday to Thursday in New York, so that Tokyo's next morning is a workday.
    day = (moment + days(2)).astimezone(ZoneInfo(MENTEE.tz))
    while day.weekday() > 3:
        day += days(1)
    weekday = day.weekday()
    t.say(f"  Sam types the time as 7pm; next to the field: {submit(time='7pm')['errors']['time']}")
    t.say(f"  Sam picks {day:%A}s at 10:00; next to the field:")
    t.say(f"    {submit(time='10:00')['errors']['time']}")
    t.say("  They meet in the middle: Aiko starts her day at 07:00, Sam ends theirs at 19:00.")
    for person, window in ((MENTOR, "07:00-16:00"), (MENTEE, "10:00-19:00")):
        t.say(f"[{t.stamp(moment, person)}] {person.name} types `/checkin hours {window}`")
        reply(t, slack.command("/checkin", f"hours {window}", user_id=person.user_id).json())
    agreed = submit(time="18:00")
    t.say(f"  Sam picks {day:%A}s at 18:00 and submits; the modal shows it on both clocks:")
    for line in shown(agreed["view"]["blocks"][0]["text"]["text"]).splitlines()[:2]:
        t.say(f"    | {line}")
    t.say("  and both of them see the agreement in their group DM:")
    return tick_until(t, runtime, moment, lambda: agreement_posted(t))


def _rhythm(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime, pair_id: int
) -> datetime:
    """Weeks of a pair's rhythm: a shared check-in, a goal, a win, a pause; returns the time."""
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
    # After the pause below, before the cohort's closing weeks.
    today = own_time.local_date(moment)
    due = own_time.holiday_goal_due(t, slack, moment, today + days(38), today + days(60))
    due = due or today + days(40)
    goal = f"goal Present the project plan to the team by {due.isoformat()}"
    t.say(f"  Sam types `/checkin {goal}`:")
    reply(t, slack.command("/checkin", goal, user_id=MENTEE.user_id).json())
    ending.win(t, slack, moment)
    t.say()

    t.say("Two weeks on, Aiko's prompt carries Sam's goals and the check-in Sam shared:")
    before = len(t.standin.calls_to("chat.postMessage"))
    moment = tick_until(
        t, runtime, moment, lambda: sent(t, "Your next meeting with", before), days(15)
    )
    [*_, prompt] = [
        c.args
        for c in t.standin.calls_to("chat.postMessage")
        if "Your next meeting with" in str(c.args.get("text"))
    ]
    for block in blocks(prompt)[1:3]:
        for line in shown(block.get("text", {}).get("text", "")).splitlines():
            t.say(f"    | {line}")
    t.say()

    t.say(f"[{t.stamp(moment, MENTEE)}] Sam is off on holiday: `/checkin pause 3 weeks`")
    reply(t, slack.command("/checkin", "pause 3 weeks", user_id=MENTEE.user_id).json())
    t.say("  No prompts or nudges while paused; the pause ends by itself:")
    return tick_until(t, runtime, moment, lambda: sent(t, "Welcome back"), days(23), hours(3))


def _pair_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalars(select(Pair.id)).one())
