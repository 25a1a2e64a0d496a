"""Button listeners, one module per feature (named like its service and template folder).

- `agreements`: the kickoff's agreement button.
- `announcements`: cancelling a scheduled announcement.
- `away_status`: the App Home's *Send them now* (messages held while away).
- `calendar_feeds`: the App Home's calendar link.
- `celebrations`: sharing a win.
- `checkins`: opening the check-in form; undoing a check-in.
- `closing`: extending a cohort, the closing reflection, alumni check-ins.
- `cohorts`: turning the pages of `/mentoring cohort show`.
- `concerns`: raising a concern; a coordinator's reply, re-match or end.
- `dashboard`: the coordinators' App Home *Open the dashboard* (a one-time link).
- `feedback`: a survey invitation's button.
- `goals`: adding, taking back, finishing and dropping goals.
- `health`: cohort health's nudge and pair buttons (coordinators only).
- `matching`: profiles and match proposals.
- `meetings`: moving the coming meeting.
- `mentor_directory`: the directory of mentors' next page, and the App Home's *Find a mentor*.
- `mentor_requests`: asking a mentor; the mentor's answer; a coordinator's confirmation.
- `own_data`: deleting one's own data, or not.
- `pauses`: pausing and resuming.
"""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.actions import (
    agreements,
    announcements,
    away_status,
    calendar_feeds,
    celebrations,
    checkins,
    closing,
    cohorts,
    concerns,
    dashboard,
    feedback,
    goals,
    health,
    matching,
    meetings,
    mentor_directory,
    mentor_requests,
    own_data,
    pauses,
)


def register(app: App) -> None:
    """Attach the button listeners."""
    agreements.register(app)
    announcements.register(app)
    calendar_feeds.register(app)
    away_status.register(app)
    checkins.register(app)
    goals.register(app)
    pauses.register(app)
    meetings.register(app)
    mentor_directory.register(app)
    mentor_requests.register(app)
    celebrations.register(app)
    feedback.register(app)
    concerns.register(app)
    dashboard.register(app)
    closing.register(app)
    cohorts.register(app)
    own_data.register(app)
    matching.register(app)
    health.register(app)
