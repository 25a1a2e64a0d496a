"""The WSGI application: `POST /slack/events` for Slack, `GET /healthz` for operators.

With OAuth installs (SLACK_CLIENT_ID), also `GET /slack/install` and `GET /slack/oauth_redirect`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from mentorbot.bot.db import database_answers
from mentorbot.oauth import INSTALL_PATH, REDIRECT_PATH
from mentorbot.runtime import Runtime

StartResponse = Callable[..., Any]
SLACK_PATH = "/slack/events"


class WebApp:
    """Routes requests to Bolt or the health check; anything else is a 404."""

    def __init__(self, app: App, runtime: Runtime) -> None:
        self.runtime = runtime
        self.slack = SlackRequestHandler(app, path=SLACK_PATH)

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
    from mentorbot.runtime import build_runtime

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
    return WebApp(create_app(runtime), runtime)
