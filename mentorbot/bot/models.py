"""SQLAlchemy 2.0 typed models for the whole data model; every row carries `team_id`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mentorbot.bot.dbtypes import Id, UTCDateTime
from mentorbot.bot.timeutil import utcnow

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        int: Integer(),
    }


class Workspace(Base):
    """A Slack workspace the bot serves, with its install data and settings."""

    __tablename__ = "workspace"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[datetime | None]


class Member(Base):
    """A person in a workspace: cached name and time zone, personal hours, coordinator flag."""

    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        # The few coordinators among many members (the digest looks for them every minute).
        Index(
            "ix_member_coordinators",
            "team_id",
            sqlite_where=text("is_coordinator = 1"),
            postgresql_where=text("is_coordinator"),
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(255))
    tz: Mapped[str | None] = mapped_column(String(64))
    working_hours_start: Mapped[time | None] = mapped_column(Time)
    working_hours_end: Mapped[time | None] = mapped_column(Time)
    workdays: Mapped[str | None] = mapped_column(String(32))
    # Public holidays kept: `GB`, `US-CA`, `none`; None follows the workspace's calendar.
    holiday_calendar: Mapped[str | None] = mapped_column(String(16))
    # Slack's locale for them (`es-ES`), and the language they chose (`/checkin language`);
    # messages to them are in the one chosen, else their locale's, else the workspace's.
    slack_locale: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    # Since when their Slack status has said they are away (None: not away), and until when
    # (its expiry; None: until it changes). Their DMs wait, unless they asked for them anyway
    # (`away_waived`, for this spell). Never the status's words.
    away_since: Mapped[datetime | None]
    away_until: Mapped[datetime | None]
    away_waived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When this coordinator last got the day's note of quiet pairs: it listed every pair
    # whose escalation fell due before then, so the next lists only those due after it.
    escalations_sent_at: Mapped[datetime | None]
    # How many active pairs this person may mentor at once; None means the default.
    mentor_capacity: Mapped[int | None] = mapped_column(SmallInteger)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_refreshed_at: Mapped[datetime | None]
    # When the person had their own data deleted (`/checkin delete-my-data`).
    data_deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Profile(Base):
    """What a person brings to matching: their role, areas and goals (the tz comes from Slack)."""

    __tablename__ = "profile"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))  # "mentor" or "mentee"
    # The cohort the person signed up for; None means any cohort.
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="SET NULL"), index=True
    )
    # Areas of expertise (mentors) or of interest (mentees), as short lowercase labels.
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[str | None] = mapped_column(Text)
    # A mentor who mentees of self-serve cohorts may ask (the directory lists them while they
    # have room), and what they say of how they can help (a few sentences).
    open_to_requests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    how_i_help: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchProposal(Base):
    """Pairs `/mentoring match` proposed for a cohort, until the coordinator confirms them."""

    __tablename__ = "match_proposal"
    __table_args__ = (Index(None, "team_id", "cohort_id", "status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(32))
    # The proposed rows (mentor, mentee, score, reasons) as the coordinator last saw them.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, confirmed, dropped
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class MentorRequest(Base):
    """A mentee's request to a mentor of a self-serve cohort, and how it ended.

    Its words (why this mentor, what they hope to gain, their first goal) are the mentee's,
    read by them and that mentor only; the mentor's note is theirs, read by the mentee.
    Coordinators count requests, never read them.
    """

    __tablename__ = "mentor_request"
    __table_args__ = (
        Index(None, "team_id", "mentee_id", "status"),
        Index(None, "team_id", "mentor_id", "status"),
        Index(None, "cohort_id", "status"),
        Index(None, "status", "expires_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[str] = mapped_column(String(32))
    why: Mapped[str | None] = mapped_column(Text)
    hope: Mapped[str | None] = mapped_column(Text)
    first_goal: Mapped[str | None] = mapped_column(Text)
    cadence: Mapped[str] = mapped_column(String(16), default="biweekly")
    # waiting (for the mentor), confirming (for a coordinator), accepted (the pair is made),
    # declined (by the mentor, or a coordinator), expired (7 days without an answer) or
    # withdrawn (the pairing could no longer be: a mentor found, the cohort ended, data deleted).
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    # The mentor's kind note with *Not now*, and whom they suggested instead.
    note: Mapped[str | None] = mapped_column(Text)
    suggested_id: Mapped[str | None] = mapped_column(String(32))
    # Who answered last (the mentor, or the coordinator who confirmed or declined) and when.
    answered_by: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None]
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the wait for the present answer ends: a week from the ask (or the mentor's yes).
    expires_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cohort(Base):
    """A mentoring programme run: its channel, dates, default cadence and phase."""

    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("team_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    cadence: Mapped[str] = mapped_column(String(16), default="biweekly")
    # Whether mentees find their own mentor: off, open (an accepted request makes the
    # pair) or approval (a coordinator confirms it).
    self_serve: Mapped[str] = mapped_column(String(16), default="off", server_default="off")
    phase: Mapped[str] = mapped_column(String(16), default="kickoff")
    phase_changed_at: Mapped[datetime | None]
    # When the cohort enters its next phase (None once ended), and when coordinators get a
    # heads-up about it (None once sent).
    next_phase_at: Mapped[datetime | None] = mapped_column(index=True)
    heads_up_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When retention deleted the cohort's own words: requests, announcements.
    words_deleted_at: Mapped[datetime | None]


class Pair(Base):
    """A mentor and a mentee in a cohort, with their rhythm and the next meeting in UTC."""

    __tablename__ = "pair"
    __table_args__ = (
        Index(None, "status", "next_meeting_at"),
        Index(None, "status", "prompt_at"),
        Index(None, "status", "nudge_at"),
        Index(None, "status", "escalate_at"),
        Index(None, "status", "anniversary_at"),
        Index(None, "status", "paused_until"),
        Index(None, "team_id", "mentee_id"),
        Index(None, "team_id", "mentor_id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[str] = mapped_column(String(32))
    mentee_id: Mapped[str] = mapped_column(String(32))
    cadence: Mapped[str] = mapped_column(String(16), default="biweekly")
    meeting_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    meeting_time: Mapped[time | None] = mapped_column(Time)
    meeting_channel: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    paused_until: Mapped[datetime | None]
    next_meeting_at: Mapped[datetime | None]
    # The regular meeting that `next_meeting_at` replaces when the pair moved one meeting.
    moved_from: Mapped[datetime | None]
    # When the coming meeting's prompts are due; None once they are queued (or none will be).
    prompt_at: Mapped[datetime | None]
    # Since when the pair has been quiet: pairing, its last check-in, or the end of a pause.
    quiet_since: Mapped[datetime | None]
    # When the quiet mentee gets their nudge (None once sent), and when coordinators should
    # hear of the pair (kept, in the past, while the quiet spell lasts; see nudges.py).
    nudge_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None]
    # When the pair's next "months together" celebration falls due (None when none is left).
    anniversary_at: Mapped[datetime | None]
    # The latest meeting that has passed, and how many meetings had a check-in after them.
    last_meeting_at: Mapped[datetime | None]
    meetings_checked_in: Mapped[int] = mapped_column(default=0, server_default="0")
    agreement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What a calendar feed needs of the meetings' past: the rhythms kept, pauses, moved
    # meetings and a change count (see services/meeting_history.py). None before any.
    meeting_history: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # When retention deleted the words written in the pair (MENTORBOT_RETENTION_DAYS).
    words_deleted_at: Mapped[datetime | None]


class CheckIn(Base):
    """What a person recorded about the pair's progress; private to its author unless shared."""

    __tablename__ = "check_in"
    __table_args__ = (Index(None, "pair_id", "created_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    went_well: Mapped[str | None] = mapped_column(Text)
    blockers: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    shared_with_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="modal")


class Goal(Base):
    """A SMART goal of the mentee's: outcome, measure, due date and status."""

    __tablename__ = "goal"
    __table_args__ = (Index(None, "status", "due_on"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    measure: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # When the mentee was reminded that the goal is due soon (once per goal).
    reminded_at: Mapped[datetime | None]


class Milestone(Base):
    """Something worth celebrating, recorded once and celebrated once."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("team_id", "pair_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    celebrated_at: Mapped[datetime | None] = mapped_column(index=True)
    # Which wording of the celebration was used (they vary, never the same twice in a row).
    variant: Mapped[int | None] = mapped_column(SmallInteger)
    # A win the mentee chose to share in the cohort channel: when they chose it.
    shared_at: Mapped[datetime | None]


class SurveyRound(Base):
    """A cohort's midpoint or closing survey, open from `opens_at` until `closes_at`; its
    results are shown once it has closed, never before."""

    __tablename__ = "survey_round"
    __table_args__ = (UniqueConstraint("team_id", "cohort_id", "phase"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16))  # "midpoint" or "closing"
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """A survey answer about the mentoring, by the mentee or the mentor."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    # The survey round the answer counts in; None until the next round of its cohort opens
    # (feedback given between rounds).
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(String(32))
    author_role: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16))
    trust: Mapped[int | None] = mapped_column(SmallInteger)
    communication: Mapped[int | None] = mapped_column(SmallInteger)
    usefulness: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Concern(Base):
    """A concern raised privately to coordinators about a pair."""

    __tablename__ = "concern"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"))
    raised_by: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    handled_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    # How it was handled (replied, rematch, ended) and the coordinator's reply, if any.
    resolution: Mapped[str | None] = mapped_column(String(16))
    reply: Mapped[str | None] = mapped_column(Text)
    # When retention deleted the concern's words (and its reply).
    words_deleted_at: Mapped[datetime | None]


class Reflection(Base):
    """One person's closing of a pair: how their goals ended, thanks, and keeping in touch."""

    __tablename__ = "reflection"
    __table_args__ = (
        UniqueConstraint("team_id", "pair_id", "user_id"),
        Index(None, "keep_in_touch", "alumni_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    goals_done: Mapped[int] = mapped_column(default=0)
    goals_in_progress: Mapped[int] = mapped_column(default=0)
    goals_dropped: Mapped[int] = mapped_column(default=0)
    # A thank-you note to the other person in the pair (sent to them, kept here).
    gratitude: Mapped[str | None] = mapped_column(Text)
    keep_in_touch: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the next alumni check-in is due (3, then 6 months after the cohort ends).
    alumni_at: Mapped[datetime | None]
    alumni_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Announcement(Base):
    """A coordinator's message to a cohort channel, posted at `send_at`."""

    __tablename__ = "announcement"
    __table_args__ = (Index(None, "sent_at", "send_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    send_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboundMessage(Base):
    """A message the bot will send on its own initiative: the outbox row, sent exactly once."""

    __tablename__ = "outbound_message"
    __table_args__ = (
        UniqueConstraint("team_id", "dedupe_key"),
        Index(None, "status", "not_before", "id"),  # due rows in the order they are claimed
        Index(None, "pair_id", "kind"),
        Index(None, "cohort_id", "status"),
        Index(None, "team_id", "about_user_id"),
        Index(None, "concern_id"),
        Index(None, "team_id", "target_id", "status"),  # a conversation's rows (claims)
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    target_kind: Mapped[str] = mapped_column(String(16))  # "user" (a DM) or "channel"
    target_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    not_before: Mapped[datetime]
    # The moment the message is for (a meeting, a due date, a survey's close): it is never
    # delivered from then on, but ends as "expired". None for messages that keep.
    expires_at: Mapped[datetime | None]
    # pending, sending, sent, failed, cancelled, expired, or unknown (it may have reached
    # Slack, and Slack's history could not tell: not sent again, shown to coordinators)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Failed attempts so far (a 429 is not a failure); the sender gives up after a limit.
    attempts: Mapped[int] = mapped_column(default=0)
    # While "sending": the wall-clock time after which the claim is considered abandoned.
    lease_until: Mapped[datetime | None]
    # An earlier attempt may have reached Slack: look in the conversation before sending again.
    outcome_unknown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When it was first tried (wall clock): a look in Slack's history starts there.
    first_attempt_at: Mapped[datetime | None]
    # Looks in Slack's history that could not tell whether it arrived; bounded.
    lookups: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # What the message is and whom it is about, set with its key by `message_kinds` (see
    # there); None for keys made elsewhere. Plain ids, no foreign keys: the outbox is a record.
    kind: Mapped[str | None] = mapped_column(String(32))  # a `message_kinds.Kind` value
    pair_id: Mapped[int | None] = mapped_column(Id)
    cohort_id: Mapped[int | None] = mapped_column(Id)
    concern_id: Mapped[int | None] = mapped_column(Id)
    about_user_id: Mapped[str | None] = mapped_column(String(32))
    quotes_words: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CalendarFeed(Base):
    """A person's private calendar feed in a workspace: the link's token is derived from a
    server secret and `nonce`, and only its SHA-256 is kept, to find the feed by."""

    __tablename__ = "calendar_feed"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DashboardLink(Base):
    """A one-time sign-in link to the coordinators' dashboard: valid minutes, used once,
    bound to one person and workspace. Only the token's SHA-256 is kept."""

    __tablename__ = "dashboard_link"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class DashboardSession(Base):
    """A coordinator signed in to the dashboard: the cookie holds a token whose SHA-256 is
    kept here, with the session's CSRF token, until it expires or they sign out."""

    __tablename__ = "dashboard_session"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """A Slack event already handled; Slack retries the same event_id up to three times."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("team_id", "event_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Conversation(Base):
    """A DM's or group DM's channel, as conversations.open first gave it: kept for every
    sender and after restarts, since opening is rate-limited far more tightly than posting."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("team_id", "users"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    # The outbox's target: one user id, or "U1,U2" for a group DM.
    users: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime]


class ConversationPace(Base):
    """When a conversation may have its next post (Slack's pace of about one a second, with
    bursts): one moment per conversation, kept for every sender (delivery/pace.py)."""

    __tablename__ = "conversation_pace"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The outbox's target: a channel, one user id, or "U1,U2" for a group DM.
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    free_at: Mapped[datetime]


class SlackPause(Base):
    """Until when a workspace's calls of one Web API method wait: Slack's Retry-After after a
    429, or the pace kept for a method Slack allows rarely. Read by every sender."""

    __tablename__ = "slack_pause"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime]
