"""The demo's self-serve cohort: Lena finds Omar in the directory of mentors, asks him in
her own words, and his *Accept* makes the pair, with its kickoff in both their hours."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from mentorbot.demo import forms
from mentorbot.demo.transcript import (
    CHANNEL,
    COORDINATOR,
    GUIDE,
    SEEKER,
    Transcript,
    blocks,
    days,
    reply,
    sent,
    shown,
    tick_until,
)
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient

HELP = "Ten years of product design: portfolios, critiques, and a first design lead role."


def request_and_acceptance(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime
) -> datetime:
    """A cohort where mentees find their own mentor, from the directory to the kickoff."""
    create = f"cohort create Autumn <#{CHANNEL}|mentoring-spring> weeks 12 self-serve open"
    t.say(f"[{t.stamp(moment, COORDINATOR)}] A new cohort where mentees find their own mentor:")
    t.say(f'  "/mentoring {create}"')
    reply(t, slack.command("/mentoring", create, user_id=COORDINATOR.user_id).json())
    for person, values in (
        (GUIDE, forms.profile("mentor", "design, leadership", HELP)),
        (SEEKER, forms.profile("mentee", "design")),
    ):
        slack.command("/checkin", "profile", user_id=person.user_id)
        slack.view_submission(person.user_id, "profile", values)
    t.say(f"  Omar ticks “Mentees may ask me” in `/checkin profile`: “{HELP}”")
    t.say()

    t.say(f"[{t.stamp(moment, SEEKER)}] Lena types `/checkin find-mentor design`; only she sees:")
    directory = slack.command("/checkin", "find-mentor design", user_id=SEEKER.user_id).json()
    for block in directory["blocks"][:2]:
        for line in shown((block.get("text") or {}).get("text", "")).splitlines():
            t.say(f"    | {line}")
    ask = _button(directory, "mentor_request_open")
    t.say(f"  Lena presses “{ask['text']['text']}”; the request modal asks for her own words:")
    slack.block_action(SEEKER.user_id, "mentor_request_open", value=ask["value"], message={})
    view = t.standin.calls_to("views.open")[-1].args["view"]
    modal = json.loads(view) if isinstance(view, str) else view
    values = forms.mentor_request(
        why="Your critiques at the design guild changed how I present my work.",
        hope="The confidence to run a design review on my own.",
        first_goal="Lead my team's next design review",
        cadence="biweekly",
    )
    done = slack.view_submission(
        SEEKER.user_id, "mentor_request", values, modal["private_metadata"]
    ).json()
    for block in done["view"]["blocks"]:
        t.say(f"    | {shown(block['text']['text'])}")
    t.say("  Omar gets it in his working hours, with Accept, Not now and Suggest someone:")
    before = len(t.standin.calls_to("chat.postMessage"))
    moment = tick_until(t, runtime, moment, lambda: sent(t, "asks you to be their mentor", before))
    request = _last_to(t, GUIDE.user_id)

    t.say(f"[{t.stamp(moment, GUIDE)}] Omar presses “Accept”; his DM now reads:")
    accept = _button({"blocks": blocks(request)}, "mentor_request_accept")
    slack.block_action(
        GUIDE.user_id,
        "mentor_request_accept",
        value=accept["value"],
        message={**request, "blocks": blocks(request)},
        channel_id=t.standin.dm_channel_for(GUIDE.user_id),
    )
    for _url, answer in t.standin.responses[-1:]:
        for block in answer.get("blocks", [])[-1:]:
            for element in block.get("elements", []):
                t.say(f"    | {shown(element.get('text', ''))}")
    t.say("  The pair is made at the rhythm Lena asked for, with her first goal; the kickoff")
    t.say("  and Lena's answer follow in their hours:")
    kickoff = "You are a mentoring pair"
    return tick_until(t, runtime, moment, lambda: sent(t, kickoff, before), days(3))


def _button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The first button `action_id` in a message's blocks (an accessory or in actions)."""
    for block in message.get("blocks", []):
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise LookupError(action_id)


def _last_to(t: Transcript, user_id: str) -> dict[str, Any]:
    """The arguments of the latest message posted in the person's DM."""
    channel = t.standin.dm_channel_for(user_id)
    posts = [
        c.args for c in t.standin.calls_to("chat.postMessage") if c.args.get("channel") == channel
    ]
    return posts[-1]
