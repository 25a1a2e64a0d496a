"""`/mentoring cohort create|list|show|extend|end`: the runs of the programme."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services.cohort_show import cohort_show
from mentorbot.bot.services.cohorts import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    cadence_named,
    create_cohort,
    extend_cohort,
    find_cohort,
    list_cohorts,
    self_serve_named,
    set_self_serve,
    summarize,
)
from mentorbot.bot.services.languages import speaking_to_all
from mentorbot.bot.services.pairs import end_cohort
from mentorbot.handlers.commands.grammar import a_date, channel, options, whole_number
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.deferred import defer

log = logging.getLogger(__name__)
CREATE = Example("cohorts/create")
EXTEND = Example("cohorts/extend")
# Errors that mean "mentorbot cannot post there": the coordinator can fix them by inviting it.
CANNOT_POST = ("not_in_channel", "channel_not_found", "is_archived")


def cohort(request: MentoringRequest) -> None:
    """Route `cohort <action> …`."""
    action = request.text.next()
    routes = {
        "create": create,
        "list": list_all,
        "show": show,
        "extend": extend,
        "end": end,
        "self-serve": self_serve,
    }
    if action.word not in routes:
        raise BadInput("cohorts/no_action", example=CREATE)
    routes[action.word](request)


def create(request: MentoringRequest) -> None:
    """Create a cohort, then greet its channel (and say so if mentorbot is not in it)."""
    tokens = request.text.next().tokens()
    at = next((i for i, t in enumerate(tokens) if t.startswith(("<#", "#"))), None)
    if at is None:
        raise BadInput("cohorts/no_channel", example=CREATE)
    if at == 0:
        raise BadInput("cohorts/name_first", example=CREATE)
    channel_id = channel(tokens[at], example=CREATE)
    found = options(
        tokens[at + 1 :],
        {
            "starts": lambda v: a_date(v, example=Example("cohorts/starts")),
            "weeks": lambda v: whole_number(
                v,
                example=Example("cohorts/weeks", weeks=DEFAULT_WEEKS),
                low=1,
                high=MAX_WEEKS,
                what="weeks",
            ),
            "cadence": cadence_named,
            "self-serve": self_serve_named,
        },
        example=CREATE,
    )
    created = create_cohort(
        request.session,
        team_id=request.team_id,
        name=" ".join(tokens[:at]),
        channel_id=channel_id,
        starts_on=found.get("starts") or request.today(),
        weeks=found.get("weeks", DEFAULT_WEEKS),
        cadence=found.get("cadence", "biweekly"),
        created_by=request.user_id,
        now=request.now,
        self_serve=found.get("self-serve", "off"),
    )
    [summary] = summarize(request.session, [created], request.today())
    request.reply(render_text("cohorts/created.md.j2", summary=summary))
    with speaking_to_all():  # (a channel's, read by all its members)
        welcome = render_json("cohorts/welcome.json.j2", cohort=created)
    client, respond = request.client, request.respond

    def greet_channel() -> None:
        try:
            client.chat_postMessage(channel=channel_id, **welcome)
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code not in CANNOT_POST:
                raise
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=render_text(
                    "cohorts/invite_me.md.j2", channel_id=channel_id, error=code, cohort=created
                ),
            )

    defer(request.context, "greet a new cohort's channel", greet_channel)


def self_serve(request: MentoringRequest) -> None:
    """`cohort self-serve <name> open|approval|off`: how its mentees find a mentor."""
    tokens = request.text.next().tokens()
    if len(tokens) < 2:
        raise BadInput("cohorts/self_serve_which", example=Example("cohorts/self_serve"))
    mode = self_serve_named(tokens[-1])
    found = find_cohort(request.session, team_id=request.team_id, name=" ".join(tokens[:-1]))
    set_self_serve(found, mode)
    request.reply(render_text("cohorts/self_serve.md.j2", cohort=found))


def list_all(request: MentoringRequest) -> None:
    """List cohorts, newest first, with their counts."""
    cohorts = list_cohorts(request.session, team_id=request.team_id)
    summaries = summarize(request.session, cohorts, request.today())
    request.reply(render_text("cohorts/list.md.j2", summaries=summaries))


def show(request: MentoringRequest) -> None:
    """One cohort: its calendar and its pairs' first page (engagement, never content)."""
    name = request.text.next().rest
    if not name:
        raise BadInput("cohorts/show_which", example=Example("cohorts/show"))
    found = find_cohort(request.session, team_id=request.team_id, name=name)
    message = cohort_show(
        request.session,
        cohort=found,
        page=0,
        viewer=request.user_id,
        today=request.today(),
        now=request.now,
        zone=request.zone(),
    )
    request.ack(response_type="ephemeral", **message)


def extend(request: MentoringRequest) -> None:
    """Give a cohort more weeks: `cohort extend <name> weeks N`."""
    tokens = request.text.next().tokens()
    at = max((i for i, token in enumerate(tokens) if token.lower() == "weeks"), default=None)
    if not tokens or at == 0:
        raise BadInput("cohorts/extend_which", example=EXTEND)
    if at is None:
        raise BadInput("cohorts/extend_by", example=EXTEND)
    value = " ".join(tokens[at + 1 :])
    if not value:
        raise BadInput("cohorts/no_weeks", example=EXTEND)
    weeks = whole_number(value, example=EXTEND, low=1, high=MAX_WEEKS, what="weeks")
    found = find_cohort(request.session, team_id=request.team_id, name=" ".join(tokens[:at]))
    extend_cohort(request.session, cohort=found, weeks=weeks, now=request.now)
    [summary] = summarize(request.session, [found], request.today())
    request.reply(render_text("phases/extended.md.j2", summary=summary, weeks=weeks))


def end(request: MentoringRequest) -> None:
    """End a cohort: pairs end gracefully, pending announcements are cancelled."""
    name = request.text.next().rest
    if not name:
        raise BadInput("cohorts/end_which", example=Example("cohorts/end"))
    found = find_cohort(request.session, team_id=request.team_id, name=name)
    ended = end_cohort(request.session, cohort=found, now=request.now)
    request.reply(render_text("cohorts/ended.md.j2", cohort=found, pairs=ended))
