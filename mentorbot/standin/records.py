"""What happened on the stand-in: the calls made to it, their violations, what people see."""

from __future__ import annotations

import copy
from collections import Counter

from mentorbot.standin.objects import FileDownload, Json, RecordedCall, UploadedFile
from mentorbot.standin.state import StandinState


class ContractViolation(AssertionError):
    """Raised by assert_no_violations when the bot broke Slack's Web API contract."""


class StandinRecords(StandinState):
    """What the bot did, as a test reads it afterwards."""

    def team_of(self, call: RecordedCall) -> str:
        """The workspace whose token made a call (the default one for its own token)."""
        with self._lock:
            return self._workspace.identity(call.token).team_id

    @property
    def calls(self) -> list[RecordedCall]:
        """Every Web API call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        """The calls of one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    def ratelimited_by_team(self, method: str) -> dict[str, int]:
        """How many calls of a method were answered 429, by workspace (team ID): a rate
        limit's or an injected 429's."""
        with self._lock:
            teams = Counter(
                self._workspace.identity(call.token).team_id
                for call in self._calls
                if call.method == method and call.status == 429
            )
        return dict(teams)

    @property
    def responses(self) -> list[tuple[str, Json]]:
        """Every (response_url, payload) POSTed to the stand-in."""
        with self._lock:
            return list(self._responses)

    @property
    def violations(self) -> list[str]:
        """All contract violations, of Web API calls and of response_url posts."""
        with self._lock:
            found = [f"{c.method}: {v}" for c in self._calls for v in c.violations]
            return found + [f"response_url: {v}" for v in self._response_violations]

    def assert_no_violations(self) -> None:
        """Raise ContractViolation listing every violation, if there were any."""
        found = self.violations
        if found:
            raise ContractViolation("Slack contract violations:\n  " + "\n  ".join(found))

    def dm_channel_for(self, user_id: str) -> str:
        """The id of the bot's DM channel with a user."""
        return self._workspace.dm_channel_for(user_id)

    def messages_in(self, channel: str) -> list[Json]:
        """Messages in a channel (or a user's DM, given a user id), oldest first."""
        if channel[:1] in ("U", "W"):
            channel = self.dm_channel_for(channel)
        with self._lock:
            return copy.deepcopy(self._workspace.messages.get(channel, []))

    def ephemerals_for(self, user_id: str) -> list[Json]:
        """Ephemeral messages shown to one user, oldest first."""
        with self._lock:
            found = [m for m in self._workspace.ephemerals if m["to_user"] == user_id]
            return copy.deepcopy(found)

    def home_view(self, user_id: str) -> Json | None:
        """The App Home view last published for a user."""
        with self._lock:
            return copy.deepcopy(self._workspace.home_views.get(user_id))

    @property
    def views(self) -> dict[str, Json]:
        """Every modal and home view by id, as last opened, pushed, updated or published."""
        with self._lock:
            return copy.deepcopy(self._workspace.views)

    @property
    def downloads(self) -> list[FileDownload]:
        """Every GET of a shared file's url_private(_download), oldest first, with its status."""
        with self._lock:
            return list(self._downloads)

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Files whose bytes reached the stand-in, with where they were shared."""
        with self._lock:
            files = self._workspace.files.values()
            return [copy.deepcopy(f) for f in files if f.data is not None]
