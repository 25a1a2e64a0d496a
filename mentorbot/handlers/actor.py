"""Who is asking: resolved once per request by middleware, taken by listeners as `actor`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from mentorbot.bot.services.members import is_coordinator
from mentorbot.bot.services.workspaces import zone_of
from mentorbot.handlers.people import refresh_profile


@dataclass(frozen=True)
class Actor:
    """The person behind a request, in their workspace; `user_id` is "" when there is none (an
    uninstall, a token revoked).

    Whether they coordinate and their time zone cost a query each, so they are read on first
    use, once a request; `session` and `client` are the request's, kept for that.
    """

    team_id: str
    user_id: str
    now: datetime
    session: Session = field(repr=False, compare=False)
    client: WebClient = field(repr=False, compare=False)
    # People named in MENTORBOT_COORDINATORS coordinate without being granted the role.
    configured: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @cached_property
    def coordinates(self) -> bool:
        """Whether they coordinate the programme (configured, or granted the role)."""
        if not self.user_id:
            return False
        return is_coordinator(
            self.session, team_id=self.team_id, user_id=self.user_id, configured=self.configured
        )

    @cached_property
    def zone(self) -> ZoneInfo:
        """Their time zone: their own as Slack last said, else their workspace's default."""
        return zone_of(self.session, team_id=self.team_id, user_id=self.user_id)

    def checked_zone(self) -> ZoneInfo:
        """Their zone once Slack was asked for their profile if the one kept is missing or old
        (users.info): for dates and times they type, which must be read in the right zone."""
        refresh_profile(
            self.client, self.session, team_id=self.team_id, user_id=self.user_id, now=self.now
        )
        self.__dict__.pop("zone", None)  # read again, after what Slack said
        return self.zone

    @property
    def today(self) -> date:
        """Today's date where they are."""
        return self.now.astimezone(self.zone).date()
