"""Slash commands: `/checkin` and `/mentoring`; each subcommand lives in its feature's module.

- `checkin_command`: routes `/checkin`: the form, a subcommand, or a quick check-in.
- `mentoring_command`: routes `/mentoring`: `help` for anyone, the rest for coordinators.
- `agreements`: `/checkin agreement`.
- `announcements`: `/mentoring announce`, `/mentoring announcements`.
- `calendar_feeds`: `/checkin calendar`, `/checkin calendar reset`.
- `celebrations`: `/checkin win`.
- `checkins`: `/checkin`, `/checkin <text>`, `/checkin history`.
- `cohorts`: `/mentoring cohort …`, `/mentoring cohorts`.
- `concerns`: `/checkin concern`.
- `coordinators`: `/mentoring coordinator …`, `/mentoring coordinators`.
- `dashboard`: `/mentoring dashboard`: a one-time sign-in link to the web dashboard.
- `feedback`: `/checkin feedback`, `/mentoring feedback`.
- `goals`: `/checkin goal`, `/checkin goals`.
- `health`: `/mentoring status`, `/mentoring report`.
- `imports`: `/mentoring import`.
- `matching`: `/checkin profile`, `/mentoring match`.
- `meetings`: `/checkin reschedule`.
- `mentor_directory`: `/checkin find-mentor [area]`.
- `own_data`: `/checkin my-data`, `/checkin delete-my-data`.
- `pairs`: `/mentoring pair`, `unpair`, `capacity`.
- `pauses`: `/checkin pause`, `/checkin resume`.
- `working_hours`: `/checkin hours`.
- `holiday_calendars`: `/checkin holidays`.
- `languages`: `/checkin language`.
- `grammar`: reading a command's words: people, channels, dates and options.
- `request`: the request a subcommand handles: who asked, the words, the session, the clock.
"""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers.commands import checkin_command, mentoring_command


def register(app: App) -> None:
    """Attach the slash command listeners."""
    checkin_command.register(app)
    mentoring_command.register(app)
