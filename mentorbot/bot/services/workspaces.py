"""Workspaces the bot serves, and the time zone to show each person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import Member, Workspace
from mentorbot.bot.settings import WorkingHours
from mentorbot.bot.working_hours import Availability, availability, zone_for

# The settings' defaults, for a workspace recorded before it had its own.
DEFAULT_HOURS = "09:00-18:00"
DEFAULT_WORKDAYS = "mon-fri"


def ensure_workspace(
    session: Session,
    *,
    team_id: str,
    name: str | None,
    bot_user_id: str | None,
    defaults: dict[str, Any],
    now: datetime,
) -> Workspace:
    """Create or refresh the workspace row; `defaults` (time zone, hours) come from settings.

    Called when Slack has just confirmed the workspace's token, so a workspace that had
    uninstalled mentorbot and installed it again is served again.
    """
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    if workspace is None:
        workspace = Workspace(team_id=team_id, installed_at=now, settings={})
        session.add(workspace)
    workspace.name = name or workspace.name
    workspace.bot_user_id = bot_user_id or workspace.bot_user_id
    workspace.settings = {**(workspace.settings or {}), **defaults}
    workspace.uninstalled_at = None
    session.flush()
    return workspace


def zone_of(session: Session, *, team_id: str, user_id: str) -> ZoneInfo:
    """A person's time zone: their own, else their workspace's default (`zone_for`, the rule
    availability_for follows too)."""
    own = session.scalar(
        select(Member.tz).where(Member.team_id == team_id, Member.user_id == user_id)
    )
    return zone_for(own, workspace_setting(session, team_id, "timezone"))


def availability_for(session: Session, *, team_id: str, user_id: str) -> Availability:
    """When this person may receive DMs: their own zone and hours, else the workspace's."""
    return availabilities_for(session, team_id=team_id, user_ids=[user_id])[user_id]


def availabilities_for(
    session: Session, *, team_id: str, user_ids: Iterable[str]
) -> dict[str, Availability]:
    """Availability of several people of one workspace, read in one query."""
    wanted = set(user_ids)
    # Only the columns needed, not whole members: the sender asks this for every batch.
    members = {
        row.user_id: row
        for row in session.execute(
            select(
                Member.user_id,
                Member.tz,
                Member.working_hours_start,
                Member.working_hours_end,
                Member.workdays,
                Member.holiday_calendar,
                Member.away_since,
                Member.away_until,
                Member.away_waived,
            ).where(Member.team_id == team_id, Member.user_id.in_(wanted))
        )
    }
    defaults = session.scalar(select(Workspace.settings).where(Workspace.team_id == team_id)) or {}
    return {user_id: member_availability(members.get(user_id), defaults) for user_id in wanted}


def member_availability(member: Any, defaults: dict[str, Any]) -> Availability:
    """A person's availability from their member row's tz, hours, workdays and holiday
    calendar columns (None when mentorbot has no row for them), else the workspace's
    `defaults` (its settings)."""
    own_hours = None
    if member is not None and member.working_hours_start and member.working_hours_end:
        own_hours = str(WorkingHours(member.working_hours_start, member.working_hours_end))
    return availability(
        tz=member.tz if member is not None else None,
        hours=own_hours,
        workdays=member.workdays if member is not None else None,
        default_tz=defaults.get("timezone") or "UTC",
        default_hours=defaults.get("working_hours") or DEFAULT_HOURS,
        default_workdays=defaults.get("workdays") or DEFAULT_WORKDAYS,
        holidays=member.holiday_calendar if member is not None else None,
        default_holidays=defaults.get("holidays"),
        away=member is not None and member.away_since is not None and not member.away_waived,
        away_until=member.away_until if member is not None else None,
    )


def default_zones(session: Session, team_ids: set[str]) -> dict[str, ZoneInfo]:
    """Each workspace's default time zone (from the settings it was recorded with): the zone
    of a person who has none of their own (`zone_for`)."""
    if not team_ids:
        return {}
    rows = session.execute(
        select(Workspace.team_id, Workspace.settings).where(Workspace.team_id.in_(team_ids))
    )
    named = {team_id: (settings or {}).get("timezone") for team_id, settings in rows}
    return {team_id: zone_for(None, named.get(team_id)) for team_id in team_ids}


# Built once, run with parameters: a check-in reads a setting (see pairs._ACTIVE_PAIRS).
_SETTINGS = select(Workspace.settings).where(Workspace.team_id == bindparam("team_id"))


def workspace_setting(session: Session, team_id: str, key: str) -> Any:
    """One of the settings the workspace was recorded with (None when it has none)."""
    settings = session.scalar(_SETTINGS, {"team_id": team_id})
    return (settings or {}).get(key)


def configured_coordinators(session: Session, team_id: str) -> list[str]:
    """Coordinators named in MENTORBOT_COORDINATORS, as recorded with the workspace."""
    return list(workspace_setting(session, team_id, "coordinators") or [])
