"""The WSGI application: `POST /slack/events` for Slack, `GET /healthz` for operators.

With OAuth installs (SLACK_CLIENT_ID), also `GET /slack/install` and `GET /slack/oauth_redirect`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

from mentorbot.app import signed_by_slack
from mentorbot.bot.db import database_answers
from mentorbot.oauth import INSTALL_PATH, REDIRECT_PATH
from mentorbot.runtime import Runtime

StartResponse = Callable[..., Any]
SLACK_PATH = "/slack/events"
log = logging.getLogger(__name__)


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, but a body Bolt cannot even take apart (an event whose `user` is
    a number, bytes that are not UTF-8) is answered like any request, never with a 500."""

    def __init__(self, app: App, runtime: Runtime) -> None:
        super().__init__(app, path=SLACK_PATH)
        self.runtime = runtime

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        length = int(request.environ.get("CONTENT_LENGTH") or 0)
        raw = request.environ["wsgi.input"].read(length) if "wsgi.input" in request.environ else b""
        headers = request.get_headers()
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"), query=request.query_string, headers=headers
            )
        except Exception:
            text = raw.decode("utf-8", "replace")  # Slack sends UTF-8: other bytes never verify
            if text.encode() != raw or not signed_by_slack(self.runtime.settings, text, headers):
                return BoltResponse(status=401, body="")
            log.warning("Slack sent a request Bolt cannot take apart; acknowledged", exc_info=True)
            return BoltResponse(status=200, body="")
        return self.app.dispatch(bolt_request)


class WebApp:
    """Routes requests to Bolt or the health check; anything else is a 404."""

    def __init__(self, app: App, runtime: Runtime) -> None:
        self.runtime = runtime
        self.slack = _SlackHandler(app, runtime)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == SLACK_PATH and method == "POST":
            return self.slack(environ, start_response)
        if path in (INSTALL_PATH, REDIRECT_PATH) and method == "GET" and self.runtime.installs:
            return self.slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = database_answers(self.runtime.engine)
            status = "200 OK" if ok else "503 Service Unavailable"
            return _json(start_response, status, {"ok": ok, "database": "up" if ok else "down"})
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def create_wsgi_app() -> WebApp:
    """gunicorn's entry point (`mentorbot.web:create_wsgi_app()`); settings from the environment."""
    import os
    import sys

    from mentorbot.app import create_app
    from mentorbot.bot.migrate import upgrade
    from mentorbot.bot.settings import Settings, SettingsError
    from mentorbot.runtime import build_runtime, freeze_long_lived

    try:
        settings = Settings.from_env(os.environ)
        settings.require_for_run()
    except SettingsError as error:
        # One line, then gunicorn's "app failed to load" exit code, which stops the server
        # instead of restarting workers that cannot start.
        print(f"mentorbot: {error}", file=sys.stderr)
        raise SystemExit(4) from None
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    app = WebApp(create_app(runtime), runtime)
    freeze_long_lived()
    return app
