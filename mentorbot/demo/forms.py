"""What the demo's people type into Slack's modals (`view.state.values`)."""

from __future__ import annotations

from typing import Any


def agreement(time: str = "10:00", weekday: str = "2") -> dict[str, Any]:
    return {
        "cadence": {"value": {"type": "static_select", "selected_option": {"value": "biweekly"}}},
        "weekday": {"value": {"type": "static_select", "selected_option": {"value": weekday}}},
        "time": {"value": {"type": "timepicker", "selected_time": time}},
        "place": {"value": {"type": "static_select", "selected_option": {"value": "video"}}},
        "expectations": {"value": {"type": "plain_text_input", "value": "Come with a question"}},
        "goal": {"value": {"type": "plain_text_input", "value": "Lead a project by June"}},
    }


def announcement(cohort_id: str, text: str, day: str) -> dict[str, Any]:
    return {
        "cohort": {"value": {"type": "static_select", "selected_option": {"value": cohort_id}}},
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "when": {"value": {"type": "radio_buttons", "selected_option": {"value": "later"}}},
        "date": {"value": {"type": "datepicker", "selected_date": day}},
        "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
    }


def profile(role: str, areas: str, how_i_help: str = "") -> dict[str, Any]:
    """A matching profile; a mentor's is open to requests."""
    values: dict[str, Any] = {
        "role": {"value": {"type": "radio_buttons", "selected_option": {"value": role}}},
        "areas": {"value": {"type": "plain_text_input", "value": areas}},
    }
    if role == "mentor":
        values["open_to_requests"] = {
            "value": {"type": "checkboxes", "selected_options": [{"value": "open"}]}
        }
        values["how_i_help"] = {"value": {"type": "plain_text_input", "value": how_i_help}}
    return values


def mentor_request(why: str, hope: str, first_goal: str, cadence: str) -> dict[str, Any]:
    return {
        "why": {"value": {"type": "plain_text_input", "value": why}},
        "hope": {"value": {"type": "plain_text_input", "value": hope}},
        "first_goal": {"value": {"type": "plain_text_input", "value": first_goal}},
        "cadence": {"value": {"type": "static_select", "selected_option": {"value": cadence}}},
    }
