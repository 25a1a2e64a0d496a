"""Prometheus metrics: what the processes did (counters, histograms) and what the database
holds now (read at each scrape), served at `GET /metrics` when `MENTORBOT_METRICS=on`.

The web process serves them beside Slack's endpoint; the worker on a listener of its own
(`MENTORBOT_METRICS_PORT`, `serve_worker_metrics`). With `MENTORBOT_METRICS_TOKEN` set a
scrape needs `Authorization: Bearer <token>`.

Several gunicorn workers make one figure: with `PROMETHEUS_MULTIPROC_DIR` in the environment
before `prometheus_client` is first imported, every process writes its figures to files
there and a scrape adds them up (prometheus-client's multiprocess mode;
`mentorbot.gunicorn_config` sets the directory up for the Procfile's web process).

The figures from the database (the outbox, workspaces) are read at each scrape rather than
kept per process, so they are the same whichever process answers. Label values are drawn
from small fixed sets (never a workspace, person or message), so the series stay few.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from slack_sdk.http_retry import RetryHandler, RetryState
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import OutboundMessage, Workspace

if TYPE_CHECKING:
    from mentorbot.runtime import Runtime

log = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# Slack's own limit for an answer is 3 seconds.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TICK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

REQUEST_KINDS = ("command", "event", "action", "view", "options", "shortcut", "other")
REQUEST_OUTCOMES = ("ok", "unauthorized", "rejected", "unavailable", "error")
SEND_OUTCOMES = ("sent", "retrying", "failed", "expired", "cancelled", "unknown")
# The outbox statuses a scrape counts: the queue and what needs a look. Delivered, cancelled
# and expired rows are history (their rates are in mentorbot_sends_total), and counting them
# would read the whole table every scrape.
OUTBOX_STATUSES = ("pending", "sending", "failed", "unknown")

SLACK_REQUESTS = Counter(
    "mentorbot_slack_requests",
    "Requests Slack sent to /slack/events (or over Socket Mode), by kind and outcome.",
    ["kind", "outcome"],
)
ACK_SECONDS = Histogram(
    "mentorbot_slack_ack_seconds",
    "Time from a Slack request's arrival to mentorbot's answer, by kind.",
    ["kind"],
    buckets=ACK_BUCKETS,
)
SENDS = Counter(
    "mentorbot_sends", "What became of each attempt to deliver an outbox message.", ["outcome"]
)
SEND_SECONDS = Histogram(
    "mentorbot_send_seconds",
    "Time one delivery attempt spent calling Slack (opening the DM, looking, posting).",
    buckets=SEND_BUCKETS,
)
RATE_LIMITED = Counter(
    "mentorbot_slack_ratelimited",
    "429 answers from Slack's Web API, by method.",
    ["method"],
)
TICK_SECONDS = Histogram(
    "mentorbot_tick_seconds",
    "Time one tick took: every producer, then delivering what is due.",
    buckets=TICK_BUCKETS,
)
QUEUED = Counter(
    "mentorbot_tick_queued",
    "Messages the tick's producers queued, by producer.",
    ["producer"],
)
DATABASE_ERRORS = Counter(
    "mentorbot_database_errors",
    "Statements or connections the database failed, by SQLAlchemy's error class.",
    ["error"],
)

for _kind in REQUEST_KINDS:
    for _outcome in REQUEST_OUTCOMES:
        SLACK_REQUESTS.labels(_kind, _outcome)
for _outcome in SEND_OUTCOMES:
    SENDS.labels(_outcome)


def request_kind(body: Mapping[str, Any]) -> str:
    """The kind of a Slack request's body, from a fixed set (see REQUEST_KINDS)."""
    if "command" in body:
        return "command"
    kind = str(body.get("type") or "")
    if kind in ("event_callback", "url_verification", "app_rate_limited"):
        return "event"
    if kind in ("block_actions", "interactive_message"):
        return "action"
    if kind in ("view_submission", "view_closed"):
        return "view"
    if kind in ("block_suggestion", "dialog_suggestion"):
        return "options"
    if kind in ("shortcut", "message_action"):
        return "shortcut"
    return "other"


def request_outcome(status: int) -> str:
    """An HTTP status as one of REQUEST_OUTCOMES."""
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "unauthorized"
    if status == 503:
        return "unavailable"  # the database is down: Slack retries events later
    return "rejected" if status < 500 else "error"


def observe_slack_request(body: Mapping[str, Any], status: int, seconds: float) -> None:
    """Count one answered Slack request and how long the answer took."""
    kind = request_kind(body)
    SLACK_REQUESTS.labels(kind, request_outcome(status)).inc()
    ACK_SECONDS.labels(kind).observe(seconds)


def observe_tick(queued: Mapping[str, int], seconds: float) -> None:
    """Count one tick: what each producer queued, and how long the whole tick took."""
    for producer, count in queued.items():
        QUEUED.labels(producer.removeprefix("produce_")).inc(count)
    TICK_SECONDS.observe(seconds)


class CountRateLimits(RetryHandler):
    """Counts each 429 a Web API client receives, by method; never retries itself (the
    handlers after it, or the sender, decide what to do)."""

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            RATE_LIMITED.labels(web_api_method(request.url)).inc()
        return False


def web_api_method(url: str) -> str:
    """`chat.postMessage` from `…/api/chat.postMessage?…`."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "unknown"


def count_database_errors(engine: Engine) -> None:
    """Count every error the database raises through `engine`. A unique constraint refusing a
    duplicate (how Slack's retried events are told apart) is not a failure and is not counted."""

    def failed(context: Any) -> None:
        error = context.sqlalchemy_exception
        if isinstance(error, IntegrityError):
            return
        DATABASE_ERRORS.labels(type(error).__name__ if error is not None else "DBAPIError").inc()

    event.listen(engine, "handle_error", failed)


class DatabaseFigures:
    """A collector of what the database holds at the moment of a scrape."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def describe(self) -> list[Metric]:
        return []  # read at each scrape; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("mentorbot_database_up", "1 when the database answered the scrape.")
        try:
            figures = self._figures()
        except SQLAlchemyError:
            log.warning("the database did not answer a metrics scrape", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _figures(self) -> list[Metric]:
        now = self.clock()
        outbox = GaugeMetricFamily(
            "mentorbot_outbox_messages",
            "Outbox rows waiting, being sent, failed or unconfirmed, by status and kind.",
            labels=["status", "kind"],
        )
        oldest = GaugeMetricFamily(
            "mentorbot_outbox_oldest_due_seconds",
            "How long the oldest message due now has been waiting (0 when none is due).",
        )
        installed = GaugeMetricFamily(
            "mentorbot_workspaces_installed", "Workspaces mentorbot is installed in."
        )
        with self.sessions() as session:
            rows = session.execute(
                select(OutboundMessage.status, OutboundMessage.kind, func.count())
                .where(OutboundMessage.status.in_(OUTBOX_STATUSES))
                .group_by(OutboundMessage.status, OutboundMessage.kind)
            ).all()
            due = session.scalar(
                select(func.min(OutboundMessage.not_before)).where(
                    OutboundMessage.status == "pending", OutboundMessage.not_before <= now
                )
            )
            workspaces = session.scalar(
                select(func.count())
                .select_from(Workspace)
                .where(Workspace.uninstalled_at.is_(None))
            )
        for status, kind, count in rows:
            outbox.add_metric([status, kind or "other"], count)
        oldest.add_metric([], _seconds_since(due, now))
        installed.add_metric([], workspaces or 0)
        return [outbox, oldest, installed]


def _seconds_since(then: datetime | None, now: datetime) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite gives naive UTC
        then = then.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - then).total_seconds())


class _Registered:
    """A registry's collectors, as one collector of another registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


def exposition(sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> bytes:
    """Every figure, in Prometheus' text format: this process's (or, in multiprocess mode,
    all processes') and the database's."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)
    else:
        registry.register(_Registered(REGISTRY))
    registry.register(DatabaseFigures(sessions, clock))
    return generate_latest(registry)


def authorized(token: str | None, header: str | None) -> bool:
    """Whether a scrape may read the figures: any, without a token; else `Bearer <token>`."""
    if not token:
        return True
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def answer_scrape(
    token: str | None,
    header: str | None,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
) -> tuple[int, dict[str, str], bytes]:
    """A scrape's status, headers and body."""
    if not authorized(token, header):
        headers = {"Content-Type": "text/plain", "WWW-Authenticate": 'Bearer realm="metrics"'}
        return 401, headers, b"a bearer token is needed: MENTORBOT_METRICS_TOKEN\n"
    body = exposition(sessions, clock)
    return 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}, body


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics listener: " + format, *args)


def serve_worker_metrics(
    *,
    port: int,
    token: str | None,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    healthy: Callable[[], bool],
    host: str = "0.0.0.0",
) -> WSGIServer:
    """Start the worker's listener (`GET /metrics`, `GET /healthz`) on a thread of its own;
    the caller shuts it down with `.shutdown()`."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if method not in ("GET", "HEAD") or path not in ("/metrics", "/healthz"):
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found\n"
        elif path == "/healthz":
            ok = healthy()
            status, headers = (200 if ok else 503), {"Content-Type": "application/json"}
            body = b'{"ok": true}' if ok else b'{"ok": false}'
        else:
            status, headers, body = answer_scrape(
                token, environ.get("HTTP_AUTHORIZATION"), sessions, clock
            )
        reason = {200: "OK", 401: "Unauthorized", 404: "Not Found", 503: "Service Unavailable"}
        start_response(f"{status} {reason[status]}", list(headers.items()))
        return [b"" if method == "HEAD" else body]

    server = make_server(
        host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="mentorbot-metrics", daemon=True).start()
    return server


def listen_if_enabled(runtime: Runtime) -> WSGIServer | None:
    """A process without a web server (the worker, Socket Mode) serves its metrics on
    MENTORBOT_METRICS_PORT, when MENTORBOT_METRICS=on; raises OSError if the port is taken."""
    from mentorbot.bot.db import database_answers

    settings = runtime.settings
    if not settings.metrics:
        return None
    listener = serve_worker_metrics(
        port=settings.metrics_port,
        token=settings.metrics_token,
        sessions=runtime.sessions,
        clock=runtime.clock,
        healthy=lambda: database_answers(runtime.engine),
    )
    log.info("metrics at http://0.0.0.0:%d/metrics", settings.metrics_port)
    return listener
