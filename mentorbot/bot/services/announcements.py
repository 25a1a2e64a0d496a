"""Announcements: a coordinator's words to a cohort's channel, posted once at their time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import languages, message_kinds
from mentorbot.bot.errors import BadInput, InvalidForm
from mentorbot.bot.models import Announcement, Cohort
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.rendering import escape_mrkdwn, render_json
from mentorbot.bot.sandbox.costs import TooCostly
from mentorbot.bot.sandbox.environment import BoundedSandbox
from mentorbot.bot.services.cohorts import calendar_of
from mentorbot.bot.services.languages import speaking_to, speaking_to_all
from mentorbot.bot.services.lookups import of_workspace
from mentorbot.bot.services.workspaces import default_zones
from mentorbot.bot.usertext import clean_user_text

MAX_TEXT = 3000
# What filling one announcement in may spend (see bot/sandbox/); a real one spends a few
# hundred, and 50,000 takes well under a second.
WORK_BUDGET = 50_000
# A moment this close to now counts as "now" (the coordinator took a while to submit).
GRACE = timedelta(minutes=2)
# Every special mention pages people: <!channel>, <!here>, <!everyone>, the older <!group>,
# a user group (<!subteam^S123>). Only a date (<!date^…>) is harmless.
_BROADCAST = re.compile(r"<!(?!date\^)[^>]*>")
VARIABLES = ("cohort", "week", "weeks", "weeks_left", "starts_on", "ends_on")


@dataclass(frozen=True)
class Pending:
    """A scheduled announcement and its cohort's name, for the list with cancel buttons."""

    announcement: Announcement
    cohort_name: str


def variables(cohort: Cohort, today: date) -> dict[str, Any]:
    """What an announcement may say about its cohort, as of `today`."""
    calendar = calendar_of(cohort, today)
    return {
        "cohort": escape_mrkdwn(cohort.name),
        "week": calendar.week,
        "weeks": calendar.weeks,
        "weeks_left": calendar.weeks_left,
        # (in the workspace's language: an announcement is read by the whole channel)
        "starts_on": languages.format_day(cohort.starts_on, "long"),
        "ends_on": languages.format_day(cohort.ends_on, "long"),
    }


def render(text: str, cohort: Cohort, today: date) -> str:
    """The announcement as posted. TooCostly if it would not fit one message (or would cost
    too much to fill in), refused before anything big is made; InvalidForm (on `text`)
    explains a template mistake."""
    sandbox = BoundedSandbox(
        limit=MAX_TEXT, budget=WORK_BUDGET, undefined=StrictUndefined, autoescape=False
    )
    try:
        rendered = sandbox.render(text, **variables(cohort, today)).strip()
    except TooCostly:
        raise
    except TemplateError as error:
        raise _mistake(error.message or type(error).__name__) from None
    except Exception as error:  # Jinja's sandbox leaves the rest to us: 1/0, int('x')…
        raise _mistake(str(error) or type(error).__name__) from None
    # What the coordinator's words come to; neutralising broadcasts may lengthen them a
    # little past the limit, and the post cuts that (as for words with no variables).
    if len(rendered) > MAX_TEXT:
        raise TooCostly("long", len(rendered), MAX_TEXT)
    return defuse(rendered)


def _mistake(problem: str) -> InvalidForm:
    return InvalidForm("text", "announcements/mistake", problem=problem, variables=VARIABLES)


def defuse(text: str) -> str:
    """Coordinators write mrkdwn (links, bold), but nobody is paged by an announcement."""
    return _BROADCAST.sub(lambda found: "&lt;" + found.group(0)[1:], text)


def schedule_announcement(
    session: Session,
    *,
    cohort: Cohort,
    text: str,
    send_at: datetime,
    created_by: str,
    now: datetime,
    zone: ZoneInfo,
) -> Announcement:
    """Schedule a post to the cohort's channel at `send_at` (now, or later; never the past)."""
    text = clean_user_text(text)
    if not text:
        raise InvalidForm("text", "announcements/no_text")
    if len(text) > MAX_TEXT:
        raise InvalidForm("text", "announcements/too_long", limit=MAX_TEXT, length=len(text))
    if cohort.phase == "ended":
        raise InvalidForm("cohort", "cohorts/ended_pick", cohort=cohort.name)
    if not cohort.channel_id:
        raise InvalidForm("cohort", "announcements/no_channel", cohort=cohort.name)
    if send_at < now - GRACE:
        when = send_at.astimezone(zone)
        raise InvalidForm("date", "announcements/passed", when=when, zone=zone)
    try:
        render(text, cohort, send_at.astimezone(zone).date())
    except TooCostly as refusal:
        raise InvalidForm("text", "announcements/too_costly", refusal=refusal) from None
    announcement = Announcement(
        team_id=cohort.team_id,
        cohort_id=cohort.id,
        channel_id=cohort.channel_id,
        text=text,
        send_at=max(send_at, now),
        created_by=created_by,
        created_at=now,
    )
    session.add(announcement)
    session.flush()
    return announcement


def pending_announcements(session: Session, *, team_id: str) -> list[Pending]:
    """Announcements still to be posted, soonest first."""
    rows = session.execute(
        select(Announcement, Cohort.name)
        .join(Cohort, Cohort.id == Announcement.cohort_id)
        .where(
            Announcement.team_id == team_id,
            Announcement.sent_at.is_(None),
            Announcement.cancelled_at.is_(None),
        )
        .order_by(Announcement.send_at, Announcement.id)
    )
    return [Pending(announcement, name) for announcement, name in rows]


def cancel_announcement(
    session: Session, *, team_id: str, announcement_id: int, now: datetime
) -> Announcement:
    """Cancel a pending announcement; BadInput once it has gone out."""
    announcement = of_workspace(session, Announcement, announcement_id, team_id=team_id)
    if announcement.sent_at is not None:
        raise BadInput("announcements/posted")
    if announcement.cancelled_at is None:
        announcement.cancelled_at = now
    return announcement


def produce_announcements(session: Session, now: datetime) -> int:
    """Queue every announcement whose time has come, once (a tick producer).

    After downtime, one that fell due meanwhile is posted once, when the bot is back. Each is
    filled in again first; one that no longer fits a message is cancelled instead, and its
    author gets a DM saying why.
    """
    due = list(
        session.execute(
            select(Announcement, Cohort)
            .join(Cohort, Cohort.id == Announcement.cohort_id)
            .where(
                Announcement.sent_at.is_(None),
                Announcement.cancelled_at.is_(None),
                Announcement.send_at <= now,
            )
            .order_by(Announcement.send_at, Announcement.id)
        ).all()
    )
    zones = default_zones(session, {announcement.team_id for announcement, _ in due})
    outgoing = []
    for announcement, cohort in due:
        zone = zones[announcement.team_id]
        try:
            text = render(announcement.text, cohort, now.astimezone(zone).date())
        except TooCostly as refusal:
            # It fitted when scheduled, no longer (its cohort was extended, the bounds were
            # tightened): it is not posted, never tried again, and its author hears why.
            announcement.cancelled_at = now
            outgoing.append(_refused(session, announcement, cohort, refusal, now))
            continue
        except InvalidForm:
            text = defuse(announcement.text)  # validated when scheduled; never lose the words
        with speaking_to_all():
            post = render_json("announcements/post.json.j2", text=text)
        outgoing.append(
            Outgoing(
                team_id=announcement.team_id,
                dedupe_key=message_kinds.announcement(announcement),
                target_kind="channel",
                target_id=announcement.channel_id,
                payload=post,
                not_before=now,
            )
        )
        announcement.sent_at = now
    return enqueue_many(session, outgoing, now=now)


def _refused(
    session: Session, announcement: Announcement, cohort: Cohort, refusal: TooCostly, now: datetime
) -> Outgoing:
    """The DM telling an announcement's author that it was not posted, and why."""
    with speaking_to(session, team_id=announcement.team_id, user_id=announcement.created_by):
        words = render_json(
            "announcements/refused.json.j2",
            announcement=announcement,
            cohort=cohort,
            refusal=refusal,
        )
    return Outgoing(
        team_id=announcement.team_id,
        dedupe_key=message_kinds.announcement_refused(announcement),
        target_kind="user",
        target_id=announcement.created_by,
        payload=words,
        not_before=now,
    )
