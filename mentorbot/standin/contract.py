"""Check Web API calls against Slack's request contract and Block Kit rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

CONTRACT_FILE = "web_api_contract.json"
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
MAX_MESSAGE_BLOCKS = 50
MAX_TEXT = 40_000
VIEW_TYPES = {"views.open": "modal", "views.push": "modal", "views.publish": "home"}
_INTEGER = re.compile(r"-?\d+")
_BOOLEANS = {"true", "false", "1", "0"}


@dataclass(frozen=True)
class Violation:
    """One broken rule: the Slack error code it maps to and a readable message."""

    error: str
    message: str


@cache
def load_contract() -> dict[str, Any]:
    """Load the packaged contract: spec-derived methods plus the hand-written supplement."""
    text = resources.files("mentorbot.standin").joinpath(CONTRACT_FILE).read_text("utf-8")
    contract: dict[str, Any] = json.loads(text)
    return contract


def method_contract(method: str) -> dict[str, Any] | None:
    """Return the contract entry of a method, from the spec or the supplement, or None."""
    contract = load_contract()
    entry = contract["methods"].get(method) or contract["supplement"]["methods"].get(method)
    return entry if isinstance(entry, dict) else None


def check_call(
    method: str, args: Mapping[str, Any], headers: Mapping[str, str], http_method: str = "POST"
) -> list[str]:
    """Return the contract violations of one Web API call (empty when the call is fine)."""
    return [v.message for v in find_violations(method, args, headers, http_method)]


def find_violations(
    method: str, args: Mapping[str, Any], headers: Mapping[str, str], http_method: str = "POST"
) -> list[Violation]:
    """Return the violations of one Web API call, each with the Slack error it maps to."""
    entry = method_contract(method)
    if entry is None:
        return [Violation("unknown_method", "not a Slack Web API method")]
    found: list[Violation] = []
    verb = http_method.upper()
    if verb != "POST" and verb not in entry["http_methods"]:
        found.append(Violation("invalid_arguments", f"HTTP {verb} not accepted"))
    if entry.get("token", True) and not _has_token(args, headers):
        found.append(Violation("not_authed", "no token (Authorization: Bearer ...)"))
    present = {k: v for k, v in args.items() if k != "token" and v is not None}
    for name in entry["required"]:
        if name not in present or present[name] == "":
            found.append(_bad(f"missing required argument `{name}`"))
    for name, value in present.items():
        problem = _type_problem(entry["types"].get(name), value)
        if problem:
            found.append(_bad(f"argument `{name}` {problem}"))
    found.extend(_method_rules(method, present))
    return found


def check_blocks(blocks: Any, where: str = "blocks", limit: int | None = None) -> list[str]:
    """Return Block Kit violations of a blocks value (a JSON string or a list of blocks)."""
    parsed, problem = _json_value(blocks, list)
    if problem:
        return [f"{where}: {problem}"]
    found: list[str] = []
    if limit is not None and len(parsed) > limit:
        found.append(f"{where}: {len(parsed)} blocks, more than {limit}")
    for index, block in enumerate(parsed):
        found.extend(_check_block(block, f"{where}[{index}]"))
    return found


def check_view(view: Any, expected_type: str | None = None) -> list[str]:
    """Return violations of a view payload (a JSON string or an object)."""
    parsed, problem = _json_value(view, dict)
    if problem:
        return [f"view: {problem}"]
    found: list[str] = []
    if expected_type and parsed.get("type") != expected_type:
        found.append(f"view: type must be {expected_type!r}, got {parsed.get('type')!r}")
    block_problems = check_blocks(parsed.get("blocks", []), "view.blocks")
    if block_problems and isinstance(parsed.get("blocks"), list):
        # Blocks are reported one by one below; check the rest of the view on placeholders.
        parsed = {**parsed, "blocks": [{"type": "divider"}] * len(parsed["blocks"])}
    try:
        View(**parsed).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as exc:
        found.append(f"view: {exc}")
    return found + block_problems


def check_metadata(metadata: Any) -> list[str]:
    """Return violations of message metadata: JSON with event_type and an event_payload object."""
    parsed, problem = _json_value(metadata, dict)
    if problem:
        return [f"metadata: {problem}"]
    found: list[str] = []
    if not isinstance(parsed.get("event_type"), str) or not parsed["event_type"]:
        found.append("metadata: `event_type` must be a non-empty string")
    if not isinstance(parsed.get("event_payload"), dict):
        found.append("metadata: `event_payload` must be an object")
    return found


def check_message_content(payload: Mapping[str, Any]) -> list[str]:
    """Return violations of a message's text/blocks: a non-blank text fallback is required."""
    found: list[str] = []
    if "blocks" in payload and payload["blocks"] is not None:
        found.extend(check_blocks(payload["blocks"], "blocks", MAX_MESSAGE_BLOCKS))
    if _is_blank(payload.get("text")) and _is_blank(payload.get("markdown_text")):
        if payload.get("blocks") or payload.get("attachments"):
            found.append(
                "missing `text`: blocks/attachments need a text fallback for notifications"
            )
        else:
            found.append("needs `text` or `blocks`")
    if isinstance(payload.get("text"), str) and len(payload["text"]) > MAX_TEXT:
        found.append(f"`text` is longer than {MAX_TEXT} characters (Slack truncates it)")
    if payload.get("metadata") is not None:
        found.extend(check_metadata(payload["metadata"]))
    return found


def parse_json_arg(value: Any) -> Any:
    """Decode an argument that may arrive as a JSON string (form bodies) or as JSON already."""
    if isinstance(value, str | bytes):
        return json.loads(value)
    return value


def _method_rules(method: str, args: Mapping[str, Any]) -> list[Violation]:
    """Apply rules the spec cannot express: text fallback, views, metadata, Block Kit."""
    messages: list[str] = []
    if method in MESSAGE_METHODS:
        messages.extend(check_message_content(args))
    else:
        if "blocks" in args:
            messages.extend(check_blocks(args["blocks"]))
        if "metadata" in args:
            messages.extend(check_metadata(args["metadata"]))
    if method == "views.update":
        if not args.get("view_id") and not args.get("external_id"):
            messages.append("needs `view_id` or `external_id`")
        if "view" not in args:
            messages.append("missing required argument `view`")
    if "view" in args and method.startswith("views."):
        messages.extend(check_view(args["view"], VIEW_TYPES.get(method)))
    return [_classify(message) for message in messages]


def _classify(message: str) -> Violation:
    """Map a rule message to the Slack error it would produce."""
    block_problem = message.startswith(("blocks", "view.blocks"))
    return Violation("invalid_blocks" if block_problem else "invalid_arguments", message)


def _bad(message: str) -> Violation:
    """Build an invalid_arguments violation."""
    return Violation("invalid_arguments", message)


def _has_token(args: Mapping[str, Any], headers: Mapping[str, str]) -> bool:
    """Tell whether the call carries a token, in the Authorization header or a `token` field."""
    lowered = {k.lower(): v for k, v in headers.items()}
    scheme, _, token = (lowered.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return True
    return isinstance(args.get("token"), str) and bool(args["token"].strip())


def _type_problem(expected: str | None, value: Any) -> str | None:
    """Describe how a value fails its spec type (form values arrive as strings), or None."""
    if expected == "boolean":
        ok = isinstance(value, bool) or value in (0, 1) or str(value).lower() in _BOOLEANS
    elif expected == "integer":
        as_text = isinstance(value, str) and _INTEGER.fullmatch(value) is not None
        ok = as_text or (isinstance(value, int) and not isinstance(value, bool))
    elif expected == "number":
        ok = not isinstance(value, bool) and isinstance(value, int | float | str)
        try:
            float(value)
        except (TypeError, ValueError):
            ok = False
    else:
        return None
    if ok:
        return None
    article = "an" if expected == "integer" else "a"
    return f"must be {article} {expected}, got {value!r}"


def _json_value(value: Any, kind: type) -> tuple[Any, str | None]:
    """Decode a JSON-string-or-object value and check it is of the expected kind."""
    try:
        parsed = parse_json_arg(value)
    except ValueError as exc:
        return None, f"not valid JSON ({exc})"
    if not isinstance(parsed, kind):
        return None, f"must be a JSON {'array' if kind is list else 'object'}"
    return parsed, None


def _check_block(block: Any, where: str) -> list[str]:
    """Validate one block with slack_sdk's models; unknown or dropped types are violations."""
    if not isinstance(block, dict):
        return [f"{where}: a block must be an object"]
    try:
        parsed = Block.parse(block)
        if parsed is None or type(parsed) is Block:
            return [f"{where}: unknown block type {block.get('type')!r}"]
        parsed.validate_json()
        kept = _types_in(parsed.to_dict(), Counter())
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return [f"{where} ({block.get('type')}): {exc}"]
    dropped = _types_in(block, Counter()) - kept
    if dropped:
        return [f"{where}: unknown element type(s) {sorted(dropped)} (dropped by slack_sdk)"]
    return []


def _types_in(value: Any, counter: Counter[str]) -> Counter[str]:
    """Count every `type` string in a JSON structure."""
    if isinstance(value, dict):
        if isinstance(value.get("type"), str):
            counter[value["type"]] += 1
        for item in value.values():
            _types_in(item, counter)
    elif isinstance(value, list):
        for item in value:
            _types_in(item, counter)
    return counter


def _is_blank(value: Any) -> bool:
    """Tell whether a text argument is absent or whitespace only."""
    return not isinstance(value, str) or not value.strip()
