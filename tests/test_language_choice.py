"""Which language a person reads: the one they chose (`/checkin language`), else their Slack
locale's (users.info with include_locale), else the workspace default
(`MENTORBOT_LANGUAGE`); group DMs, channel posts, dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot import languages
from mentorbot.bot.errors import BadInput
from mentorbot.bot.models import Member
from mentorbot.bot.rendering import plain, render_text, slack_date
from mentorbot.bot.services.languages import (
    choose_language,
    group_language,
    language_choice,
    language_of,
    languages_of,
)
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.factories import TEAM

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def member(session: Session, user_id: str, *, locale: str | None, chosen: str | None) -> Member:
    person = get_or_create_member(session, team_id=TEAM, user_id=user_id, now=NOW)
    person.slack_locale, person.language = locale, chosen
    session.flush()
    return person


def test_a_chosen_language_comes_first_then_slacks_then_the_workspaces(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        member(session, "U1", locale="es-ES", chosen="de")
        member(session, "U2", locale="es-MX", chosen=None)
        member(session, "U3", locale="fr-FR", chosen=None)
        member(session, "U4", locale=None, chosen=None)
        found = {
            user: language_choice(session, team_id=TEAM, user_id=user)
            for user in ("U1", "U2", "U3", "U4", "U5")
        }
        assert [(c.code, c.source) for c in found.values()] == [
            ("de", "chosen"),
            ("es", "slack"),  # a regional variant reads its language's catalogue
            ("en", "default"),  # no French catalogue: the workspace's
            ("en", "default"),
            ("en", "default"),  # someone never seen
        ]
        with languages.by_default("de"):
            assert language_of(session, team_id=TEAM, user_id="U3") == "de"
            assert languages_of(session, team_id=TEAM, user_ids=["U1", "U2", "U3", "U5"]) == {
                "U1": "de",
                "U2": "es",
                "U3": "de",
                "U5": "de",
            }


def test_a_group_dm_is_in_the_language_its_people_share_else_the_mentees(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        member(session, "UMENTEE", locale="es-ES", chosen=None)
        member(session, "UMENTOR", locale="en-GB", chosen=None)
        member(session, "UOTHER", locale=None, chosen="es")
        both = ["UMENTEE", "UMENTOR"]
        assert group_language(session, team_id=TEAM, user_ids=both) == "es"
        assert group_language(session, team_id=TEAM, user_ids=both[::-1]) == "en"
        assert group_language(session, team_id=TEAM, user_ids=["UMENTOR", "UOTHER"]) == "en"
        assert group_language(session, team_id=TEAM, user_ids=["UOTHER", "UMENTEE"]) == "es"


def test_choosing_a_language_it_does_not_speak_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        person = member(session, "U1", locale="es-ES", chosen="de")
        with pytest.raises(BadInput) as refused:
            choose_language(person, "klingon")
        assert person.language == "de"
        said = plain(refused.value.message())
        assert "`klingon` is not a language I speak yet" in said and "`es` (español)" in said
        assert choose_language(person, "DE-at").code == "de"
        back = choose_language(person, "slack")
        assert (person.language, back.code, back.source) == (None, "es", "slack")


def test_the_workspace_default_must_be_a_language_it_speaks(
    standin: SlackStandin, database_url: str
) -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s"}
    assert Settings.from_env({**base, "MENTORBOT_LANGUAGE": "es-ES"}).language == "es"
    assert Settings.from_env(base).language == "en"
    with pytest.raises(SettingsError, match=r"MENTORBOT_LANGUAGE must be a language .* not 'xx'"):
        Settings.from_env({**base, "MENTORBOT_LANGUAGE": "xx"})


def test_dates_and_times_are_written_in_the_readers_language() -> None:
    moment = datetime(2027, 3, 1, 17, 30, tzinfo=UTC)
    written = {}
    for code in ("en", "es", "de"):
        with languages.speaking(code):
            written[code] = (
                languages.format_day(date(2027, 3, 1), "weekday_long"),
                slack_date(moment),
            )
    assert written["en"][0] == "Monday 1 March 2027"
    assert "lunes" in written["es"][0] and "marzo" in written["es"][0]
    assert "Montag" in written["de"][0] and "März" in written["de"][0]
    # Slack writes the date in the reader's zone; the words around its tokens are theirs.
    stamp = int(moment.timestamp())
    assert written["en"][1] == (
        f"<!date^{stamp}^{{date_long_pretty}} at {{time}}|Monday 1 March 2027 at 17:30 UTC>"
    )
    assert "{date_long_pretty}" in written["de"][1] and " at " not in written["de"][1]


@pytest.mark.usefixtures("people")
def test_checkin_language_shows_sets_and_refuses_politely(
    slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime
) -> None:
    from tests.programme import BEN

    shown = slack.command("/checkin", "language", user_id=BEN).json()["text"]
    assert "I write to you in English" in shown and "`/checkin language de`" in shown
    chosen = slack.command("/checkin", "language es", user_id=BEN).json()["text"]
    assert "español" in chosen and "I write to you" not in chosen
    # From now on Ben reads Spanish, his help included.
    helped = slack.command("/checkin", "help", user_id=BEN).json()["text"]
    assert helped != render_text("help/checkin.md.j2")
    refused = slack.command("/checkin", "language xx", user_id=BEN).json()
    assert refused["response_type"] == "ephemeral" and "`xx`" in refused["text"]
    with runtime.sessions() as session:
        assert session.scalar(select(Member.language).where(Member.user_id == BEN)) == "es"
    back = slack.command("/checkin", "language slack", user_id=BEN).json()["text"]
    assert "Slack" in back and "English" in back
    # Other words after `language` are a check-in (Ben has no pair to check in on yet).
    said = slack.command("/checkin", "language exchange went well", user_id=BEN).json()["text"]
    assert "nothing to check in on" in said
    with runtime.sessions() as session:
        assert session.scalar(select(Member.language).where(Member.user_id == BEN)) is None


@pytest.mark.usefixtures("people")
def test_the_slack_locale_is_asked_for_and_kept(
    slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime
) -> None:
    from tests.programme import ANA, BEN, mention, mentoring

    assert standin.user(ANA) is not None and standin.user(BEN) is not None
    standin.user(BEN).locale = "es-ES"  # type: ignore[union-attr]
    mentoring(slack, "cohort create Spring 2027 <#C0SPRING|mentoring-spring> starts 2027-03-01")
    mentoring(slack, f"pair {mention(ANA)} {mention(BEN)}")
    asked = [call.args for call in standin.calls_to("users.info")]
    assert asked and all(str(args.get("include_locale")) in ("1", "true") for args in asked)
    with runtime.sessions() as session:
        locales = dict(session.execute(select(Member.user_id, Member.slack_locale)).all())
    assert locales[BEN] == "es-ES" and locales[ANA] == "en-US"


@pytest.mark.usefixtures("people")
def test_a_decision_shown_to_several_coordinators_reads_in_each_ones_language(
    slack: SignedSlackClient, standin: SlackStandin, runtime: Runtime
) -> None:
    """Cat reads Spanish, Priya English: each one's copy of a concern, and of who handled
    it once Priya replied, is in their own language."""
    from freezegun import freeze_time

    from tests.programme import BEN, CAT, COORD, mention
    from tests.rhythm import form, opened, pair_ana_and_ben
    from tests.test_concerns import START, concern_dm, deliver, pair_of, press, raise_one
    from tests.test_language_scenario import language_of_text

    with freeze_time(START, tick=True) as clock:
        pair_ana_and_ben(slack, "2027-03-01")
        slack.command("/mentoring", f"coordinator add {mention(CAT)}", user_id=COORD)
        slack.command("/checkin", "language es", user_id=CAT)
        raise_one(slack, standin, BEN, "I am worried", str(pair_of(runtime.sessions, BEN).id))
        deliver(runtime, clock, START)
        assert language_of_text(json.dumps(concern_dm(standin, CAT))) == "es"
        assert language_of_text(json.dumps(concern_dm(standin, COORD))) == "en"

        press(slack, standin, COORD, "concern_reply", concern_dm(standin, COORD))
        metadata = opened(standin)["private_metadata"]
        slack.view_submission(COORD, "concern_reply", form(reply="Let us talk"), metadata)
    updated = {c.args["channel"]: c.args for c in standin.calls_to("chat.update")}
    cats, priyas = (updated[standin.dm_channel_for(user)] for user in (CAT, COORD))
    assert language_of_text(json.dumps(cats, ensure_ascii=False)) == "es"
    assert language_of_text(json.dumps(priyas, ensure_ascii=False)) == "en"


def test_numbers_are_written_in_the_readers_language() -> None:
    said = {}
    for code in ("en", "de"):
        with languages.speaking(code):
            said[code] = render_text(
                "imports/too_large.md.j2", filename="pairs.csv", size=2_345_678, limit=2_000_000
            )
    assert "is 2.3 MB" in said["en"] and "2,3 MB" in said["de"]
