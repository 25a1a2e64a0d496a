"""A Spanish-speaking mentee and an English-speaking mentor through a whole programme, each
reading their own language: kickoff, agreement, check-in, meeting prompts, celebration,
closing. The mentee's Slack locale is `es-ES`; nothing else says Spanish."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from freezegun import freeze_time

from mentorbot.bot import languages
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from tests.programme import COORD, mention, mentoring, words_of
from tests.rhythm import agree_as, chosen, form, opened, run_until, sent
from tests.scripts import load_script

MENTEE, MENTOR = "U0DIEGO", "U0MAYA"
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
START = datetime(2027, 2, 24, 12, tzinfo=UTC)  # the Wednesday before Spring starts
CREATE = "cohort create Spring 2027 <#C0SPRING|mentoring-spring> starts 2027-03-01 weeks 4"


@cache
def vocabulary() -> dict[str, set[str]]:
    """The words only one language's messages use (of four letters or more)."""
    script = load_script("languages")
    words: dict[str, set[str]] = {"en": set()}
    for message in script.extracted():
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            words["en"] |= _words(text)
    for code in ("es", "de"):
        words[code] = set()
        for message in script.read(script.LOCALE / code / "LC_MESSAGES" / "messages.po"):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                words[code] |= _words(text)
    return {
        code: found - set().union(*(other for key, other in words.items() if key != code))
        for code, found in words.items()
    }


def _words(text: str) -> set[str]:
    text = re.sub(r"%\([a-z_]+\)[sd]|<[^>]*>|`[^`]*`|:[a-z0-9_+-]+:", " ", text)
    return {word.lower() for word in re.findall(r"[^\W\d_]{4,}", text)}


def language_of_text(text: str) -> str:
    """The language whose own words the text uses most."""
    seen = Counter(
        code for word in _words(text) for code, only in vocabulary().items() if word in only
    )
    assert seen, f"no words of any language in {text[:200]!r}"
    return seen.most_common(1)[0][0]


def reads(text: str, code: str) -> None:
    assert language_of_text(text) == code, f"not {code}: {text[:400]}"


@pytest.fixture
def people(standin: SlackStandin) -> None:
    standin.add_user(COORD, "priya", tz="Europe/London")
    standin.add_user(MENTEE, "diego", tz="Europe/Madrid", locale="es-ES")
    standin.add_user(MENTOR, "maya", tz="Europe/London", locale="en-GB")
    standin.add_channel("C0SPRING", "mentoring-spring", members=[COORD, MENTEE, MENTOR])


@pytest.mark.usefixtures("people")
def test_a_spanish_mentee_and_an_english_mentor_each_read_their_own_language(
    slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin
) -> None:
    with freeze_time(START, tick=True) as clock:
        assert "is set up" in mentoring(slack, CREATE)
        mentoring(slack, f"pair {mention(MENTOR)} {mention(MENTEE)}")
        moment = run_until(runtime, clock, START, START + HOUR, HOUR)
        [kickoff] = sent(runtime.sessions, "kickoff")
        assert kickoff.to == f"{MENTEE},{MENTOR}"
        reads(kickoff.text, "es")  # the pair's group DM: the mentee's language

        pair_id = int(re.search(r'"value": "(\d+)"', kickoff.text).group(1))  # type: ignore[union-attr]
        # The agreement: Diego's modal is Spanish, and so is the note to them both.
        slack.block_action(MENTEE, "agreement_open", value=str(pair_id))
        reads(json.dumps(opened(standin)), "es")
        agree_as(slack, MENTEE, pair_id, weekday="1", at="11:00", cadence="weekly")
        moment = run_until(runtime, clock, moment, moment + HOUR, HOUR)
        [agreement] = sent(runtime.sessions, "agreement")
        reads(agreement.text, "es")
        # Maya sees it in English: `/checkin agreement` opens the agreement for her.
        slack.command("/checkin", "agreement", user_id=MENTOR)
        reads(json.dumps(opened(standin)), "en")

        # Each one's own replies in their own language.
        reads(slack.command("/checkin", "help", user_id=MENTEE).json()["text"], "es")
        reads(slack.command("/checkin", "help", user_id=MENTOR).json()["text"], "en")

        # The first meeting (Tuesday 2 March, 11:00 in Madrid): prompts the day before.
        moment = run_until(runtime, clock, moment, datetime(2027, 3, 2, 9, tzinfo=UTC), HOUR)
        [prompt] = sent(runtime.sessions, "prompt")
        [prep] = sent(runtime.sessions, "prep")
        assert (prompt.to, prep.to) == (MENTOR, MENTEE)
        reads(prompt.text, "en")
        reads(prep.text, "es")

        # Diego checks in after it, in the modal, in Spanish; the first check-in is celebrated.
        moment = run_until(runtime, clock, moment, datetime(2027, 3, 2, 13, tzinfo=UTC), HOUR)
        slack.command("/checkin", "", user_id=MENTEE)
        reads(json.dumps(opened(standin)), "es")
        values = form(rating=chosen("4"), went_well="Hablamos de mi plan de carrera")
        answer = slack.view_submission(MENTEE, "checkin", values, str(pair_id)).json()
        reads(words_of(answer.get("view") or {}) or json.dumps(answer), "es")
        moment = run_until(runtime, clock, moment, moment + 6 * HOUR, HOUR)
        celebrations = sent(runtime.sessions, "celebrate")
        assert celebrations
        reads(celebrations[0].text, "es")

        # The closing flow: to each, in their own language.
        run_until(runtime, clock, moment, datetime(2027, 3, 29, 12, tzinfo=UTC), 6 * HOUR)
    closing = {message.to: message for message in sent(runtime.sessions, "closing")}
    reads(closing[MENTEE].text, "es")
    reads(closing[MENTOR].text, "en")
    # Dates are the reader's too: Diego's prep names the day in Spanish.
    with languages.speaking("es"):
        tuesday = languages.format_day(datetime(2027, 3, 2, tzinfo=UTC), "weekday")
    assert tuesday in prep.text or "<!date^" in prep.text
