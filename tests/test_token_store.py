"""Workspace tokens at rest: encrypted with Fernet, readable across a key rotation."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.token_store import EncryptedInstallationStore

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
TOKEN = "xoxb-1234-5678-abcdefghijklmnopqrstuvwx"


def installation(team_id: str = "T0ALPHA", token: str = TOKEN) -> Installation:
    return Installation(
        app_id="A0APP",
        team_id=team_id,
        bot_token=token,
        bot_id="B0BOT",
        bot_user_id="U0BOT",
        bot_scopes=["commands"],
        user_id="U0INSTALLER",
    )


def store(sessions: sessionmaker[Session], *keys: str) -> EncryptedInstallationStore:
    engine = sessions.kw["bind"]
    return EncryptedInstallationStore(client_id="1.2", engine=engine, keys=keys)


def stored_tokens(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return [
            value
            for table in ("slack_bots", "slack_installations")
            for value in session.execute(text(f"SELECT bot_token FROM {table}")).scalars()
        ]


def test_tokens_are_written_encrypted_and_read_back(sessions: sessionmaker[Session]) -> None:
    old = store(sessions, OLD)
    old.save(installation())

    stored = stored_tokens(sessions)
    assert len(stored) == 2 and all(TOKEN not in value for value in stored)
    assert {Fernet(OLD.encode()).decrypt(value.encode()).decode() for value in stored} == {TOKEN}
    bot = old.find_bot(enterprise_id=None, team_id="T0ALPHA")
    assert bot is not None and bot.bot_token == TOKEN
    found = old.find_installation(enterprise_id=None, team_id="T0ALPHA")
    assert found is not None and found.bot_token == TOKEN


def test_a_rotated_key_still_reads_the_old_tokens_and_writes_with_the_new(
    sessions: sessionmaker[Session],
) -> None:
    store(sessions, OLD).save(installation("T0ALPHA"))
    rotated = store(sessions, NEW, OLD)
    rotated.save(installation("T0BETA", token="xoxb-9999-beta"))

    alpha = rotated.find_bot(enterprise_id=None, team_id="T0ALPHA")
    beta = rotated.find_bot(enterprise_id=None, team_id="T0BETA")
    assert alpha is not None and alpha.bot_token == TOKEN
    assert beta is not None and beta.bot_token == "xoxb-9999-beta"
    # Beta's token opens with the new key alone: it was written with it.
    only_new = store(sessions, NEW)
    found = only_new.find_bot(enterprise_id=None, team_id="T0BETA")
    assert found is not None and found.bot_token == "xoxb-9999-beta"


def test_a_token_no_key_opens_counts_as_missing_and_is_not_logged(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    store(sessions, OLD).save(installation())
    caplog.set_level(logging.DEBUG)

    bot = store(sessions, NEW).find_bot(enterprise_id=None, team_id="T0ALPHA")

    assert bot is not None and bot.bot_token is None
    assert "does not open with MENTORBOT_TOKEN_KEY" in caplog.text
    assert "xoxb" not in caplog.text and "gAAAAA" not in caplog.text


def test_tokens_stored_before_encryption_are_still_read(sessions: sessionmaker[Session]) -> None:
    engine = sessions.kw["bind"]
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    SQLAlchemyInstallationStore(client_id="1.2", engine=engine).save(installation())
    bot = store(sessions, OLD).find_bot(enterprise_id=None, team_id="T0ALPHA")
    assert bot is not None and bot.bot_token == TOKEN
