"""Workspace tokens kept encrypted: slack_sdk's SQLAlchemy installation store, with Fernet.

Every token an install brings (bot, user, refresh) is encrypted with the first key of
MENTORBOT_TOKEN_KEY before it is written, and decrypted with any of the keys when read, so a
key can be rotated: put the new key first, keep the old one after it until every workspace
has installed again (or run `mentorbot db upgrade`, which does not re-encrypt: tokens simply
stay readable). A token that no key opens is treated as missing, and said so in the log
(without the token).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

log = logging.getLogger(__name__)

INSTALLATION_TOKENS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
BOT_TOKENS = ("bot_token", "bot_refresh_token")
# What every Fernet token starts with (version byte 0x80, base64url): Slack's start "xox".
_FERNET_PREFIX = "gAAAAA"


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, reading and writing tokens through Fernet."""

    def __init__(self, *, client_id: str, engine: Engine, keys: Sequence[str]) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def save(self, installation: Installation) -> None:
        sealed = copy.copy(installation)
        for name in INSTALLATION_TOKENS:
            setattr(sealed, name, self._seal(getattr(installation, name, None)))
        super().save(sealed)  # which saves the bot through save_bot, already sealed

    def save_bot(self, bot: Bot) -> None:
        sealed = copy.copy(bot)
        for name in BOT_TOKENS:
            setattr(sealed, name, self._seal(getattr(bot, name, None)))
        super().save_bot(sealed)

    def build_installation_entity(self, row: Mapping[str, Any]) -> Installation:  # type: ignore[override]
        return SQLAlchemyInstallationStore.build_installation_entity(
            self._opened(row, INSTALLATION_TOKENS)
        )

    def build_bot_entity(self, row: Mapping[str, Any]) -> Bot:  # type: ignore[override]
        return SQLAlchemyInstallationStore.build_bot_entity(self._opened(row, BOT_TOKENS))

    def _seal(self, token: str | None) -> str | None:
        if not token or token.startswith(_FERNET_PREFIX):
            return token
        return self._fernet.encrypt(token.encode()).decode()

    def _opened(self, row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
        opened = dict(row)
        for name in names:
            value = opened.get(name)
            if not value or not str(value).startswith(_FERNET_PREFIX):
                continue  # empty, or written before tokens were encrypted
            try:
                opened[name] = self._fernet.decrypt(str(value).encode()).decode()
            except InvalidToken:
                log.error(
                    "a stored %s of workspace %s does not open with MENTORBOT_TOKEN_KEY; "
                    "treating it as missing (install again, or add the old key)",
                    name,
                    opened.get("team_id"),
                )
                opened[name] = None
        return opened
