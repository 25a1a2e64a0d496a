"""Everything stored about a person, as JSON-ready data, to hand them (`/checkin my-data`)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorbot.bot.models import (
    Announcement,
    CalendarFeed,
    CheckIn,
    Cohort,
    Concern,
    Feedback,
    Goal,
    MatchProposal,
    Member,
    MentorRequest,
    Milestone,
    Pair,
    Profile,
    Reflection,
)
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.own_data.messages import _messages_to
from mentorbot.bot.services.own_data.pairs_of import _cohort_names, _pairs_of

FORMAT = "mentorbot-my-data"
FORMAT_VERSION = 1
# The member and profile columns an export holds.
MEMBER = (
    "name tz slack_locale language working_hours_start working_hours_end workdays"
    " holiday_calendar is_coordinator"
    " mentor_capacity away_since away_until away_waived"
    " created_at profile_refreshed_at data_deleted_at"
)
PROFILE = "role cohort_id areas goals created_at updated_at"


def export(session: Session, *, team_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    """Everything stored about the person, as JSON-ready data (their own words included).

    Others' words about them are not in it: a concern someone raised about them is that
    person's, and a mentee's check-ins are the mentee's even when shared with their mentor.
    """
    pairs = _pairs_of(session, team_id, user_id)
    cohorts = _cohort_names(session, team_id, {p.cohort_id for p in pairs})
    mine = [p.id for p in pairs if p.mentee_id == user_id]

    def rows(model: Any, where: Any, columns: str) -> list[dict[str, Any]]:
        """The workspace's rows of `model` matching `where`, oldest first, as dicts."""
        query = select(model).where(model.team_id == team_id, where).order_by(model.id)
        return _rows(session, query, columns)

    member = next(iter(rows(Member, Member.user_id == user_id, MEMBER)), None)
    profile = next(iter(rows(Profile, Profile.user_id == user_id, PROFILE)), None)
    if profile is not None:
        profile["cohort"] = cohorts.get(profile.pop("cohort_id"))
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": _iso(now),
        "workspace": team_id,
        "user_id": user_id,
        "notes": render_text("own_data/notes.md.j2").splitlines(),
        "member": member,
        "profile": profile,
        "pairs": [_pair_data(pair, user_id, cohorts) for pair in pairs],
        "check_ins": rows(
            CheckIn,
            CheckIn.author_id == user_id,
            "id pair_id created_at rating went_well blockers next_steps goal_id"
            " shared_with_mentor source",
        ),
        "goals": [
            {**row, "created_by": "you" if row["created_by"] == user_id else "other"}
            for row in rows(
                Goal,
                or_(Goal.pair_id.in_(mine), Goal.created_by == user_id),
                "id pair_id title measure due_on status created_by created_at completed_at"
                " reminded_at",
            )
        ],
        # A win in a pair where they mentor is the mentee's: its words stay out.
        "milestones": [
            {**row, "detail": row["detail"] if row["pair_id"] in mine else None}
            for row in rows(
                Milestone,
                Milestone.pair_id.in_([p.id for p in pairs]),
                "id pair_id kind detail created_at celebrated_at shared_at",
            )
        ],
        "feedback_given": rows(
            Feedback,
            Feedback.author_id == user_id,
            "id pair_id author_role phase trust communication usefulness comment created_at",
        ),
        "concerns_raised": rows(
            Concern,
            Concern.raised_by == user_id,
            "id pair_id text status created_at handled_at resolution reply",
        ),
        # As a coordinator: which concerns they handled and their own reply, not the concern.
        "concerns_handled": rows(
            Concern, Concern.handled_by == user_id, "id handled_at resolution reply"
        ),
        "reflections": rows(
            Reflection,
            Reflection.user_id == user_id,
            "id pair_id goals_done goals_in_progress goals_dropped gratitude keep_in_touch"
            " alumni_at alumni_sent created_at",
        ),
        "announcements_created": rows(
            Announcement,
            Announcement.created_by == user_id,
            "id cohort_id channel_id text send_at sent_at cancelled_at created_at",
        ),
        "cohorts_created": rows(Cohort, Cohort.created_by == user_id, "id name created_at"),
        # Only that a calendar link exists and since when: its token is not kept (a hash is).
        "calendar_feed": next(
            iter(rows(CalendarFeed, CalendarFeed.user_id == user_id, "created_at")), None
        ),
        # As a mentee, their requests in their words; as a mentor, those made to them with
        # their own note, not the mentee's words.
        "mentor_requests_made": rows(
            MentorRequest,
            MentorRequest.mentee_id == user_id,
            "id cohort_id mentor_id why hope first_goal cadence status note suggested_id"
            " created_at answered_at expires_at pair_id",
        ),
        "mentor_requests_received": rows(
            MentorRequest,
            MentorRequest.mentor_id == user_id,
            "id cohort_id mentee_id cadence status note suggested_id created_at answered_at"
            " pair_id",
        ),
        "match_proposals_created": rows(
            MatchProposal,
            MatchProposal.created_by == user_id,
            "id cohort_id status created_at decided_at",
        ),
        "messages_to_you": [
            {
                "id": row.id,
                "kind": row.kind,
                "to": "group" if row.target_kind == "group" else "you",
                "status": row.status,
                "not_before": _iso(row.not_before),
                "created_at": _iso(row.created_at),
                "sent_at": _iso(row.sent_at),
                "text": (row.payload or {}).get("text"),
            }
            for row in _messages_to(session, team_id, user_id)
        ],
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _rows(session: Session, query: Any, columns: str) -> list[dict[str, Any]]:
    """The query's rows as dicts of these (space-separated) columns, dates as ISO text."""
    return [
        {name: _json_value(getattr(row, name)) for name in columns.split()}
        for row in session.scalars(query)
    ]


def _pair_data(pair: Pair, user_id: str, cohorts: dict[int, str]) -> dict[str, Any]:
    mentee = pair.mentee_id == user_id
    return {
        "id": pair.id,
        "cohort": cohorts.get(pair.cohort_id),
        "your_role": "mentee" if mentee else "mentor",
        "other_person": pair.mentor_id if mentee else pair.mentee_id,
        "cadence": pair.cadence,
        "meeting_weekday": pair.meeting_weekday,
        "meeting_time": _json_value(pair.meeting_time),
        "meeting_channel": pair.meeting_channel,
        "status": pair.status,
        "paused_until": _iso(pair.paused_until),
        "next_meeting_at": _iso(pair.next_meeting_at),
        "created_at": _iso(pair.created_at),
        "ended_at": _iso(pair.ended_at),
        "agreement": pair.agreement,
    }
