"""A local stand-in for Slack's Web API, served over HTTP on loopback, that checks every call."""

from __future__ import annotations

import copy
import json
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, quote, unquote
from zoneinfo import ZoneInfo

from mentorbot.standin.contract import (
    Violation,
    check_message_content,
    find_violations,
    method_contract,
)
from mentorbot.standin.methods import Workspace
from mentorbot.standin.objects import (
    BotIdentity,
    FileDownload,
    Json,
    RecordedCall,
    SlackError,
    StandinChannel,
    StandinUser,
    UploadedFile,
)
from mentorbot.standin.transport import Answer, StandinHTTPServer, parse_body

# How long a held call (SlackStandin.hold) waits at most before it is answered anyway.
HOLD_LIMIT_SECONDS = 60

_ERROR_ORDER = ("unknown_method", "not_authed", "invalid_arguments", "invalid_blocks")
_STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
RESPONSE_URL_USES = 5
SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in | Slack</title></head><body></body></html>"
)


class ContractViolation(AssertionError):
    """Raised by assert_no_violations when the bot broke Slack's Web API contract."""


@dataclass
class _Fault:
    """One injected failure."""

    error: str
    status: int
    retry_after: int | None = None
    drop: bool = False


@dataclass
class _RateLimit:
    """A token bucket: `per_second` calls on average, bursts of up to `burst`."""

    per_second: float
    burst: int
    tokens: float
    last: float

    def take(self, now: float) -> _Fault | None:
        """Spend one token, or a 429 fault saying in whole seconds when one will be there."""
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.per_second)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        wait = max(1, math.ceil((1 - self.tokens) / self.per_second))
        return _Fault("ratelimited", 429, wait)


class SlackStandin:
    """Slack's Web API on 127.0.0.1: answers like Slack, records and checks every call."""

    def __init__(
        self,
        *,
        team_id: str = "T0MENTOR",
        bot_user_id: str = "U0MENTORBOT",
        bot_id: str = "B0MENTORBOT",
        app_id: str = "A0MENTORBOT",
        team_name: str = "mentorbot-dev",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.bot = BotIdentity(team_id, team_name, bot_user_id, bot_id, app_id)
        self._address = (host, port)
        self._lock = threading.Lock()
        self._workspace = Workspace(self.bot)
        self._calls: list[RecordedCall] = []
        self._downloads: list[FileDownload] = []
        self._responses: list[tuple[str, Json]] = []
        self._response_uses: dict[str, int] = {}
        self._response_violations: list[str] = []
        self._fail_next: dict[str, deque[_Fault]] = {}
        self._fail_after: dict[str, deque[_Fault]] = {}
        self._limits: dict[str, _RateLimit] = {}
        self._holds: dict[str, threading.Event] = {}
        self._httpd: StandinHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> SlackStandin:
        """Bind a free port and serve in a background thread."""
        if self._httpd is not None:
            raise RuntimeError("the Slack stand-in is already running")
        self._httpd = StandinHTTPServer(self._address, self)
        host, port = self._httpd.server_address[:2]
        self._workspace.base_url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is None:
            return
        for gate in self._holds.values():
            gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> SlackStandin:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The server's root URL, e.g. http://127.0.0.1:PORT."""
        if not self._workspace.base_url:
            raise RuntimeError("the Slack stand-in is not started")
        return self._workspace.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL for WebClient(base_url=...): http://127.0.0.1:PORT/api/."""
        return f"{self.base_url}/api/"

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self.bot.team_id

    @property
    def bot_user_id(self) -> str:
        """The bot's user id."""
        return self.bot.bot_user_id

    @property
    def app_id(self) -> str:
        """The app id."""
        return self.bot.app_id

    # -- set-up -----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/London",
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        *,
        real_name: str | None = None,
        team_id: str | None = None,
    ) -> StandinUser:
        """Add a workspace member (tz must be an IANA zone name), of the stand-in's own
        workspace unless `team_id` names another: users.info shows anyone, with their team_id,
        as Slack shows a member of another workspace through a shared channel."""
        ZoneInfo(tz)
        user = StandinUser(
            user_id, name, real_name or name, tz, email, deleted, is_bot, team_id or None
        )
        with self._lock:
            self._workspace.users[user_id] = user
        return user

    def user(self, user_id: str) -> StandinUser | None:
        """Return a member added with add_user, or None."""
        with self._lock:
            return self._workspace.users.get(user_id)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Sequence[str] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        archived: bool = False,
    ) -> StandinChannel:
        """Register a channel; the bot can post and read there only while it is a member."""
        channel = StandinChannel(
            channel_id, name, list(members), bot_is_member, is_private, archived
        )
        with self._lock:
            self._workspace.channels[channel_id] = channel
        return copy.deepcopy(channel)

    def invite_bot(self, channel_id: str) -> None:
        """Make the bot a member of a registered channel, as /invite @mentorbot does."""
        with self._lock:
            channel = self._workspace.channels.get(channel_id)
            if channel is None:
                raise KeyError(f"{channel_id} was not registered with add_channel")
            channel.bot_is_member = True

    def channel(self, channel_id: str) -> StandinChannel | None:
        """Return a channel registered with add_channel, or None."""
        with self._lock:
            return copy.deepcopy(self._workspace.channels.get(channel_id))

    def share_file_in_dm(
        self,
        user_id: str,
        filename: str,
        content: bytes,
        *,
        filetype: str = "csv",
        mimetype: str = "text/csv",
        text: str = "",
    ) -> Json:
        """Post a member's message sharing a file in their DM with the bot; return the file."""
        if not self._workspace.base_url:
            raise RuntimeError("start the Slack stand-in first: file URLs point at it")
        with self._lock:
            file = self._workspace.share_file(user_id, filename, content, filetype, mimetype, text)
        return copy.deepcopy(file)

    def delete_shared_file(self, file_id: str) -> None:
        """Delete a file a member shared (as they can in Slack): history shows a tombstone,
        files.info answers file_deleted, its URLs find nothing."""
        with self._lock:
            self._workspace.delete_shared_file(file_id)

    def approve_install(
        self, team_id: str, team_name: str, installer: str, *, bot_user_id: str | None = None
    ) -> str:
        """Play Slack's "Allow" page: another workspace installs the app; returns the code.

        The code is exchanged once (oauth.v2.access) for that workspace's own bot token.
        """
        token = f"xoxb-{team_id.lower()}-{uuid.uuid4().hex[:12]}"
        bot = BotIdentity(
            team_id,
            team_name,
            bot_user_id or f"U0BOT{team_id[-4:]}",
            f"B0{team_id[-6:]}",
            self.app_id,
        )
        code = f"code-{uuid.uuid4().hex}"
        with self._lock:
            self._workspace.identities[token] = bot
            self._workspace.install_codes[code] = (token, installer)
        return code

    def revoke_tokens(self, team_id: str) -> None:
        """Revoke every token of a workspace, as uninstalling the app does."""
        with self._lock:
            for token, bot in self._workspace.identities.items():
                if bot.team_id == team_id:
                    self._workspace.revoked.add(token)

    def team_of(self, call: RecordedCall) -> str:
        """The workspace whose token made a call (the default one for its own token)."""
        with self._lock:
            return self._workspace.identity(call.token).team_id

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next call(s) of a method fail: ok-false with error, or an HTTP status."""
        if status == 429 and retry_after is None:
            retry_after = 1
        code = error or _STATUS_ERRORS.get(status, "fatal_error")
        self._queue(self._fail_next, method, _Fault(code, status, retry_after), times)

    def fail_after_accept(self, method: str, *, times: int = 1, status: int | None = 500) -> None:
        """Accept the next call(s) (the message is stored) but answer `status`, or drop if None."""
        error = "connection_dropped" if status is None else "internal_error"
        fault = _Fault(error, status or 0, drop=status is None)
        self._queue(self._fail_after, method, fault, times)

    def hold(self, method: str) -> threading.Event:
        """Keep calls of a method waiting, unanswered and unrecorded, until the returned event
        is set (or the stand-in stops, or a minute passes): shows what does not wait for Slack.
        """
        gate = self._holds[method] = threading.Event()
        return gate

    def rate_limit(self, method: str, *, per_second: float, burst: int = 1) -> None:
        """Allow a method `per_second` calls on average, in bursts of up to `burst`.

        A call over the limit gets HTTP 429 with a whole-second Retry-After, as Slack answers.
        """
        if method_contract(method) is None:
            raise ValueError(f"{method} is not a Slack Web API method")
        with self._lock:
            self._limits[method] = _RateLimit(per_second, burst, burst, time.monotonic())

    def _queue(self, faults: dict[str, deque[_Fault]], method: str, fault: _Fault, n: int) -> None:
        """Queue a fault n times for a known method."""
        if method_contract(method) is None:
            raise ValueError(f"{method} is not a Slack Web API method")
        with self._lock:
            faults.setdefault(method, deque()).extend(copy.copy(fault) for _ in range(n))

    def new_response_url(self) -> str:
        """Issue a response_url on the stand-in, as Slack sends with commands and actions."""
        key = str(uuid.uuid4())
        with self._lock:
            self._response_uses[key] = 0
        return f"{self.base_url}/response/{key}"

    def new_trigger_id(self) -> str:
        """Issue a trigger_id that views.open/views.push accept once."""
        trigger = f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"
        with self._lock:
            self._workspace.triggers[trigger] = False
        return trigger

    # -- what happened ------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        """Every Web API call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        """The calls of one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    @property
    def responses(self) -> list[tuple[str, Json]]:
        """Every (response_url, payload) POSTed to the stand-in."""
        with self._lock:
            return list(self._responses)

    @property
    def violations(self) -> list[str]:
        """All contract violations, of Web API calls and of response_url posts."""
        with self._lock:
            found = [f"{c.method}: {v}" for c in self._calls for v in c.violations]
            return found + [f"response_url: {v}" for v in self._response_violations]

    def assert_no_violations(self) -> None:
        """Raise ContractViolation listing every violation, if there were any."""
        found = self.violations
        if found:
            raise ContractViolation("Slack contract violations:\n  " + "\n  ".join(found))

    def dm_channel_for(self, user_id: str) -> str:
        """The id of the bot's DM channel with a user."""
        return self._workspace.dm_channel_for(user_id)

    def messages_in(self, channel: str) -> list[Json]:
        """Messages in a channel (or a user's DM, given a user id), oldest first."""
        if channel[:1] in ("U", "W"):
            channel = self.dm_channel_for(channel)
        with self._lock:
            return copy.deepcopy(self._workspace.messages.get(channel, []))

    def ephemerals_for(self, user_id: str) -> list[Json]:
        """Ephemeral messages shown to one user, oldest first."""
        with self._lock:
            found = [m for m in self._workspace.ephemerals if m["to_user"] == user_id]
            return copy.deepcopy(found)

    def home_view(self, user_id: str) -> Json | None:
        """The App Home view last published for a user."""
        with self._lock:
            return copy.deepcopy(self._workspace.home_views.get(user_id))

    @property
    def views(self) -> dict[str, Json]:
        """Every modal and home view by id, as last opened, pushed, updated or published."""
        with self._lock:
            return copy.deepcopy(self._workspace.views)

    @property
    def downloads(self) -> list[FileDownload]:
        """Every GET of a shared file's url_private(_download), oldest first, with its status."""
        with self._lock:
            return list(self._downloads)

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Files whose bytes reached the stand-in, with where they were shared."""
        with self._lock:
            files = self._workspace.files.values()
            return [copy.deepcopy(f) for f in files if f.data is not None]

    # -- serving ------------------------------------------------------------------------------

    def answer(
        self, verb: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        """Answer one HTTP request (called from the server's threads)."""
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if path.startswith("/api/"):
            args, problem = parse_body(content_type, body)
            args = {**dict(parse_qsl(query, keep_blank_values=True)), **args}
            return self._api(path.removeprefix("/api/"), verb, args, headers, problem)
        if path.startswith("/upload/") and verb == "POST":
            with self._lock:
                stored = self._workspace.receive_upload(path.removeprefix("/upload/"), body)
            return Answer.text(f"OK - {len(body)}") if stored else Answer.text("not found", 404)
        if path.startswith("/response/") and verb == "POST":
            return self._response(path.removeprefix("/response/"), content_type, body)
        if path.startswith("/files-pri/") and verb == "GET":
            return self._download(path, headers)
        if path == "/" and verb == "GET":
            return Answer(200, SIGN_IN_PAGE, content_type="text/html; charset=utf-8")
        return Answer.text("not found", 404)

    def _api(
        self, method: str, verb: str, args: Json, headers: Mapping[str, str], problem: str | None
    ) -> Answer:
        """Check, fault-inject, run and record one Web API call."""
        gate = self._holds.get(method)
        if gate is not None:
            gate.wait(HOLD_LIMIT_SECONDS)
        token = args.pop("token", None)
        found = find_violations(method, {**args, "token": token}, headers, verb)
        if problem:
            found.append(Violation("invalid_arguments", problem))
        with self._lock:
            self._workspace.current_token = _bearer(headers) or token
            answer = self._run(method, args, found)
            payload = json.loads(answer.body) if answer.body else {}
            self._calls.append(
                RecordedCall(
                    method=method,
                    args=args,
                    ok=bool(payload.get("ok")) and not answer.drop and answer.status == 200,
                    error=None if payload.get("ok") else payload.get("error", "connection_dropped"),
                    violations=[v.message for v in found],
                    at=time.time(),
                    status=answer.status,
                    token=_bearer(headers) or token,
                )
            )
        return answer

    def _run(self, method: str, args: Json, found: list[Violation]) -> Answer:
        """Pick the answer: injected fault, contract error, or the method's result."""
        if self._workspace.current_token in self._workspace.revoked:
            return Answer.json({"ok": False, "error": "token_revoked"})
        fault = _take(self._fail_next, method)
        limit = self._limits.get(method)
        if fault is None and limit is not None:
            fault = limit.take(time.monotonic())
        if fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return Answer.json({"ok": False, "error": fault.error}, fault.status, **extra)
        if found:
            error = min((v.error for v in found), key=_ERROR_ORDER.index)
            messages = [v.message for v in found]
            body = {"ok": False, "error": error, "response_metadata": {"messages": messages}}
            return Answer.json(body)
        try:
            result = self._workspace.call(method, copy.deepcopy(args))
        except SlackError as exc:
            return Answer.json({"ok": False, "error": exc.error})
        except Exception as exc:  # a stand-in bug must surface in the test, not hang it
            found.append(Violation("internal_error", f"stand-in failed: {exc!r}"))
            return Answer.json({"ok": False, "error": "internal_error"}, 500)
        after = _take(self._fail_after, method)
        if after is not None:
            if after.drop:
                return Answer(0, drop=True)
            return Answer.json({"ok": False, "error": after.error}, after.status)
        return Answer.json(copy.deepcopy(result))

    def _download(self, path: str, headers: Mapping[str, str]) -> Answer:
        """Serve a shared file to its workspace's bearer token; without one (or with another
        workspace's, or a revoked one), redirect to sign-in like Slack."""
        key, *rest = path.removeprefix("/files-pri/").split("/")
        team, _, file_id = key.partition("-")
        download = len(rest) == 2 and rest[0] == "download"
        name = unquote(rest[-1]) if len(rest) == 1 or download else None
        token = _bearer(headers)
        with self._lock:
            shared = self._workspace.shared_files.get(file_id)
            if not self._workspace.may_read_files_of(token, team):
                location = f"{self.base_url}/?redir={quote(path, safe='')}"
                answer = Answer(302, b"", "text/html", {"Location": location})
            elif shared is None or shared.deleted or team != self.team_id or name != shared.name:
                answer = Answer.text("file not found", 404)
            else:
                disposition = f'{"attachment" if download else "inline"}; filename="{name}"'
                answer = Answer(
                    200, shared.data, shared.mimetype, {"Content-Disposition": disposition}
                )
            self._downloads.append(FileDownload(file_id, path, token, answer.status, time.time()))
        return answer

    def _response(self, key: str, content_type: str, body: bytes) -> Answer:
        """Record and check a POST to a response_url, as Bolt's respond() sends it."""
        url = f"{self.base_url}/response/{key}"
        payload, problem = parse_body(content_type or "application/json", body)
        found = [problem] if problem else []
        if not payload.get("delete_original"):
            found.extend(check_message_content(payload))
        if payload.get("response_type") not in (None, "in_channel", "ephemeral"):
            kind = payload.get("response_type")
            found.append(f"response_type must be in_channel or ephemeral, got {kind!r}")
        with self._lock:
            uses = self._response_uses.get(key)
            if uses is None:
                found.append(f"{url} was not issued by the stand-in")
            elif uses >= RESPONSE_URL_USES:
                found.append(f"{url} used more than {RESPONSE_URL_USES} times")
            else:
                self._response_uses[key] = uses + 1
            self._responses.append((url, payload))
            self._response_violations.extend(found)
        return Answer.text("invalid_payload", 400) if found else Answer.text("ok")


def _take(faults: dict[str, deque[_Fault]], method: str) -> _Fault | None:
    """Pop the next queued fault of a method, if any."""
    queue = faults.get(method)
    return queue.popleft() if queue else None


def _bearer(headers: Mapping[str, str]) -> str | None:
    """Return the bearer token of an Authorization header, if any."""
    for name, value in headers.items():
        if name.lower() == "authorization" and value.lower().startswith("bearer "):
            return value[7:].strip() or None
    return None
