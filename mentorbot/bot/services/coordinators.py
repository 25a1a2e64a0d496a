"""Every workspace's coordinators with their clocks, read in a few queries for the tick.

The weekly digest and the daily note of quiet pairs look at every coordinator each minute;
this reads them all at once (workspaces, then coordinators on an index), so a quiet minute
costs the same few small queries whatever the number of workspaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, select, true
from sqlalchemy.orm import Session

from mentorbot.bot.models import Member, Workspace
from mentorbot.bot.services.workspaces import member_availability
from mentorbot.bot.working_hours import Availability


@dataclass(frozen=True)
class Coordinator:
    """A coordinator of a workspace, when they may be written to, and when they last got the
    note of quiet pairs (None: never)."""

    team_id: str
    user_id: str
    availability: Availability
    escalations_sent_at: datetime | None


def coordinators_everywhere(session: Session) -> list[Coordinator]:
    """The coordinators of every installed workspace (granted or configured), sorted; people
    whose data was deleted are left out."""
    workspaces = {
        team_id: settings or {}
        for team_id, settings in session.execute(
            select(Workspace.team_id, Workspace.settings).where(Workspace.uninstalled_at.is_(None))
        )
    }
    if not workspaces:
        return []
    configured = {
        team_id: set(settings.get("coordinators") or []) for team_id, settings in workspaces.items()
    }
    everyone_configured = set().union(*configured.values())
    columns = (
        Member.team_id,
        Member.user_id,
        Member.tz,
        Member.working_hours_start,
        Member.working_hours_end,
        Member.workdays,
        Member.holiday_calendar,
        Member.away_since,
        Member.away_until,
        Member.away_waived,
        Member.is_coordinator,
        Member.deleted,
        Member.escalations_sent_at,
    )
    # Two lookups, each on an index (`= true()` is the form the partial index answers); an
    # OR of the two would read every member of every workspace each minute.
    members = list(
        session.execute(
            select(*columns).where(
                Member.is_coordinator == true(), Member.team_id.in_(list(workspaces))
            )
        )
    )
    if everyone_configured:
        members += session.execute(
            select(*columns).where(
                Member.team_id.in_(list(workspaces)),
                Member.user_id.in_(list(everyone_configured)),
                Member.is_coordinator == false(),
            )
        ).all()
    known = {(row.team_id, row.user_id): row for row in members}
    wanted = {(row.team_id, row.user_id) for row in members if row.is_coordinator}
    wanted |= {(team_id, user_id) for team_id, ids in configured.items() for user_id in ids}
    found = []
    for team_id, user_id in sorted(wanted):
        row = known.get((team_id, user_id))
        if row is not None and row.deleted:
            continue
        found.append(
            Coordinator(
                team_id=team_id,
                user_id=user_id,
                availability=member_availability(row, workspaces[team_id]),
                escalations_sent_at=row.escalations_sent_at if row is not None else None,
            )
        )
    return found
