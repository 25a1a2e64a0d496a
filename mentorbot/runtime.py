"""The long-lived parts a process needs: settings, database, Slack client."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.db import make_engine, make_sessionmaker
from mentorbot.bot.settings import Settings


@dataclass
class Runtime:
    """Everything built once per process from the settings."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """Create the engine, session factory and Web API client for these settings."""
    engine = make_engine(settings.database_url)
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )
    return Runtime(
        settings=settings, engine=engine, sessions=make_sessionmaker(engine), client=client
    )
