"""Reading what people entered in a modal (Slack's `view.state.values`)."""

from __future__ import annotations

from typing import Any


def field(view: dict[str, Any], block_id: str) -> str | None:
    """The value of the input in block `block_id`, whatever its element type; None if empty."""
    elements = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    for element in elements.values():
        for key in ("value", "selected_date", "selected_time", "selected_conversation"):
            if element.get(key):
                return str(element[key]).strip() or None
        option = element.get("selected_option")
        if option and option.get("value"):
            return str(option["value"])
    return None


def checked(view: dict[str, Any], block_id: str) -> list[str]:
    """The values of the boxes ticked in block `block_id` (a checkboxes element)."""
    elements = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    return [
        str(option.get("value"))
        for element in elements.values()
        for option in element.get("selected_options") or []
    ]


def option(value: str, label: str) -> dict[str, Any]:
    """A Block Kit option for static selects and radio buttons."""
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}
