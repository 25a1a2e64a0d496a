"""The bare Bolt app that `ack_load.py` compares mentorbot with: a no-op `/checkin`.

Same request path (`POST /slack/events`), the same signing secret and Web API client settings
from the environment, and Flask with Bolt's Flask adapter as mentorbot's web process uses; its
listener only acknowledges. `GET /healthz` answers 200 so the benchmark knows when it is up. Like
mentorbot's, its start-up objects are frozen out of the garbage collector's passes
(`gc.freeze()`), so the comparison is of the work per request. Served by
the Procfile's gunicorn settings:

    gunicorn ... --pythonpath bench 'bare_app:create_wsgi_app()'
"""

from __future__ import annotations

import gc
import os

from flask import Flask, Response, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient


def create_bolt_app(token: str, signing_secret: str, api_url: str) -> App:
    """The Bolt app, whose `/checkin` listener does nothing but ack (`ack_profile.py` hands
    it requests in process)."""
    app = App(
        client=WebClient(token=token, base_url=api_url),
        signing_secret=signing_secret,
        process_before_response=True,  # as mentorbot: the listener runs before the answer
    )

    @app.command("/checkin")
    def checkin(ack: Ack) -> None:
        ack()

    return app


def create_wsgi_app() -> Flask:
    """gunicorn's entry point: the Bolt app behind Flask and Bolt's Flask adapter."""
    app = create_bolt_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    slack = SlackRequestHandler(app)
    web = Flask(__name__, static_folder=None)

    @web.post("/slack/events")
    def events() -> Response:
        return slack.handle(request)

    @web.get("/healthz")
    def healthz() -> Response:
        return Response("ok", content_type="text/plain")

    gc.collect()
    gc.freeze()
    return web
