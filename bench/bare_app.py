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


def create_wsgi_app() -> Flask:
    """gunicorn's entry point: a Bolt app whose `/checkin` listener does nothing but ack."""
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,  # as mentorbot: the listener runs before the answer
    )

    @app.command("/checkin")
    def checkin(ack: Ack) -> None:
        ack()

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
