"""Feedback on the mentoring: `/checkin feedback` opens the survey any time; `/mentoring feedback
[cohort <name>]` shows what people said, aggregated."""

from __future__ import annotations

from mentorbot.bot.errors import Example
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.cohorts import find_cohort, list_cohorts
from mentorbot.bot.services.feedback import MIN_GROUP, cohort_feedback, pair_for_feedback
from mentorbot.handlers.commands.grammar import options
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.modals import open_modal
from mentorbot.handlers.views.feedback import survey_modal

EXAMPLE = Example("feedback/report")


def report(request: MentoringRequest) -> None:
    """Each cohort's closed survey rounds (results withheld below the anonymity threshold)
    and the round still open.

    Every running cohort by default; a cohort named may have ended.
    """
    found = options(request.text.tokens(), {"cohort": str}, example=EXAMPLE)
    if "cohort" in found:
        cohorts = [find_cohort(request.session, team_id=request.team_id, name=found["cohort"])]
    else:
        cohorts = list_cohorts(request.session, team_id=request.team_id, include_ended=False)
    report = cohort_feedback(request.session, cohorts=cohorts, now=request.now)
    request.reply(render_text("feedback/report.md.j2", cohorts=report, min_group=MIN_GROUP))


def open_survey(request: MentoringRequest) -> None:
    """`/checkin feedback`: the feedback survey, any time."""
    pair = pair_for_feedback(request.session, team_id=request.team_id, user_id=request.user_id)
    view = survey_modal(
        request.session, pair=pair, user_id=request.user_id, phase="anytime", now=request.now
    )
    request.ack()
    open_modal(request.context, request.client, request.trigger_id, view)
