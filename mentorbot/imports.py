"""A CSV import from start to end: read, look people up in Slack, pair all or nobody.

Shared by `mentorbot import-pairs` and `/mentoring import`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TextIO

from tqdm import tqdm

from mentorbot.bot import languages
from mentorbot.bot.db import unit_of_work
from mentorbot.bot.errors import MentorbotError
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.cohorts import default_cohort
from mentorbot.bot.services.imports import identities, import_pairs, read_rows
from mentorbot.bot.services.members import remember_profiles
from mentorbot.bot.timeutil import utcnow
from mentorbot.directory import look_up
from mentorbot.runtime import Runtime

_MENTION = re.compile(r"<@([A-Z0-9]+)>")
_EMOJI = re.compile(r"^:[a-z0-9_+-]+: ", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    """The import's result in words: mrkdwn for Slack, plain for a terminal."""

    ok: bool
    mrkdwn: str

    @property
    def text(self) -> str:
        """The words without Slack markup."""
        plain = _MENTION.sub(r"@\1", _EMOJI.sub("", self.mrkdwn))
        plain = plain.replace("*", "").replace("`", "")
        return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_csv(shared: dict[str, Any]) -> bool:
    """Whether a file shared in Slack (as a message or files.info shows it) is a CSV."""
    name = str(shared.get("name") or "").lower()
    return shared.get("filetype") == "csv" or name.endswith(".csv")


def import_file(
    runtime: Runtime,
    data: bytes,
    *,
    cohort_name: str | None,
    dry_run: bool,
    team_id: str | None = None,
    progress: TextIO | None = None,
) -> Outcome:
    """Import `data` into the cohort; a problem with the file or a row is an Outcome too.
    The kickoffs it queues are in each pair's language, else the workspace's."""
    with languages.by_default(runtime.settings.language):
        return _import_file(runtime, data, cohort_name, dry_run, team_id, progress)


def _import_file(
    runtime: Runtime,
    data: bytes,
    cohort_name: str | None,
    dry_run: bool,
    team_id: str | None,
    progress: TextIO | None,
) -> Outcome:
    team = team_id or runtime.team_id or ""
    try:
        rows, problems = read_rows(data)
        with unit_of_work(runtime.sessions) as session:
            cohort = default_cohort(session, team_id=team, name=cohort_name)
            cohort_id = cohort.id
        values = identities(rows)
        with tqdm(
            total=len(values),
            desc="looking people up in Slack",
            unit="person",
            file=progress,
            disable=progress is None or not values,
            leave=False,
        ) as bar:
            client = runtime.for_team(team)
            if client is None:
                return Outcome(False, render_text("imports/not_installed.md.j2", team_id=team))
            found = look_up(client, values, team_id=team, progress=lambda: bar.update(1))
        with unit_of_work(runtime.sessions) as session:
            now = utcnow()
            remember_profiles(session, team_id=team, profiles=found.profiles, now=now)
            cohort = default_cohort(session, team_id=team, name=cohort_name)
            assert cohort.id == cohort_id
            report = import_pairs(
                session,
                cohort=cohort,
                rows=rows,
                problems=problems,
                people=found.people,
                dry_run=dry_run,
                now=now,
            )
            words = render_text("imports/report.md.j2", report=report, cohort=cohort)
    except MentorbotError as error:
        return Outcome(False, error.text())
    return Outcome(report.ok, words)
