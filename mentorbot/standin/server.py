"""A local stand-in for Slack's Web API, served over HTTP on loopback, that checks every call."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import parse_qsl, quote, unquote

from mentorbot.standin.contract import Violation, check_message_content, find_violations
from mentorbot.standin.faults import StandinFaults, _take
from mentorbot.standin.objects import FileDownload, Json, RecordedCall, SlackError
from mentorbot.standin.records import StandinRecords
from mentorbot.standin.transport import Answer, StandinHTTPServer, parse_body
from mentorbot.standin.workspace_setup import StandinSetup

# How long a held call (SlackStandin.hold) waits at most before it is answered anyway.
HOLD_LIMIT_SECONDS = 60

_ERROR_ORDER = ("unknown_method", "not_authed", "invalid_arguments", "invalid_blocks")
RESPONSE_URL_USES = 5
SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in | Slack</title></head><body></body></html>"
)


class SlackStandin(StandinSetup, StandinFaults, StandinRecords):
    """Slack's Web API on 127.0.0.1: answers like Slack, records and checks every call."""

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> SlackStandin:
        """Bind a free port and serve in a background thread."""
        if self._httpd is not None:
            raise RuntimeError("the Slack stand-in is already running")
        self._stopping.clear()
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
        self._stopping.set()
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
            answer.headers.setdefault("X-OAuth-Scopes", ",".join(self.scopes))
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
            delay = self._delay(method)
        if delay:
            self._stopping.wait(delay)
        return answer

    def _run(self, method: str, args: Json, found: list[Violation]) -> Answer:
        """Pick the answer: injected fault, contract error, or the method's result."""
        if self._workspace.current_token in self._workspace.revoked:
            return Answer.json({"ok": False, "error": "token_revoked"})
        fault = _take(self._fail_next, method) or self._over_limit(method, args, time.monotonic())
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


def _bearer(headers: Mapping[str, str]) -> str | None:
    """Return the bearer token of an Authorization header, if any."""
    for name, value in headers.items():
        if name.lower() == "authorization" and value.lower().startswith("bearer "):
            return value[7:].strip() or None
    return None
