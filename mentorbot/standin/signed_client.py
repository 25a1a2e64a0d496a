"""Send Slack-shaped, signed requests (commands, events, interactions) to the bot.

The requests travel by a transport: over HTTP to the served bot (`OverHttp`), or straight
into a Bolt app's `dispatch()` in this process (`InProcess`), the call every web adapter
makes once it has read a request. Both hand Bolt the same body and headers.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from mentorbot.standin.objects import conversation_id

if TYPE_CHECKING:
    from mentorbot.standin.server import SlackStandin

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass
class BotResponse:
    """The bot's HTTP answer to one request."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def json(self) -> Any:
        """Decode the body as JSON."""
        return json.loads(self.body)


class Transport(Protocol):
    """Takes one request (body and headers, exactly as Slack would send them) to the bot and
    returns its answer, whatever the status."""

    def __call__(self, body: bytes, headers: dict[str, str]) -> BotResponse: ...


class OverHttp:
    """POSTs each request to the bot's URL, as Slack does."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __call__(self, body: bytes, headers: dict[str, str]) -> BotResponse:
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
                return BotResponse(response.status, dict(response.headers.items()), text)
        except urllib.error.HTTPError as error:
            with error:
                text = error.read().decode("utf-8", "replace")
                return BotResponse(error.code, dict(error.headers.items()), text)


class InProcess:
    """Hands each request to a Bolt app's `dispatch()` in this process.

    That is where a web adapter hands a request over once it has read it, so Bolt's
    signature check, middleware, listeners and error handler all run as they do when the bot
    is served; only the HTTP server and the web layer in front of Bolt are left out. Bodies
    the web layer itself must survive (those Bolt cannot even parse) need `OverHttp`.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    def __call__(self, body: bytes, headers: dict[str, str]) -> BotResponse:
        try:
            request = BoltRequest(body=body.decode("utf-8"), headers=dict(headers))
        except Exception as error:
            raise ValueError(
                "Bolt cannot take this body apart (bytes that are not UTF-8, or a payload "
                "whose user or channel is not what Slack sends), so the web layer answers it "
                "before Bolt: send it over HTTP"
            ) from error
        response = self.app.dispatch(request)
        # As the HTTP server would send them: one header line per name.
        names = {name: ", ".join(values) for name, values in response.headers.items()}
        return BotResponse(response.status, names, response.body)


class SignedSlackClient:
    """Plays Slack towards the bot: builds payloads like Slack's and signs them."""

    def __init__(
        self,
        bot: str | Transport,
        signing_secret: str,
        standin: SlackStandin | None = None,
        team_id: str = "T0MENTOR",
        timeout: float = 30.0,
        settle: Callable[[], None] | None = None,
    ) -> None:
        """`bot` is the bot's URL (requests go over HTTP, each given `timeout` seconds) or a
        transport such as `InProcess(app)`. `settle`, when given, is called after every
        answer: a test or the demo passes the bot's `Runtime.settle` to wait for the Slack
        calls that follow an answer."""
        self.transport: Transport = OverHttp(bot, timeout) if isinstance(bot, str) else bot
        self.settle = settle
        self.standin = standin
        self.team_id = team_id
        self.api_app_id = standin.app_id if standin else "A0MENTORBOT"
        self.bot_user_id = standin.bot_user_id if standin else "U0MENTORBOT"
        self.bot_id = standin.bot.bot_id if standin else "B0MENTORBOT"
        self._verifier = SignatureVerifier(signing_secret)

    # -- Slack's request kinds ---------------------------------------------------------------

    def command(
        self,
        command: str,
        text: str,
        user_id: str,
        channel_id: str = "C0GENERAL",
        trigger_id: str | None = None,
        *,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> BotResponse:
        """Send a slash command, form-encoded, with a response_url and trigger_id."""
        fields = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": "mentorbot-dev",
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else "general",
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(),
            "trigger_id": trigger_id or self._trigger_id(),
        }
        return self._post(urlencode(fields).encode(), FORM, timestamp=timestamp, sign=sign)

    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        *,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> BotResponse:
        """Send an Events API event in its event_callback envelope, as JSON."""
        now = time.time()
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{uuid.uuid4().hex}",
        }
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        body = json.dumps(envelope).encode()
        return self._post(body, JSON, headers, timestamp=timestamp, sign=sign)

    def file_shared_in_dm(self, user_id: str, file: dict[str, Any], text: str = "") -> BotResponse:
        """Send the message.im event (subtype file_share) of a member sharing a file."""
        channel = self._dm_channel(user_id)
        ts = self._message_ts_with_file(channel, str(file.get("id") or ""))
        event = {
            "type": "message",
            "subtype": "file_share",
            "channel": channel,
            "channel_type": "im",
            "user": user_id,
            "text": text,
            "files": [file],
            "ts": ts,
            "event_ts": ts,
            "upload": True,
            "display_as_bot": False,
        }
        return self.event(event)

    def url_verification(
        self, challenge: str, *, timestamp: int | None = None, sign: bool = True
    ) -> BotResponse:
        """Send the url_verification handshake Slack sends when the Request URL is set."""
        body = {"token": "legacy-verification-token", "challenge": challenge}
        payload = json.dumps({**body, "type": "url_verification"}).encode()
        return self._post(payload, JSON, timestamp=timestamp, sign=sign)

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        view: dict[str, Any] | None = None,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
        *,
        block_id: str | None = None,
        action: dict[str, Any] | None = None,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> BotResponse:
        """Send a block_actions interaction from a message, a modal or the App Home."""
        surface = view if view is not None else message
        found = _block_id_of(surface.get("blocks", []) if surface else [], action_id)
        clicked: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id or found or f"b_{action_id}",
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            clicked["value"] = value
        clicked.update(action or {})
        payload = self._interaction("block_actions", user_id)
        payload["actions"] = [clicked]
        payload["state"] = {"values": {}}
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        channel = channel_id or str((message or {}).get("channel") or "")
        if message is not None:
            payload["message"] = message
            payload["container"] = {
                "type": "message",
                "message_ts": message.get("ts", ""),
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["response_url"] = self._response_url()
        if channel:
            payload["channel"] = {"id": channel, "name": "general"}
        return self._send_interaction(payload, timestamp, sign)

    def view_submission(
        self,
        user_id: str,
        callback_id: str,
        values: dict[str, Any],
        private_metadata: str = "",
        *,
        view: dict[str, Any] | None = None,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> BotResponse:
        """Send a view_submission of a modal; `values` is Slack's view.state.values."""
        base = dict(view or {})
        view_id = base.get("id") or f"V{uuid.uuid4().hex[:10].upper()}"
        submitted = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "title": {"type": "plain_text", "text": "Modal", "emoji": True},
            "hash": f"{time.time():.6f}.{uuid.uuid4().hex[:8]}",
            "root_view_id": view_id,
            "previous_view_id": None,
            "external_id": "",
            "app_id": self.api_app_id,
            "bot_id": self.bot_id,
            **base,
            "callback_id": callback_id,
            "private_metadata": private_metadata or base.get("private_metadata", ""),
            "state": {"values": values},
        }
        payload = self._interaction("view_submission", user_id)
        payload.update(view=submitted, response_urls=[])
        return self._send_interaction(payload, timestamp, sign)

    def raw(self, body: bytes, headers: dict[str, str]) -> BotResponse:
        """Send a body with exactly the given headers (for tampered or unsigned requests)."""
        return self._send(body, headers)

    # -- plumbing ----------------------------------------------------------------------------

    def _interaction(self, kind: str, user_id: str) -> dict[str, Any]:
        """Return the common fields of an interaction payload."""
        return {
            "type": kind,
            "team": {"id": self.team_id, "domain": "mentorbot-dev"},
            "user": {
                "id": user_id,
                "username": self._user_name(user_id),
                "name": self._user_name(user_id),
                "team_id": self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": self._trigger_id(),
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _send_interaction(
        self, payload: dict[str, Any], timestamp: int | None, sign: bool
    ) -> BotResponse:
        """Send an interaction payload form-encoded as payload=<json>, as Slack does."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._post(body, FORM, timestamp=timestamp, sign=sign)

    def _post(
        self,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
        *,
        timestamp: int | None,
        sign: bool,
    ) -> BotResponse:
        """Sign (unless told not to) and send a body."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, **(extra or {})}
        headers["X-Slack-Request-Timestamp"] = stamp
        if sign:
            signature = self._verifier.generate_signature(timestamp=stamp, body=body)
            headers["X-Slack-Signature"] = signature or ""
        return self._send(body, headers)

    def _send(self, body: bytes, headers: dict[str, str]) -> BotResponse:
        """Send to the bot and return its answer, whatever the status."""
        try:
            return self.transport(body, headers)
        finally:
            if self.settle is not None:
                self.settle()

    def _user_name(self, user_id: str) -> str:
        """Return a member's name from the stand-in, else the id."""
        user = self.standin.user(user_id) if self.standin else None
        return user.name if user else user_id

    def _dm_channel(self, user_id: str) -> str:
        """Return the id of the bot's DM with a member."""
        if self.standin is not None:
            return self.standin.dm_channel_for(user_id)
        return conversation_id("D", [user_id])

    def _message_ts_with_file(self, channel: str, file_id: str) -> str:
        """Return the ts of the stand-in's message carrying a file, else a new ts."""
        messages = self.standin.messages_in(channel) if self.standin else []
        for message in reversed(messages):
            if any(f.get("id") == file_id for f in message.get("files", [])):
                return str(message["ts"])
        return f"{time.time():.6f}"

    def _response_url(self) -> str:
        """Return a response_url: served by the stand-in when there is one."""
        if self.standin is not None:
            return self.standin.new_response_url()
        return f"https://hooks.slack.com/actions/{self.team_id}/0/{uuid.uuid4().hex}"

    def _trigger_id(self) -> str:
        """Return a trigger_id: issued by the stand-in when there is one."""
        if self.standin is not None:
            return self.standin.new_trigger_id()
        return f"{int(time.time())}.0.{uuid.uuid4().hex}"


def _block_id_of(blocks: list[Any], action_id: str) -> str | None:
    """Find the block_id of the block holding an element with this action_id."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        elements = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        if any(isinstance(e, dict) and e.get("action_id") == action_id for e in elements):
            return str(block.get("block_id") or "") or None
    return None
