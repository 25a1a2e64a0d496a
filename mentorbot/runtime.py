"""The long-lived parts a process needs: settings, database, Slack client."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.bot.timeutil import utcnow


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
    # What time it is for requests: the wall clock, or a simulated one (`mentorbot demo`).
    clock: Callable[[], datetime] = utcnow

    def close(self) -> None:
        """Finish background work, then release database connections."""
        self.background.shutdown(wait=True)
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """Create the engine, session factory and Web API client for these settings."""
    engine = make_engine(settings.database_url)
    # Only 429s are retried inside a call (Slack did not accept those). A dropped connection
    # is never retried blindly: the message may have arrived, and the sender checks first.
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )
    return Runtime(
        settings=settings, engine=engine, sessions=make_sessionmaker(engine), client=client
    )


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
    settings = runtime.settings
    team_id = str(identity["team_id"])
    defaults = {
        "timezone": settings.timezone,
        "working_hours": str(settings.working_hours),
        "workdays": sorted(settings.workdays),
        "prompt_lead_hours": settings.prompt_lead // timedelta(hours=1),
        "nudge_grace_days": settings.nudge_grace.days,
        # Ticks (which have no settings) reach configured coordinators through this.
        "coordinators": list(settings.coordinators),
    }
    with unit_of_work(runtime.sessions) as session:
        ensure_workspace(
            session,
            team_id=team_id,
            name=identity.get("team"),
            bot_user_id=identity.get("user_id"),
            defaults=defaults,
            now=now,
        )
    return team_id
