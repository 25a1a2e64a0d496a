"""`StandinState`: what one stand-in holds, and its URLs and ids."""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING

from mentorbot.oauth import BOT_SCOPES
from mentorbot.standin.methods import Workspace
from mentorbot.standin.objects import BotIdentity, FileDownload, Json, RecordedCall
from mentorbot.standin.transport import StandinHTTPServer

if TYPE_CHECKING:
    from mentorbot.standin.faults import _Fault, _RateLimit


class StandinState:
    """The stand-in's workspace, what happened on it, the faults to inject and its server."""

    def __init__(
        self,
        *,
        team_id: str = "T0MENTOR",
        bot_user_id: str = "U0MENTORBOT",
        bot_id: str = "B0MENTORBOT",
        app_id: str = "A0MENTORBOT",
        team_name: str = "mentorbot-dev",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.bot = BotIdentity(team_id, team_name, bot_user_id, bot_id, app_id)
        self._address = (host, port)
        # The scopes Slack's `x-oauth-scopes` header says the token has (the manifest's).
        self.scopes: tuple[str, ...] = BOT_SCOPES
        self._lock = threading.Lock()
        self._workspace = Workspace(self.bot)
        self._calls: list[RecordedCall] = []
        self._downloads: list[FileDownload] = []
        self._responses: list[tuple[str, Json]] = []
        self._response_uses: dict[str, int] = {}
        self._response_violations: list[str] = []
        self._fail_next: dict[str, deque[_Fault]] = {}
        self._fail_after: dict[str, deque[_Fault]] = {}
        self._limits: dict[str, dict[str, _RateLimit]] = {}  # method -> per -> limit
        self._delays: dict[str | None, float] = {}  # method (None: every one) -> seconds
        self._holds: dict[str, threading.Event] = {}
        self._stopping = threading.Event()  # set by stop(): delayed answers leave at once
        self._httpd: StandinHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The server's root URL, e.g. http://127.0.0.1:PORT."""
        if not self._workspace.base_url:
            raise RuntimeError("the Slack stand-in is not started")
        return self._workspace.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL for WebClient(base_url=...): http://127.0.0.1:PORT/api/."""
        return f"{self.base_url}/api/"

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self.bot.team_id

    @property
    def bot_user_id(self) -> str:
        """The bot's user id."""
        return self.bot.bot_user_id

    @property
    def app_id(self) -> str:
        """The app id."""
        return self.bot.app_id
