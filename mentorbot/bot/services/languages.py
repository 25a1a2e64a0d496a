"""Which language each person reads: the one they chose (`/checkin language`), else their
Slack locale's, else the workspace default (`MENTORBOT_LANGUAGE`).

A message is rendered in its reader's language: wrap the rendering in `speaking_to(...)`
(one person), `speaking_to_pair(...)` (a pair's group DM; `speaking_to_group` for any
group) or `speaking_to_all()` (a channel post). A request already speaks its sender's
language (`MentorbotApp.dispatch`), and a channel post the workspace default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorbot.bot import languages
from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Member, Pair

# What `/checkin language …` takes to go back to Slack's locale.
SLACK_WORD = "slack"


@dataclass(frozen=True)
class LanguageChoice:
    """A person's language and where it comes from: "chosen", "slack" or "default"."""

    code: str
    source: str
    slack_locale: str | None


def _choice(chosen: str | None, slack_locale: str | None) -> LanguageChoice:
    own = languages.supported(chosen)
    if own is not None:
        return LanguageChoice(own, "chosen", slack_locale)
    from_slack = languages.supported(slack_locale)
    if from_slack is not None:
        return LanguageChoice(from_slack, "slack", slack_locale)
    return LanguageChoice(languages.default(), "default", slack_locale)


def language_choice(session: Session, *, team_id: str, user_id: str) -> LanguageChoice:
    """A person's language, and why it is theirs."""
    row = session.execute(
        select(Member.language, Member.slack_locale).where(
            Member.team_id == team_id, Member.user_id == user_id
        )
    ).first()
    return _choice(*row) if row is not None else _choice(None, None)


def language_of(session: Session, *, team_id: str, user_id: str) -> str:
    """The language a person reads."""
    return language_choice(session, team_id=team_id, user_id=user_id).code


def languages_of(session: Session, *, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """The languages of several people of one workspace, in one query."""
    wanted = set(user_ids)
    found = {
        row.user_id: _choice(row.language, row.slack_locale).code
        for row in session.execute(
            select(Member.user_id, Member.language, Member.slack_locale).where(
                Member.team_id == team_id, Member.user_id.in_(wanted)
            )
        )
    }
    return {user_id: found.get(user_id, languages.default()) for user_id in wanted}


def languages_of_people(
    session: Session, people: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The languages of `(team_id, user_id)` people of any workspaces, a query per
    workspace: for a tick that writes to many."""
    by_team: dict[str, set[str]] = {}
    for team_id, user_id in people:
        by_team.setdefault(team_id, set()).add(user_id)
    return {
        (team_id, user_id): code
        for team_id, user_ids in by_team.items()
        for user_id, code in languages_of(session, team_id=team_id, user_ids=user_ids).items()
    }


def group_language(session: Session, *, team_id: str, user_ids: list[str]) -> str:
    """The language of a group DM: the one its people share, else its main reader's (the
    first: the mentee of a pair)."""
    spoken = languages_of(session, team_id=team_id, user_ids=user_ids)
    shared = set(spoken.values())
    return shared.pop() if len(shared) == 1 else spoken[user_ids[0]]


@contextmanager
def speaking_to(session: Session, *, team_id: str, user_id: str) -> Iterator[None]:
    """Render what is inside in this person's language (read when first needed)."""
    with languages.speaking(lambda: language_of(session, team_id=team_id, user_id=user_id)):
        yield


@contextmanager
def speaking_to_group(session: Session, *, team_id: str, user_ids: list[str]) -> Iterator[None]:
    """Render what is inside in a group DM's language (`group_language`)."""
    with languages.speaking(lambda: group_language(session, team_id=team_id, user_ids=user_ids)):
        yield


def choose_language(member: Member, text: str) -> LanguageChoice:
    """Set the language a person reads (`es`, `de-DE`), or `slack` to follow Slack's locale
    again. BadInput for a language mentorbot does not speak; nothing is changed then."""
    wanted = text.strip()
    if wanted.lower() == SLACK_WORD:
        member.language = None
    else:
        code = languages.supported(wanted)
        if code is None:
            raise BadInput(
                "languages/unknown",
                wanted=wanted,
                spoken=languages.available(),
            )
        member.language = code
    return _choice(member.language, member.slack_locale)


@contextmanager
def speaking_to_pair(session: Session, pair: Pair) -> Iterator[None]:
    """Render what is inside in a pair's group DM's language: the mentee's, unless both
    share another."""
    with speaking_to_group(
        session, team_id=pair.team_id, user_ids=[pair.mentee_id, pair.mentor_id]
    ):
        yield


@contextmanager
def speaking_to_all() -> Iterator[None]:
    """Render what is inside for many readers (a channel post, words stored in place of
    deleted ones): in the workspace default."""
    with languages.speaking(languages.default()):
        yield
