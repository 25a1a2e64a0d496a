"""The demo's second half: a win, the midpoint survey, a concern, a quiet spell, the closing
flow, the end of the cohort and alumni check-ins."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from mentorbot.demo import health
from mentorbot.demo.transcript import (
    COORDINATOR,
    MENTEE,
    MENTOR,
    Transcript,
    days,
    hours,
    reply,
    sent,
    shown,
    tick_until,
)
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient

WIN = "Ran my first demo for the <!channel> crowd & nobody fell asleep"
THANKS = "Thank you for every question, & for the patience <3"


def win(t: Transcript, slack: SignedSlackClient, moment: datetime) -> None:
    """Sam logs a win (with text that would ping a channel, were it not escaped) and shares it."""
    t.say(f"  Sam types `/checkin win {WIN}`:")
    logged = slack.command("/checkin", f"win {WIN}", user_id=MENTEE.user_id).json()
    reply(t, logged)
    share = _button(logged, "win_share")
    t.say("  Sam presses “Share in the cohort channel” (nothing is shared unless Sam does):")
    slack.block_action(MENTEE.user_id, "win_share", value=share, message=logged)
    for line in shown(t.standin.responses[-1][1].get("text", "")).splitlines():
        t.say(f"    | {line}")


def growth_and_ending(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime, pair_id: int
) -> datetime:
    """From the pair's return after a pause to the alumni check-ins, months after the end;
    returns the time."""
    t.say("Halfway through, everyone is asked for feedback (a week earlier, Priya got a heads-up):")
    surveys = lambda: sent(t, "short survey", count=2)  # noqa: E731
    moment = tick_until(t, runtime, moment, surveys, days(14), hours(3))
    t.say()
    moment = _midpoint(t, slack, moment, pair_id)
    t.say()
    _concern(t, slack, moment, pair_id)
    moment = tick_until(t, runtime, moment, lambda: sent(t, "A concern raised"), days(7))
    t.say()
    _reply_to_concern(t, slack, moment)
    t.say()

    t.say("Then the pair goes quiet. One friendly nudge to Sam; two cycles on, a note to Priya")
    t.say("that says check-ins stopped, and nothing of what anyone wrote:")
    moment = tick_until(t, runtime, moment, lambda: sent(t, "may need a hand"), days(40), hours(3))
    t.say()
    health.coordinator_view(t, runtime, slack, moment)
    t.say()

    t.say("Two weeks before the end, the closing flow reaches both of them:")
    moment = tick_until(
        t, runtime, moment, lambda: sent(t, "close your mentoring", count=2), days(14)
    )
    t.say()
    _closing(t, slack, moment, pair_id)
    t.say()

    t.say("The cohort ends on its date; each pair gets a farewell, and nothing more follows")
    t.say("except the alumni check-ins Sam asked for, 3 and 6 months on:")
    step = hours(8)  # three ticks a day, so each person's working hours come round
    moment = tick_until(t, runtime, moment, lambda: sent(t, "has come to an end"), days(21), step)
    return tick_until(t, runtime, moment, lambda: sent(t, "It has been 6 months"), days(200), step)


def _midpoint(t: Transcript, slack: SignedSlackClient, moment: datetime, pair_id: int) -> datetime:
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam presses “Give feedback” and answers 5, 4, 5:")
    slack.block_action(MENTEE.user_id, "feedback_open", value=f"{pair_id}:midpoint")
    answers = {"trust": "5", "communication": "4", "usefulness": "5"}
    values: dict[str, Any] = {
        name: {"value": {"type": "static_select", "selected_option": {"value": score}}}
        for name, score in answers.items()
    }
    values["comment"] = {
        "value": {"type": "plain_text_input", "value": "Aiko asks the questions I avoid."}
    }
    done = slack.view_submission(
        MENTEE.user_id, "feedback", values, view=_opened(t, "feedback")
    ).json()
    _modal(t, done)
    t.say(f"[{t.stamp(moment, COORDINATOR)}] Priya types `/mentoring feedback`:")
    reply(t, slack.command("/mentoring", "feedback", user_id=COORDINATOR.user_id).json())
    return moment


def _concern(t: Transcript, slack: SignedSlackClient, moment: datetime, pair_id: int) -> None:
    worry = "Our meetings keep moving at short notice; I don't want to make it awkward."
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam types `/checkin concern` and writes: “{worry}”")
    slack.command("/checkin", "concern", user_id=MENTEE.user_id)
    values = {
        "pair": {"value": {"type": "static_select", "selected_option": {"value": str(pair_id)}}},
        "text": {"value": {"type": "plain_text_input", "value": worry}},
    }
    _modal(t, slack.view_submission(MENTEE.user_id, "concern", values, view=_opened(t)).json())
    t.say("  It goes to Priya only (when her working hours allow); Aiko is never told.")


def _reply_to_concern(t: Transcript, slack: SignedSlackClient, moment: datetime) -> None:
    answer = "Thanks for raising it. I'll help you both set a fixed slot that suits you."
    t.say(f"[{t.stamp(moment, COORDINATOR)}] Priya presses “Reply to Sam” and writes: “{answer}”")
    message = t.standin.calls_to("chat.postMessage")[-1].args
    slack.block_action(
        COORDINATOR.user_id, "concern_reply", value=_button(message, "concern_reply")
    )
    values = {"reply": {"value": {"type": "plain_text_input", "value": answer}}}
    view = _opened(t, "concern_reply")
    _modal(t, slack.view_submission(COORDINATOR.user_id, "concern_reply", values, view=view).json())


def _closing(t: Transcript, slack: SignedSlackClient, moment: datetime, pair_id: int) -> None:
    t.say(f"[{t.stamp(moment, MENTEE)}] Sam presses “Reflect and close”: one goal done, one")
    t.say(f"  still in progress, a thank-you note (“{THANKS}”) and “keep in touch”:")
    slack.block_action(MENTEE.user_id, "closing_open", value=str(pair_id))
    view = _opened(t, "closing")
    goals = [b["block_id"] for b in view["blocks"] if str(b.get("block_id")).startswith("goal_")]
    values: dict[str, Any] = {
        goal: {"value": {"type": "radio_buttons", "selected_option": {"value": choice}}}
        for goal, choice in zip(goals, ("done", "open", "open"), strict=False)
    }
    values["gratitude"] = {"value": {"type": "plain_text_input", "value": THANKS}}
    values["keep"] = {
        "value": {"type": "checkboxes", "selected_options": [{"value": "keep"}]},
    }
    _modal(t, slack.view_submission(MENTEE.user_id, "closing", values, view=view).json())
    t.say(f"[{t.stamp(moment, MENTOR)}] Aiko closes too, without alumni check-ins.")
    slack.block_action(MENTOR.user_id, "closing_open", value=str(pair_id))
    slack.view_submission(MENTOR.user_id, "closing", {}, view=_opened(t, "closing"))


def _button(message: dict[str, Any], action_id: str) -> str:
    found = message.get("blocks") or []
    for block in json.loads(found) if isinstance(found, str) else found:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(element.get("value"))
    raise LookupError(f"no {action_id} button in the message")


def _opened(t: Transcript, callback_id: str | None = None) -> dict[str, Any]:
    """The modal opened last (as Slack holds it), to submit it as Slack would."""
    views = [c.args["view"] for c in t.standin.calls_to("views.open")]
    found = [json.loads(v) if isinstance(v, str) else dict(v) for v in views]
    if callback_id:
        found = [v for v in found if v.get("callback_id") == callback_id]
    return found[-1]


def _modal(t: Transcript, answer: dict[str, Any]) -> None:
    """Print what a submitted modal turned into (its confirmation, or its errors)."""
    if answer.get("response_action") == "errors":
        for field, error in answer["errors"].items():
            t.say(f"    | {field}: {error}")
        return
    for block in answer.get("view", {}).get("blocks", []):
        for line in shown(block.get("text", {}).get("text", "")).splitlines():
            t.say(f"    | {line}")
