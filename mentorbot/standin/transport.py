"""HTTP plumbing of the Slack stand-in: body parsing, the threaded server, the handler."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

Json = dict[str, Any]


class Answerer(Protocol):
    """Anything that turns an HTTP request into an Answer."""

    def answer(
        self, verb: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        """Answer one request."""
        ...


@dataclass
class Answer:
    """What the HTTP handler sends back; drop means close the connection without a reply."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False

    @classmethod
    def json(cls, payload: Json, status: int = 200, **headers: str) -> Answer:
        """Build a JSON answer."""
        return cls(status, json.dumps(payload).encode(), headers=headers)

    @classmethod
    def text(cls, text: str, status: int = 200) -> Answer:
        """Build a plain-text answer."""
        return cls(status, text.encode(), content_type="text/plain; charset=utf-8")


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], str | None]:
    """Decode a form-encoded, multipart or JSON body into arguments, or describe the problem."""
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}, None
    if kind == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            return {}, f"body is not valid JSON ({exc})"
        return (decoded, None) if isinstance(decoded, dict) else ({}, "JSON body is not an object")
    if kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        args: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            raw = part.get_payload(decode=True)
            data = raw if isinstance(raw, bytes) else b""
            args[str(name)] = data if part.get_filename() else data.decode("utf-8", "replace")
        return args, None
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), None


class StandinHTTPServer(ThreadingHTTPServer):
    """The HTTP server, pointing back at its stand-in."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], answerer: Answerer) -> None:
        super().__init__(address, StandinRequestHandler)
        self.answerer = answerer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a failure to answer, unless the caller had hung up before its answer (a
        process killed mid-call, a client's timeout): that is no fault of the stand-in's."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class StandinRequestHandler(BaseHTTPRequestHandler):
    """Routes /api/<method>, /upload/<file_id> and /response/<id> to the stand-in."""

    server: StandinHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Serve a GET (allowed for methods the spec lists as GET)."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve()

    def _serve(self) -> None:
        """Read the request, let the stand-in answer it, and write the answer."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away mid-request (a sender killed while posting): like Slack,
            # nothing was received, so nothing is answered, recorded or checked.
            self.close_connection = True
            return
        url = urlsplit(self.path)
        headers = {k: v for k, v in self.headers.items()}
        answer = self.server.answerer.answer(self.command, url.path, url.query, headers, body)
        if answer.drop:
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)
