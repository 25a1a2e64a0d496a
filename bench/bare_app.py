"""The bare Bolt app that `ack_load.py` compares mentorbot with: a no-op `/checkin`.

Same request path (`POST /slack/events`), the same signing secret and Web API client settings
from the environment, and Bolt's WSGI adapter as mentorbot's web process uses; its listener
only acknowledges. `GET /healthz` answers 200 so the benchmark knows when it is up. Like
mentorbot's, its start-up objects are frozen out of the garbage collector's passes
(`gc.freeze()`), so the comparison is of the work per request. Served by
the Procfile's gunicorn settings:

    gunicorn ... --pythonpath bench 'bare_app:create_wsgi_app()'
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def create_wsgi_app() -> WsgiApp:
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

    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return slack(environ, start_response)

    gc.collect()
    gc.freeze()
    return wsgi
