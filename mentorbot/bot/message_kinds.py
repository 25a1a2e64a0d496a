"""Every kind of message the bot sends on its own, and the one place their outbox keys are made.

A constructor per kind returns a `MessageKey`: the dedupe key's text (the same text as ever,
so rows already queued still dedupe) and, with it, what the outbox stores in typed columns
so that nothing needs to read the key back:

- `kind`: what the message is (the key's first part);
- `pair_id`: the pair it is about (a pause or the pair's end withdraws it);
- `cohort_id`: the cohort whose health counts it when it does not go out;
- `concern_id`: the concern it is a coordinator's copy of, or the answer to;
- `about_user_id`: whose words it quotes, when they are one person's (deleting their data
  withdraws it, or empties it if it was sent);
- `quotes_words`: it may quote words people wrote (`QUOTES_WORDS`, by kind).

Keys made anywhere else (tests, tools) carry no kind and none of these columns.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from mentorbot.bot.models import (
    Announcement,
    Cohort,
    Concern,
    Goal,
    MentorRequest,
    Milestone,
    Pair,
)


class Kind(StrEnum):
    """The kinds of outbox message; stored in `outbound_message.kind` as these values."""

    AGREEMENT = "agreement"  # the pair's agreement, new or changed, to both
    ALUMNI = "alumni"  # an alumni check-in, months after the end
    ANNOUNCEMENT = "announcement"  # a coordinator's post in the cohort channel, or its refusal
    CELEBRATE = "celebrate"  # a milestone celebrated in the pair's group DM
    CLOSING = "closing"  # the invitation to close the mentoring well
    CONCERN = "concern"  # a concern, to each coordinator outside the pair
    CONCERN_HANDLED = "concernhandled"  # its answer, to the person who raised it
    COORDINATOR = "coordinator"  # the note to someone made a coordinator
    DIGEST = "digest"  # a coordinator's weekly digest
    ESCALATE = "escalate"  # no longer made: one note per quiet pair (before 0009)
    ESCALATIONS = "escalations"  # a coordinator's daily note of quiet pairs
    FAREWELL = "farewell"  # the pair's end
    FOLLOWUP = "followup"  # "how did it go?" to the mentee after a meeting
    GOAL_DUE = "goaldue"  # a goal's due date is near
    GRATITUDE = "gratitude"  # a thank-you note to the other person of the pair
    INSTALLED = "installed"  # the welcome to whoever installed mentorbot
    KICKOFF = "kickoff"  # the pair's welcome
    MENTOR_REQUEST = "mentorrequest"  # a mentee's request, to the mentor they ask
    MOVED = "moved"  # a meeting moved
    NUDGE = "nudge"  # a quiet pair's mentee nudged, automatically or by a coordinator
    PAUSED = "paused"  # the pair paused
    PHASE_SOON = "phasesoon"  # coordinators' heads-up of a cohort's next phase
    PREP = "prep"  # the mentee's reminder before a meeting
    REQUEST_ANSWER = "requestanswer"  # how a request ended, to the mentee or the mentor
    REQUEST_CONFIRM = "requestconfirm"  # a request a mentor accepted, to each coordinator
    PROMPT = "prompt"  # the mentor's prompt before a meeting (the mentee's goals and shared words)
    RESUMED = "resumed"  # the pair back from a pause
    SURVEY = "survey"  # a survey round's invitation
    WIN_SHARE = "winshare"  # a mentee's win, shared in the cohort channel


# Kinds whose payload may quote words people wrote: the ones deleting a person's data looks at.
QUOTES_WORDS = frozenset(
    {
        Kind.AGREEMENT,
        Kind.ANNOUNCEMENT,
        Kind.CELEBRATE,
        Kind.CONCERN,
        Kind.CONCERN_HANDLED,
        Kind.GOAL_DUE,
        Kind.GRATITUDE,
        Kind.MENTOR_REQUEST,
        Kind.PROMPT,
        Kind.REQUEST_ANSWER,
        Kind.WIN_SHARE,
    }
)


class MessageKey(str):
    """A message's dedupe key: its text, a plain string wherever it goes, carrying the typed
    columns the outbox stores beside it."""

    kind: Kind | None
    pair_id: int | None
    cohort_id: int | None
    concern_id: int | None
    about_user_id: str | None

    def __new__(
        cls,
        text: str,
        kind: Kind | None = None,
        *,
        pair_id: int | None = None,
        cohort_id: int | None = None,
        concern_id: int | None = None,
        about_user_id: str | None = None,
    ) -> MessageKey:
        key = super().__new__(cls, text)
        key.__dict__.update(
            kind=kind,
            pair_id=pair_id,
            cohort_id=cohort_id,
            concern_id=concern_id,
            about_user_id=about_user_id,
        )
        return key

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a message key does not change ({name})")

    @property
    def text(self) -> str:
        """The key as a plain string."""
        return str(self)

    @property
    def quotes_words(self) -> bool:
        """True when the payload may quote words people wrote."""
        return self.kind in QUOTES_WORDS

    def __repr__(self) -> str:
        return f"MessageKey({self.text!r}, {self.kind!r})"


def _of_pair(kind: Kind, pair: Pair, *rest: object, about: str | None = None) -> MessageKey:
    """`kind:pair42[:rest…]`: a message about a pair, counted in its cohort's health."""
    text = ":".join([kind.value, f"pair{pair.id}", *(str(part) for part in rest)])
    return MessageKey(text, kind, pair_id=pair.id, cohort_id=pair.cohort_id, about_user_id=about)


def _of_person(kind: Kind, user_id: str, tail: str) -> MessageKey:
    """`kind:U123:tail`: a message to one person about no pair or cohort."""
    return MessageKey(f"{kind.value}:{user_id}:{tail}", kind)


def _meeting(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M}"


def _minute(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M}"


def _instant(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M%S.%f}"


# -- a pair's messages ---------------------------------------------------------------------------


def agreement(pair: Pair, version: int) -> MessageKey:
    """The pair's agreement, version `version`: its notes are the pair's, written together."""
    return _of_pair(Kind.AGREEMENT, pair, f"v{version}")


def alumni(pair: Pair, user_id: str, months: int) -> MessageKey:
    """An alumni check-in to one person of an ended pair, `months` after the end."""
    return _of_pair(Kind.ALUMNI, pair, user_id, months)


def celebration(pair: Pair, milestone: Milestone) -> MessageKey:
    """A milestone celebrated; a win or a goal done is quoted in the mentee's words."""
    return _of_pair(Kind.CELEBRATE, pair, f"m{milestone.id}", about=pair.mentee_id)


def closing(pair: Pair, user_id: str) -> MessageKey:
    """The invitation to one person of the pair to close the mentoring well."""
    return _of_pair(Kind.CLOSING, pair, user_id)


def farewell(pair: Pair) -> MessageKey:
    """The pair's end (to both, or to the one left when the other deleted their data)."""
    return _of_pair(Kind.FAREWELL, pair)


def followup(pair: Pair, meeting: datetime) -> MessageKey:
    """The mentee's "how did it go?" after the meeting at `meeting`."""
    return _of_pair(Kind.FOLLOWUP, pair, _meeting(meeting))


def goal_due(pair: Pair, goal: Goal) -> MessageKey:
    """The mentee's reminder of a goal due soon (its title is the mentee's words)."""
    return _of_pair(Kind.GOAL_DUE, pair, f"goal{goal.id}", about=pair.mentee_id)


def gratitude(pair: Pair, sender: str) -> MessageKey:
    """`sender`'s thank-you note to the other person of the pair, in their words."""
    return _of_pair(Kind.GRATITUDE, pair, sender, about=sender)


def kickoff(pair: Pair) -> MessageKey:
    """The pair's welcome."""
    return _of_pair(Kind.KICKOFF, pair)


def moved(pair: Pair, meeting: datetime) -> MessageKey:
    """The note that the pair's coming meeting moved to `meeting`."""
    return _of_pair(Kind.MOVED, pair, _meeting(meeting))


def nudge(pair: Pair) -> MessageKey:
    """The automatic nudge to a quiet pair's mentee, once per quiet spell."""
    spell = _minute(pair.quiet_since) if pair.quiet_since else "unknown"
    return _of_pair(Kind.NUDGE, pair, spell)


def coordinator_nudge(pair: Pair, day: date) -> MessageKey:
    """A coordinator's nudge of a quiet pair: one a day, whoever presses."""
    text = coordinator_nudge_text(pair.id, day)
    return MessageKey(text, Kind.NUDGE, pair_id=pair.id, cohort_id=pair.cohort_id)


def coordinator_nudge_text(pair_id: int, day: date) -> str:
    """The key of a coordinator's nudge of pair `pair_id` on `day`, to look it up."""
    return f"{Kind.NUDGE.value}:pair{pair_id}:asked{day:%Y%m%d}"


def paused(pair: Pair, until: datetime) -> MessageKey:
    """The note that the pair paused until `until`."""
    return _of_pair(Kind.PAUSED, pair, _minute(until))


def prep(pair: Pair, meeting: datetime) -> MessageKey:
    """The mentee's reminder before the meeting at `meeting`."""
    return _of_pair(Kind.PREP, pair, _meeting(meeting))


def prompt(pair: Pair, meeting: datetime) -> MessageKey:
    """The mentor's prompt before the meeting: the mentee's open goals and shared check-in."""
    return _of_pair(Kind.PROMPT, pair, _meeting(meeting), about=pair.mentee_id)


def resumed(pair: Pair, now: datetime) -> MessageKey:
    """The note that the pair is back from its pause."""
    return _of_pair(Kind.RESUMED, pair, _minute(now))


def survey(pair: Pair, phase: str, user_id: str) -> MessageKey:
    """The invitation of one person of the pair to a survey round of `phase`."""
    return _of_pair(Kind.SURVEY, pair, phase, user_id)


def win_share(pair: Pair, milestone: Milestone) -> MessageKey:
    """A mentee's win, in their words, shared in the cohort channel."""
    return _of_pair(Kind.WIN_SHARE, pair, f"m{milestone.id}", about=pair.mentee_id)


# -- a cohort's, a concern's, a coordinator's ----------------------------------------------------


def announcement(item: Announcement) -> MessageKey:
    """A coordinator's announcement, posted in the cohort channel."""
    return MessageKey(f"announcement:{item.id}", Kind.ANNOUNCEMENT, cohort_id=item.cohort_id)


def announcement_refused(item: Announcement) -> MessageKey:
    """The note to an announcement's author that it was not posted (not the cohort's)."""
    return MessageKey(f"announcement:{item.id}:refused", Kind.ANNOUNCEMENT)


def phase_soon(cohort: Cohort, phase: str, coordinator: str) -> MessageKey:
    """A coordinator's heads-up that the cohort enters `phase` soon."""
    text = f"phasesoon:cohort{cohort.id}:{phase}:{coordinator}"
    return MessageKey(text, Kind.PHASE_SOON, cohort_id=cohort.id)


def concern(item: Concern, coordinator: str) -> MessageKey:
    """A coordinator's copy of a concern, in the words of the person who raised it."""
    return MessageKey(
        f"concern:{item.id}:{coordinator}",
        Kind.CONCERN,
        concern_id=item.id,
        about_user_id=item.raised_by,
    )


def concern_handled(item: Concern) -> MessageKey:
    """The answer to a concern, to the person who raised it."""
    return MessageKey(
        f"concernhandled:{item.id}",
        Kind.CONCERN_HANDLED,
        concern_id=item.id,
        about_user_id=item.raised_by,
    )


def mentor_request(request: MentorRequest) -> MessageKey:
    """A mentee's request, to the mentor they ask, in the mentee's words."""
    return MessageKey(
        f"mentorrequest:req{request.id}",
        Kind.MENTOR_REQUEST,
        cohort_id=request.cohort_id,
        about_user_id=request.mentee_id,
    )


def request_answer(request: MentorRequest, outcome: str, user_id: str) -> MessageKey:
    """How a request ended (`outcome`), to `user_id` (the mentee, or the mentor); a mentor's
    "not now" may quote their kind note."""
    about = request.mentor_id if outcome == "declined" else None
    return MessageKey(
        f"requestanswer:req{request.id}:{outcome}:{user_id}",
        Kind.REQUEST_ANSWER,
        cohort_id=request.cohort_id,
        about_user_id=about,
    )


def request_confirm(request: MentorRequest, coordinator: str) -> MessageKey:
    """A request a mentor accepted in an approval cohort, to one coordinator to confirm
    (who asked whom, never the request's words)."""
    text = f"{request_confirm_prefix(request.id)}{coordinator}"
    return MessageKey(text, Kind.REQUEST_CONFIRM, cohort_id=request.cohort_id)


def request_confirm_prefix(request_id: int) -> str:
    """The start of every coordinator's copy of request `request_id`'s confirmation."""
    return f"{Kind.REQUEST_CONFIRM.value}:req{request_id}:"


def coordinator_added(user_id: str, now: datetime) -> MessageKey:
    """The note to someone made a coordinator, at `now`."""
    return _of_person(Kind.COORDINATOR, user_id, _instant(now))


def digest(user_id: str, week: str) -> MessageKey:
    """A coordinator's digest of the ISO week `week` (`2027-W10`)."""
    return _of_person(Kind.DIGEST, user_id, week)


def escalations(user_id: str, day: date) -> MessageKey:
    """A coordinator's note of newly quiet pairs, on `day` of their calendar."""
    return _of_person(Kind.ESCALATIONS, user_id, day.isoformat())


def installed(installer_id: str, now: datetime) -> MessageKey:
    """The welcome to whoever installed mentorbot, at `now`."""
    return _of_person(Kind.INSTALLED, installer_id, _instant(now))
