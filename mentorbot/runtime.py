"""The long-lived parts a process needs: settings, database, Slack client."""

from __future__ import annotations

import contextvars
import gc
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.delivery import SendPolicy
from mentorbot.bot.delivery.pace import PostRate
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.bot.timeutil import utcnow
from mentorbot.bot.token_store import EncryptedInstallationStore
from mentorbot.logs import install_token_redaction
from mentorbot.metrics import CountRateLimits, count_database_errors

log = logging.getLogger(__name__)

# How long someone has to approve an install on Slack's page before it must start again.
OAUTH_STATE_SECONDS = 600


@dataclass
class Runtime:
    """Everything built once per process from the settings."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    # The workspace the bot token belongs to, once Slack has said (auth.test).
    team_id: str | None = None
    # Slow work a request started (a CSV import) runs here, after Slack has its answer.
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="mentorbot-background")
    )
    # A request's quick Slack calls (open a modal, post a reply) run here once it is answered,
    # apart from the slow work above so an upload never holds up a modal's trigger.
    follow_ups: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(8, thread_name_prefix="mentorbot-follow-up")
    )
    # What time it is for requests: the wall clock, or a simulated one (`mentorbot demo`).
    clock: Callable[[], datetime] = utcnow
    # Many workspaces (OAuth): where each workspace's bot token is kept, and install states.
    installations: SQLAlchemyInstallationStore | None = None
    oauth_states: SQLAlchemyOAuthStateStore | None = None
    _clients: dict[str, WebClient] = field(default_factory=dict)
    # The sender's clients, one per token: they leave a 429 to the sender, which pauses the
    # workspace for every lane rather than sleeping inside one call.
    _senders: dict[str | None, WebClient] = field(default_factory=dict)
    # How fast posts to one conversation may go (Slack's guidance); the pace is kept in the
    # database, for every lane of every worker.
    pace: PostRate = field(default_factory=PostRate)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock)

    _pending: set[Future[Any]] = field(default_factory=set)

    def run_in_background(self, what: str, call: Callable[[], Any]) -> None:
        """Run slow Slack work (an upload) on the background threads; `what` names it in logs."""
        self._submit(self.background, what, call)

    def follow_up(self, what: str, call: Callable[[], Any]) -> None:
        """Make a request's Slack calls once Slack has its answer; `what` names them in logs."""
        self._submit(self.follow_ups, what, call)

    def _submit(self, pool: ThreadPoolExecutor, what: str, call: Callable[[], Any]) -> None:
        def run() -> None:
            try:
                call()
            except Exception:
                log.warning("could not %s", what, exc_info=True)

        # In the submitter's context: the request's language and log fields go along.
        future = pool.submit(contextvars.copy_context().run, run)
        with self._clients_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[Any]) -> None:
        with self._clients_lock:
            self._pending.discard(future)

    def settle(self, timeout: float = 30) -> None:
        """Wait until the follow-ups and background work started so far, and any work they
        start in turn, have finished (tests, `mentorbot demo`)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._clients_lock:
                pending = set(self._pending)
            left = deadline - time.monotonic()
            if not pending or left <= 0:
                return
            wait(pending, timeout=left)

    @property
    def installs(self) -> bool:
        """True when workspaces install mentorbot over OAuth (many workspaces)."""
        return self.installations is not None

    def for_team(self, team_id: str) -> WebClient | None:
        """The Web API client for one workspace, or None when it has no token (uninstalled).

        With one bot token (SLACK_BOT_TOKEN) that is the one client; with OAuth, a client
        holding the token the workspace's install stored.
        """
        if self.installations is None:
            return self.client
        bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        with self._clients_lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                client = self._clients[bot.bot_token] = web_client(self.settings, bot.bot_token)
            return client

    def for_sending(self, team_id: str) -> WebClient | None:
        """The sender's Web API client for one workspace (see `_senders`), or None when the
        workspace has no token."""
        if self.installations is None:
            token = self.settings.slack_bot_token
        else:
            bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
            if bot is None or not bot.bot_token:
                return None
            token = bot.bot_token
        with self._clients_lock:
            client = self._senders.get(token)
            if client is None:
                client = self._senders[token] = web_client(
                    self.settings, token, retry_rate_limits=False
                )
            return client

    @property
    def send_policy(self) -> SendPolicy:
        """How this process sends, from its settings."""
        return SendPolicy(
            lanes=self.settings.send_concurrency,
            lease=self.settings.delivery_lease,
            history_every=self.settings.history_every,
        )

    def close(self) -> None:
        """Finish follow-ups and background work, then release database connections."""
        self.follow_ups.shutdown(wait=True)
        self.background.shutdown(wait=True)
        self.engine.dispose()


def freeze_long_lived() -> None:
    """Leave everything built so far (Bolt, SQLAlchemy, templates, the app) out of the garbage
    collector's later passes. Call once a serving process is ready.

    A full collection walks every tracked object: with the app loaded that is about 100,000
    and took ~70 ms here, paid by whichever request triggered it (the slow tail of the
    acknowledgement times). Those objects live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()


def build_runtime(settings: Settings) -> Runtime:
    """Create the engine, session factory and Web API client for these settings."""
    install_token_redaction()
    engine = make_engine(settings.database_url)
    count_database_errors(engine)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        # With OAuth this client has no token: it serves the install flow (oauth.v2.access).
        client=web_client(settings, settings.slack_bot_token),
    )
    if settings.oauth:
        runtime.installations = EncryptedInstallationStore(
            client_id=settings.slack_client_id or "", engine=engine, keys=settings.token_keys
        )
        runtime.oauth_states = SQLAlchemyOAuthStateStore(
            expiration_seconds=OAUTH_STATE_SECONDS, engine=engine
        )
    return runtime


def web_client(
    settings: Settings, token: str | None, *, retry_rate_limits: bool = True
) -> WebClient:
    """A Web API client for one token, pointed at SLACK_API_URL.

    Only 429s are retried inside a call (Slack did not accept those), and not for the sender
    (`retry_rate_limits=False`), which pauses the workspace instead. A dropped connection is
    never retried blindly: the message may have arrived, and the sender checks first.
    """
    handlers: list[RetryHandler] = [CountRateLimits()]  # first: it counts, never retries
    if retry_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return WebClient(token=token, base_url=settings.slack_api_url, retry_handlers=handlers)


def identify(runtime: Runtime) -> dict[str, Any]:
    """Ask Slack who the token belongs to (auth.test).

    A refused token or an unreachable Slack becomes a SettingsError naming the variable to fix.
    """
    settings = runtime.settings
    try:
        return dict(runtime.client.auth_test().data)  # type: ignore[arg-type]
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        raise SettingsError(
            f"SLACK_BOT_TOKEN was refused by Slack ({code}): copy the current Bot User OAuth "
            "Token from your Slack app's OAuth & Permissions page."
        ) from None
    except (SlackClientError, OSError) as error:
        raise SettingsError(
            f"SLACK_API_URL: could not reach Slack at {settings.slack_api_url} "
            f"({error.__class__.__name__}); check the network or the URL."
        ) from None


def record_workspace(runtime: Runtime, identity: dict[str, Any], now: datetime) -> str:
    """Record the workspace Slack identified, with the settings' defaults; returns its team_id."""
    team_id = str(identity["team_id"])
    with unit_of_work(runtime.sessions) as session:
        ensure_workspace(
            session,
            team_id=team_id,
            name=identity.get("team"),
            bot_user_id=identity.get("user_id"),
            defaults=workspace_defaults(runtime.settings),
            now=now,
        )
    return team_id


def workspace_defaults(settings: Settings) -> dict[str, Any]:
    """What a workspace starts with from the settings: time zone, hours, holidays, rhythm,
    survey rounds, coordinators."""
    return {
        "timezone": settings.timezone,
        "working_hours": str(settings.working_hours),
        "workdays": sorted(settings.workdays),
        "holidays": settings.holidays,
        "away_emoji": list(settings.away_emoji),
        "away_words": list(settings.away_words),
        "prompt_lead_hours": settings.prompt_lead // timedelta(hours=1),
        "nudge_grace_days": settings.nudge_grace.days,
        "survey_days": settings.survey_length.days,
        # Ticks (which have no settings) reach configured coordinators through this.
        "coordinators": list(settings.coordinators),
    }
