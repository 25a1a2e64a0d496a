"""The web application, on Flask: Slack's endpoints and the health check.

- `POST /slack/events`: every request Slack sends, to Bolt through Bolt's Flask adapter.
- `GET /slack/install` and `GET /slack/oauth_redirect`: OAuth installs, with SLACK_CLIENT_ID.
- `GET /healthz`: 200 when the database answers, 503 when it does not.
- `GET /metrics`: Prometheus metrics, with MENTORBOT_METRICS=on (`metrics.py`).
- `GET /calendar/<token>.ics`: a person's calendar feed (`calendar_feeds.py`).
- `/dashboard…`: the coordinators' web dashboard (`dashboard.py`), and with SLACK_CLIENT_ID
  Sign in with Slack for it (`slack_sign_in.py`).

Anything else, a known path asked with another method included, is a JSON 404.

Adding a page or a feed: give it a module of its own with a function that builds a
`flask.Blueprint` from the runtime (`def pages(runtime: Runtime) -> Blueprint`, its views
closures over the runtime) and register it in `WebApp.__init__`
(`self.register_blueprint(pages(runtime))`). Routes get no automatic OPTIONS answer; a GET
route also answers HEAD, as Flask's do.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from flask import Flask, Request, Response, g, request
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.flask.handler import to_flask_response

from mentorbot.app import signed_by_slack
from mentorbot.bot import languages
from mentorbot.bot.db import database_answers
from mentorbot.calendar_feeds import calendar_feeds
from mentorbot.dashboard import dashboard
from mentorbot.metrics import answer_scrape, observe_slack_request
from mentorbot.oauth import INSTALL_PATH, REDIRECT_PATH
from mentorbot.runtime import Runtime
from mentorbot.slack_sign_in import slack_sign_in

SLACK_PATH = "/slack/events"
log = logging.getLogger(__name__)


class _SlackHandler(SlackRequestHandler):
    """Bolt's Flask adapter, but a body Bolt cannot even take apart (an event whose `user` is
    a number, bytes that are not UTF-8) is answered like any request, never with a 500."""

    def __init__(self, app: App, runtime: Runtime) -> None:
        super().__init__(app)
        self.runtime = runtime

    def handle(self, req: Request) -> Response:
        if req.method != "POST":
            return super().handle(req)  # the OAuth pages
        started = time.perf_counter()
        raw = req.get_data()
        headers: dict[str, str | Sequence[str]] = dict(req.headers)
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"),
                query=req.environ.get("QUERY_STRING", ""),
                headers=headers,
            )
        except Exception:
            text = raw.decode("utf-8", "replace")  # Slack sends UTF-8: other bytes never verify
            if text.encode() != raw or not signed_by_slack(self.runtime.settings, text, headers):
                observe_slack_request({}, 401, time.perf_counter() - started)
                return to_flask_response(BoltResponse(status=401, body=""))
            log.warning("Slack sent a request Bolt cannot take apart; acknowledged", exc_info=True)
            observe_slack_request({}, 200, time.perf_counter() - started)
            return to_flask_response(BoltResponse(status=200, body=""))
        return to_flask_response(self.app.dispatch(bolt_request))


class WebApp(Flask):
    """mentorbot's Flask app: Slack's endpoints and the health check (see the module's
    docstring for adding a page)."""

    def __init__(self, app: App, runtime: Runtime) -> None:
        super().__init__(__name__, static_folder=None)
        self.runtime = runtime
        self.config["PROVIDE_AUTOMATIC_OPTIONS"] = False  # OPTIONS is a 404, as before Flask
        self.url_map.merge_slashes = False  # `/slack//events` is unknown, not a redirect
        slack = _SlackHandler(app, runtime)

        def to_bolt() -> Response:
            # Flask answers HEAD with a GET route; Bolt's OAuth pages are for GET alone.
            return _not_found() if request.method == "HEAD" else slack.handle(request)

        self.add_url_rule(SLACK_PATH, "slack_events", to_bolt, methods=["POST"])
        if runtime.installs:
            self.add_url_rule(INSTALL_PATH, "slack_install", to_bolt, methods=["GET"])
            self.add_url_rule(REDIRECT_PATH, "slack_oauth_redirect", to_bolt, methods=["GET"])
        self.add_url_rule("/healthz", "healthz", self._healthz, methods=["GET"])
        if runtime.settings.metrics:
            self.add_url_rule("/metrics", "metrics", self._metrics, methods=["GET"])
        self.register_blueprint(calendar_feeds(runtime, _not_found))
        self.register_blueprint(dashboard(runtime, _not_found))
        if runtime.settings.slack_client_id:
            self.register_blueprint(slack_sign_in(runtime))
        self.register_error_handler(404, _not_found)
        self.register_error_handler(405, _not_found)
        # Every page, feed and OAuth step (an install's welcome DM) in the workspace's
        # language unless a reader's is set; a Slack request sets its sender's.
        self.before_request(self._speak_the_workspaces_language)
        self.teardown_request(self._stop_speaking)

    def _speak_the_workspaces_language(self) -> None:
        spoken = languages.by_default(self.runtime.settings.language)
        spoken.__enter__()
        g.mentorbot_default_language = spoken

    def _stop_speaking(self, _error: BaseException | None) -> None:
        spoken = g.pop("mentorbot_default_language", None)
        if spoken is not None:
            spoken.__exit__(None, None, None)

    def _metrics(self) -> Response:
        settings = self.runtime.settings
        status, headers, body = answer_scrape(
            settings.metrics_token,
            request.headers.get("Authorization"),
            self.runtime.sessions,
            self.runtime.clock,
        )
        return Response(body, status=status, headers=headers)

    def _healthz(self) -> Response:
        ok = database_answers(self.runtime.engine)
        return _json(200 if ok else 503, {"ok": ok, "database": "up" if ok else "down"})


def _not_found(_error: Exception | None = None) -> Response:
    return _json(404, {"ok": False, "error": "not_found"})


def _json(status: int, body: dict[str, Any]) -> Response:
    # json.dumps, not jsonify: the bodies stay byte for byte what they were before Flask.
    return Response(json.dumps(body), status=status, content_type="application/json")


def create_wsgi_app() -> WebApp:
    """gunicorn's entry point (`mentorbot.web:create_wsgi_app()`); settings from the environment."""
    import os
    import sys

    from mentorbot.app import create_app
    from mentorbot.bot.migrate import upgrade
    from mentorbot.bot.settings import Settings, SettingsError
    from mentorbot.logs import configure_logging
    from mentorbot.runtime import build_runtime, freeze_long_lived

    try:
        settings = Settings.from_env(os.environ)
        settings.require_for_run()
    except SettingsError as error:
        # One line, then gunicorn's "app failed to load" exit code, which stops the server
        # instead of restarting workers that cannot start.
        print(f"mentorbot: {error}", file=sys.stderr)
        raise SystemExit(4) from None
    configure_logging(settings.log_level, settings.log_format)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    app = WebApp(create_app(runtime), runtime)
    freeze_long_lived()
    return app
