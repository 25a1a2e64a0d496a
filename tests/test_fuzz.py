"""Fuzzing: whatever Slack-shaped input arrives, the bot answers well and keeps its data whole.

Hypothesis drives slash-command text (unicode, right-to-left and combining marks, emoji, NUL
and other control characters, Slack's mention, channel and link syntax, very long text),
modal submissions with fields missing, extra or of the wrong element type and odd
`private_metadata`, button presses with odd values, and events with keys removed, added or
of the wrong type. For every request, whoever sends it:

- the HTTP status is below 500 and the answer comes within Slack's 3 seconds;
- the answer is one Slack accepts (empty, or JSON with text/blocks or a response_action);
- nothing is "unexpected": no "something went wrong on our side" for what a person typed;
- a refusal (an error reply, a form error, a failed unit of work) changed no row at all;
- no reply pages a crowd: a typed `<!channel>` never comes back raw.

One bot (and database) serves each test; Hypothesis runs its examples against it, with a
fixed derandomized order and no example database, so CI sees the same inputs every run.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as tally
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import select, text

from mentorbot.app import MentorbotApp
from mentorbot.bot.models import Base, CheckIn, Goal, Pair
from mentorbot.handlers.commands.checkin_command import ROUTES as CHECKIN_ROUTES
from mentorbot.handlers.commands.mentoring_command import ROUTES as MENTORING_ROUTES
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.standin.signed_client import BotResponse
from tests.conftest import SIGNING_SECRET
from tests.payloads import strings_in
from tests.programme import ANA, BEN, CAT, CHANNEL, COORD, DAN, OUTSIDER, add_people, mention
from tests.programme import mentoring as run_mentoring
from tests.rhythm import agree, pair_ana_and_ben

SLACK_DEADLINE = 3.0  # seconds: Slack gives up on an acknowledgement after 3 s
# Examples per property: enough for CI in seconds; raise it for a longer soak, e.g.
# MENTORBOT_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py
EXAMPLES = int(os.environ.get("MENTORBOT_FUZZ_EXAMPLES") or 50)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# The first words of the replies rendered from `templates/errors/` (and the modal they use).
ERROR_STARTS = (
    ":thinking_face:",
    ":warning:",
    ":lock:",
    ":mag:",
    ":sweat_smile:",
    ":hourglass_flowing_sand:",
)
UNEXPECTED = "something went wrong on our side"
# What would page a crowd, were it shown unescaped.
CROWD = ("<!channel", "<!here", "<!everyone", "<!subteam")
# Keys whose strings Slack shows as typed, never as mrkdwn.
AS_TYPED = frozenset({"initial_value", "private_metadata", "errors", "token", "user", "value"})
PEOPLE = (COORD, ANA, BEN, OUTSIDER)


# -- the programme every test starts from ----------------------------------------------------


@dataclass
class Programme:
    """Ana mentors Ben (with an agreement), Cat mentors Dan; a check-in and a goal exist."""

    slack: SignedSlackClient
    runtime: Runtime
    standin: SlackStandin
    pair_id: int
    other_pair_id: int
    ids: list[str] = field(default_factory=list)


@pytest.fixture
def programme(slack: SignedSlackClient, runtime: Runtime, standin: SlackStandin) -> Programme:
    add_people(standin)
    today = datetime.now(UTC).date().isoformat()
    pair_ana_and_ben(slack, today)
    run_mentoring(slack, f"pair {mention(CAT)} {mention(DAN)}")
    with runtime.sessions() as session:
        pairs = {p.mentee_id: p.id for p in session.scalars(select(Pair))}
    agree(slack, pairs[BEN], weekday="2", at="16:00", cadence="weekly")
    assert slack.command("/checkin", "Met Ana, we set a plan", user_id=BEN).status == 200
    slack.command("/checkin", "goal Give a talk at the guild", user_id=BEN)
    with runtime.sessions() as session:
        assert session.scalar(select(CheckIn.id)) and session.scalar(select(Goal.id))
    ids = sorted({str(pairs[BEN]), str(pairs[DAN]), "1", "2", "3"})
    return Programme(slack, runtime, standin, pairs[BEN], pairs[DAN], ids)


# -- what each request must satisfy ------------------------------------------------------------


@dataclass
class Outcome:
    """One request's answer, how long it took, and whether its unit of work was rolled back."""

    response: BotResponse
    seconds: float
    failed: bool
    said: list[str]  # every text the bot sent Slack meanwhile (response_url, Web API calls)


class Recorder:
    """Records, for each dispatched request, whether the error handler marked it failed."""

    def __init__(self) -> None:
        self.failed: list[bool] = []


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    found = Recorder()
    original = MentorbotApp.dispatch

    def dispatch(self: MentorbotApp, req: BoltRequest) -> BoltResponse:
        try:
            return original(self, req)
        finally:
            found.failed.append(bool(req.context.get("failed")))

    monkeypatch.setattr(MentorbotApp, "dispatch", dispatch)
    return found


def snapshot(runtime: Runtime) -> dict[str, list[str]]:
    """Every row of every table, as text (the whole database, to compare before and after)."""
    found: dict[str, list[str]] = {}
    with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            found[table.name] = sorted(repr(tuple(row)) for row in rows)
    return found


def texts_in(value: Any, *, mrkdwn_only: bool = False) -> Iterator[str]:
    """Every string in a payload (JSON strings unpacked); with `mrkdwn_only`, only those Slack
    may render as mrkdwn (not plain_text objects, form errors or initial values)."""
    if not mrkdwn_only:
        return strings_in(value)
    return strings_in(value, skip_keys=AS_TYPED, skip_plain_text=True)


def sent_since(standin: SlackStandin, calls: int, responses: int) -> list[Any]:
    """What the bot sent to Slack after the given counts of calls and response_url posts."""
    payloads: list[Any] = [payload for _, payload in standin.responses[responses:]]
    return payloads + [call.args for call in standin.calls[calls:]]


def is_error(text: str) -> bool:
    return text.lstrip().startswith(ERROR_STARTS)


def check(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    send: Callable[[], BotResponse],
    *,
    refused: Callable[[Outcome], bool],
    unexpected_allowed: bool = False,
) -> Outcome:
    """Send one request and check what every request must satisfy; returns its outcome."""
    standin, runtime = programme.standin, programme.runtime
    caplog.clear()
    before = snapshot(runtime)
    calls, responses, dispatched = len(standin.calls), len(standin.responses), len(recorder.failed)
    started = time.perf_counter()
    response = send()
    seconds = time.perf_counter() - started
    failed = any(recorder.failed[dispatched:])
    sent = sent_since(standin, calls, responses)
    outcome = Outcome(response, seconds, failed, [line for p in sent for line in texts_in(p)])
    assert response.status < 500, response
    assert seconds < SLACK_DEADLINE, f"answered in {seconds:.2f} s"
    body = response.json() if response.body.strip() else {}
    assert isinstance(body, dict), response.body
    shown = list(texts_in(body)) + outcome.said
    for line in texts_in([body, *sent], mrkdwn_only=True):
        assert not any(crowd in line for crowd in CROWD), line
    if not unexpected_allowed:
        assert not any(UNEXPECTED in line for line in shown), shown
        logged = [
            r.getMessage()
            for r in caplog.records
            if r.levelno >= logging.ERROR and r.name.startswith("mentorbot")
        ]
        assert not logged, logged
    changed = snapshot(runtime) != before
    if failed or refused(outcome):
        assert not changed, "a refused request changed the database"
    if currently_in_test_context():
        tally("refused" if failed or refused(outcome) else "changed" if changed else "no change")
    assert not standin.violations, standin.violations
    return outcome


# -- 1. slash commands ---------------------------------------------------------------------------

SLACK_SYNTAX = st.sampled_from(
    [
        mention(ANA, "ana"),
        mention(BEN),
        f"<@{COORD}>",
        "<@U0NOBODY|ghost>",
        "<@W0ENTERPRISE>",
        "<@>",
        f"<#{CHANNEL}|mentoring-spring>",
        "<#C0NOWHERE>",
        "<#D0DIRECT|dm>",
        "<!channel>",
        "<!here|here>",
        "<!everyone>",
        "<!subteam^S0TEAM|@team>",
        "<http://evil.example|click>",
        "<https://evil.example/a?b=c&amp;d=e>",
        "<mailto:x@example.com|x>",
        "&lt;!channel&gt;",
        "&amp;",
        "&lt;",
        "<",
        ">",
        "|",
        "`",
        "```",
        "*bold*",
        "2027-03-11",
        "2027-02-30",
        "9999-12-31",
        "0001-01-01",
        "15:00",
        "25:61",
        "08:00-16:00",
        "mon-fri",
        "by",
        "until",
        "weeks",
        "cadence",
        "starts",
        "create",
        "add",
        "remove",
        "cohort",
        "Spring 2027",
        "-1",
        "0",
        "²",
        "٣",
        "99999999999999999999",
        "1e309",
        "NaN",
        '{"a": [1, {"b": null}]}',
        "\x00",
        "\x1b[31m",
        "\u202e\u05e9\u05dc\u05d5\u05dd",  # right-to-left override, Hebrew
        "مرحبا",
        "👩🏽\u200d💻",
        "e\u0301\u0301\u0301",
        "\ufeff",
        "\ue000",  # the private-use mark `quoted` uses
        "\r\n",
        "\t",
    ]
)
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # UTF-8 cannot carry surrogates
    max_size=40,
)
WORDS = st.lists(st.one_of(SLACK_SYNTAX, ANY_TEXT), max_size=8).map(" ".join)
LONG = st.tuples(st.one_of(SLACK_SYNTAX, ANY_TEXT.filter(bool)), st.integers(50, 2000)).map(
    lambda pair: (" ".join([pair[0]] * pair[1]))[:10_000]
)


def command_text(routes: list[str]) -> st.SearchStrategy[str]:
    """A subcommand (or none) followed by garbage, or garbage alone, or very long text."""
    word = st.sampled_from(routes)
    return st.one_of(
        st.tuples(word, WORDS).map(" ".join),
        st.tuples(word, st.sampled_from(routes), WORDS).map(" ".join),
        WORDS,
        st.tuples(word, LONG).map(" ".join),
    )


def command_refused(outcome: Outcome) -> bool:
    body = outcome.response.json() if outcome.response.body.strip() else {}
    return is_error(str(body.get("text") or ""))


def check_command(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    command: str,
    words: str,
    user: str,
) -> None:
    outcome = check(
        programme,
        recorder,
        caplog,
        lambda: programme.slack.command(command, words, user_id=user),
        refused=command_refused,
    )
    body = outcome.response.json() if outcome.response.body.strip() else {}
    if body:
        assert body.get("text") or body.get("blocks"), body
        assert body.get("response_type", "ephemeral") in ("ephemeral", "in_channel"), body


@FUZZ
@given(words=command_text(list(CHECKIN_ROUTES)), user=st.sampled_from(PEOPLE))
@example(words="goal \x00", user=BEN)
@example(words="<!channel> " * 1000, user=BEN)
def test_checkin_text(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    words: str,
    user: str,
) -> None:
    check_command(programme, recorder, caplog, "/checkin", words, user)


@FUZZ
@given(words=command_text(["help", *MENTORING_ROUTES]), user=st.sampled_from(PEOPLE))
@example(words="cohort create <!channel> <#C0SPRING|x>", user=COORD)
@example(words="pair <@U0ANA|ana> <!channel>", user=COORD)
def test_mentoring_text(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    words: str,
    user: str,
) -> None:
    check_command(programme, recorder, caplog, "/mentoring", words, user)


# -- 2. modal submissions --------------------------------------------------------------------------

TEXT_VALUE = st.one_of(SLACK_SYNTAX, ANY_TEXT, LONG)
OPTION_VALUE = st.one_of(
    st.sampled_from(
        [
            *("1", "3", "5", "weekly", "biweekly", "monthly", "video", "2", "now", "later"),
            *("share", "mentee", "mentor", "done", "dropped", "in_progress", "2_weeks", "keep"),
            "pick",
        ]
    ),
    SLACK_SYNTAX,
    ANY_TEXT,
)
DAY_VALUE = st.sampled_from(["2027-03-11", "2027-02-30", "1999-01-01", "9999-12-31", "", "x"])
TIME_VALUE = st.sampled_from(["09:30", "16:00", "24:00", "9:5", "", "noon", "23:59:59"])


def element() -> st.SearchStrategy[dict[str, Any]]:
    """The state of one input element, of any of Slack's element types."""
    return st.one_of(
        TEXT_VALUE.map(lambda v: {"type": "plain_text_input", "value": v}),
        OPTION_VALUE.map(lambda v: {"type": "static_select", "selected_option": {"value": v}}),
        OPTION_VALUE.map(lambda v: {"type": "radio_buttons", "selected_option": {"value": v}}),
        st.lists(OPTION_VALUE, max_size=3).map(
            lambda vs: {"type": "checkboxes", "selected_options": [{"value": v} for v in vs]}
        ),
        DAY_VALUE.map(lambda v: {"type": "datepicker", "selected_date": v}),
        TIME_VALUE.map(lambda v: {"type": "timepicker", "selected_time": v}),
        st.sampled_from(["4", "-1", "0", "1.5", "99999999999999999999", "x", ""]).map(
            lambda v: {"type": "number_input", "value": v}
        ),
        st.just({"type": "static_select", "selected_option": None}),
        st.just({"type": "plain_text_input", "value": None}),
        st.just({"type": "datepicker"}),
    )


# What each modal asks for (its blocks), as its template builds it.
CALLBACKS: dict[str, tuple[str, ...]] = {
    "agreement": (
        "cadence",
        "weekday",
        "time",
        "place",
        "expectations",
        "boundaries",
        "goal",
        "outside_hours_ok",
    ),
    "announce": ("cohort", "text", "when", "date", "time"),
    "checkin": ("pair", "rating", "went_well", "blockers", "next_steps", "goal", "share"),
    "goal": ("title", "measure", "due"),
    "pause": ("length",),
    "meeting_move": ("date", "time"),
    "feedback": ("pair", "trust", "communication", "usefulness", "comment"),
    "concern": ("pair", "text"),
    "concern_reply": ("reply",),
    "closing": ("goal_1", "goal_2", "gratitude", "keep"),
    "alumni_checkin": ("rating", "went_well"),
    "profile": ("role", "cohort", "areas", "goals", "capacity"),
    "no_such_modal": ("anything",),
}
METADATA = st.one_of(
    st.sampled_from(["", "0", "-1", "²", "٣", "99999999999999999999", "1e3", " 1", "pick"]),
    st.sampled_from(["{pair}", "{other}", "{pair}:midpoint", "{pair}:closing", "{pair}:junk"]),
    st.sampled_from(["1:", ":midpoint", "T0OTHER:1", "{pair}\n", "0{pair}"]),
    st.integers(0, 6).map(str),
    ANY_TEXT,
)
JUNK = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2))


@st.composite
def submissions(draw: st.DrawFn) -> tuple[str, dict[str, Any], str, bool]:
    """(callback_id, view.state.values, private_metadata, Slack-shaped?) for one submission."""
    callback = draw(st.sampled_from(sorted(CALLBACKS)))
    blocks = [b for b in CALLBACKS[callback] if draw(st.booleans())]  # a random subset
    blocks += draw(st.lists(st.sampled_from(["extra", "goal_x", "pair", "unknown"]), max_size=2))
    values: dict[str, Any] = {}
    for block in blocks:
        values[block] = {draw(st.sampled_from(["a", "input", block])): draw(element())}
    shaped = True
    if draw(st.integers(0, 9)) == 0:  # a structure Slack never sends: junk where state goes
        shaped = False
        if values:
            values[draw(st.sampled_from(sorted(values)))] = draw(JUNK)
        else:
            values["extra"] = draw(JUNK)
    return callback, values, draw(METADATA), shaped


def submission_refused(outcome: Outcome) -> bool:
    body = outcome.response.json() if outcome.response.body.strip() else {}
    if body.get("response_action") == "errors":
        return True
    title = ((body.get("view") or {}).get("title") or {}).get("text")
    return body.get("response_action") == "push" and title == "Sorry"


@FUZZ
@given(submitted=submissions(), user=st.sampled_from(PEOPLE))
def test_view_submissions(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    submitted: tuple[str, dict[str, Any], str, bool],
    user: str,
) -> None:
    callback, values, metadata, shaped = submitted
    metadata = metadata.replace("{pair}", str(programme.pair_id))
    metadata = metadata.replace("{other}", str(programme.other_pair_id))
    outcome = check(
        programme,
        recorder,
        caplog,
        lambda: programme.slack.view_submission(user, callback, values, metadata),
        refused=submission_refused,
        unexpected_allowed=not shaped,
    )
    body = outcome.response.json() if outcome.response.body.strip() else {}
    if body:
        action = body.get("response_action")
        assert action in ("errors", "update", "push", "clear"), body
        if action == "errors":
            assert isinstance(body.get("errors"), dict) and body["errors"], body
            assert all(isinstance(v, str) and v for v in body["errors"].values()), body
        if action in ("update", "push"):
            assert body["view"]["type"] == "modal", body


# -- 3. button presses -----------------------------------------------------------------------------

ACTIONS = (
    "agreement_open",
    "announcement_cancel",
    "win_share",
    "cohort_extend",
    "closing_open",
    "alumni_open",
    "alumni_stop",
    "feedback_open",
    "concern_open",
    "concern_reply",
    "concern_rematch",
    "concern_end",
    "health_nudge",
    "health_open",
    "profile_open",
    "match_row",
    "match_confirm",
    "match_discard",
    "own_data_delete",
    "own_data_cancel",
    "checkin_open",
    "checkin_undo",
    "goal_add_open",
    "goal_undo",
    "goal_change",
    "goal_done",
    "goal_drop",
    "pause_open",
    "pause_resume",
    "meeting_move_open",
    "no_such_button",
)
ACTION_VALUE = st.one_of(
    st.sampled_from(
        [
            *("", "²", "-1", "0", "1", "2", "3", "99999999999999999999", "1.0", " 1", "1e3"),
            *('{"id": 1}', "[1]", "null", "NaN", "drop:1:U0BEN", "swap:1:U0BEN:U0DAN"),
            *("confirm:1", "discard:x", "done:1", "drop:²", "dropped:1", "1:midpoint", ":"),
            *("U0ANA:1700000000", "U0OUT:nan", "U0OUT:inf", "U0OUT:1e309", "U0OUT:-1e20"),
        ]
    ),
    ANY_TEXT,
)
SURFACES = st.sampled_from(["message", "home", "modal", "none"])


def surface_of(kind: str) -> dict[str, Any]:
    if kind == "message":
        return {"message": {"ts": "1700000000.000100", "channel": "D0BEN", "blocks": []}}
    if kind in ("home", "modal"):
        return {"view": {"id": "V0FUZZ", "type": kind, "hash": "1.a", "blocks": []}}
    return {}


def action_refused(outcome: Outcome) -> bool:
    return any(is_error(line) for line in outcome.said)


@FUZZ
@given(
    action_id=st.sampled_from(ACTIONS),
    value=st.one_of(st.none(), ACTION_VALUE),
    option=st.one_of(st.none(), ACTION_VALUE),
    surface=SURFACES,
    user=st.sampled_from(PEOPLE),
)
@example(action_id="goal_change", value=None, option="done:²", surface="message", user=BEN)
@example(
    action_id="own_data_delete", value="U0OUT:1e309", option=None, surface="none", user=OUTSIDER
)
def test_block_actions(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    action_id: str,
    value: str | None,
    option: str | None,
    surface: str,
    user: str,
) -> None:
    extra: dict[str, Any] = {}
    if option is not None:
        extra = {"type": "static_select", "selected_option": {"value": option}}
    outcome = check(
        programme,
        recorder,
        caplog,
        lambda: programme.slack.block_action(
            user, action_id, value=value, action=extra, **surface_of(surface)
        ),
        refused=action_refused,
    )
    assert outcome.response.status == 200, outcome.response
    assert not outcome.response.body.strip(), outcome.response  # a button is acknowledged


# -- 4. events -----------------------------------------------------------------------------------

WRONG = st.one_of(
    st.none(),
    st.integers(-1, 10**20),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


def base_events(programme: Programme) -> dict[str, dict[str, Any]]:
    dm = programme.standin.dm_channel_for(BEN)
    return {
        "message": {
            "type": "message",
            "channel_type": "im",
            "channel": dm,
            "user": BEN,
            "text": "Met Ana &lt;!channel&gt; <!channel>",
            "ts": "1700000000.000200",
        },
        "file_share": {
            "type": "message",
            "subtype": "file_share",
            "channel_type": "im",
            "channel": dm,
            "user": COORD,
            "files": [{"id": "F0NOPE", "name": "pairs.csv", "filetype": "csv"}],
            "ts": "1700000000.000300",
        },
        "app_home_opened": {"type": "app_home_opened", "user": BEN, "channel": dm, "tab": "home"},
        "user_change": {
            "type": "user_change",
            "user": {
                "id": BEN,
                "team_id": "T0MENTOR",
                "name": "ben",
                "real_name": "Ben",
                "tz": "America/New_York",
                "deleted": False,
                "is_bot": False,
            },
        },
        "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": []}},
        "unknown": {"type": "reaction_added", "user": BEN, "reaction": "tada"},
    }


@st.composite
def mangled(draw: st.DrawFn, event: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The event with random keys removed, added or given a wrong type; and whether only keys
    were removed or added (as a newer or older Slack might send)."""
    mangled = dict(event)
    shaped = True
    for key in sorted(event):
        if key != "type" and draw(st.booleans()):
            del mangled[key]
    for key in draw(st.lists(st.sampled_from(["bot_id", "thread_ts", "subtype", "x"]), max_size=2)):
        mangled[key] = draw(st.sampled_from(["B0BOT", "1700000000.000100", "message_changed"]))
    if isinstance(mangled.get("user"), dict) and draw(st.booleans()):
        user = dict(mangled["user"])
        for key in sorted(user):
            if draw(st.booleans()):
                del user[key]
        if draw(st.booleans()):
            user["tz"] = draw(st.sampled_from(["Mars/Olympus", "", "UTC", "+05:00"]))
        mangled["user"] = user
    if draw(st.integers(0, 3)) == 0:
        shaped = False
        key = draw(st.sampled_from(sorted(event)))
        mangled[key] = draw(WRONG)
    return mangled, shaped


# Some events of the wrong shape stop Bolt before any listener: the web layer answers them.
@pytest.mark.over_http
@FUZZ
@given(data=st.data())
def test_events(
    programme: Programme,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    events = base_events(programme)
    kind = data.draw(st.sampled_from(sorted(events)), label="kind")
    event, shaped = data.draw(mangled(events[kind]), label="event")
    outcome = check(
        programme,
        recorder,
        caplog,
        lambda: programme.slack.event(event),
        refused=lambda outcome: False,
        unexpected_allowed=not shaped,
    )
    assert outcome.response.status == 200, outcome.response


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
def test_uninstall_events_with_missing_and_odd_keys(
    programme: Programme, recorder: Recorder, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    """Uninstalling stops everything, so it is tried last, in a few shapes, on its own bot."""
    shapes: list[dict[str, Any]] = [
        {"type": kind, "tokens": None},
        {"type": kind, "tokens": {"bot": "not-a-list", "oauth": None}},
        {"type": kind, "extra": [1, 2]},
        {"type": kind},
    ]
    for event in shapes:
        outcome = check(
            programme,
            recorder,
            caplog,
            lambda event=event: programme.slack.event(event),  # type: ignore[misc]
            refused=lambda outcome: False,
            unexpected_allowed=True,
        )
        assert outcome.response.status == 200, outcome.response
    with programme.runtime.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


# -- regressions the fuzzing found -----------------------------------------------------------------


@pytest.mark.over_http  # bytes that are not UTF-8 meet the web layer before Bolt
def test_an_event_bolt_cannot_take_apart_is_acknowledged_only_when_signed(
    programme: Programme, caplog: pytest.LogCaptureFixture
) -> None:
    """`"user": true` made Bolt's request parsing raise before any listener: a bare 500."""
    slack = programme.slack
    assert slack.event({"type": "app_home_opened", "user": True}).status == 200
    assert slack.event({"type": "user_change", "user": 7}).status == 200
    assert slack.event({"type": "app_home_opened", "user": True}, sign=False).status == 401
    body = b'{"type": "event_callback", "event": {"type": "message", "text": "\xff\xfe"}}'
    assert slack.raw(body, {"Content-Type": "application/json"}).status == 401
    stamp = str(int(time.time()))
    signature = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={signature.hexdigest()}",
    }
    assert slack.raw(body, headers).status == 401  # Slack sends UTF-8; these bytes never verify


def test_app_home_opened_without_its_user_is_ignored(
    programme: Programme, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """A KeyError on `event["user"]` was logged as an unexpected error."""
    for event in ({"type": "app_home_opened"}, {"type": "app_home_opened", "tab": "home"}):
        check(
            programme,
            recorder,
            caplog,
            lambda event=event: programme.slack.event(event),  # type: ignore[misc]
            refused=lambda outcome: False,
        )


def test_a_goal_typed_with_a_nul_is_kept_without_it(
    programme: Programme, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL refuses NUL in text: `/checkin goal Ship\\x00 it` was an unexpected error."""
    check(
        programme,
        recorder,
        caplog,
        lambda: programme.slack.command("/checkin", "goal Ship\x00 it", user_id=BEN),
        refused=command_refused,
    )
    with programme.runtime.sessions() as session:
        assert "Ship it" in session.scalars(select(Goal.title)).all()
