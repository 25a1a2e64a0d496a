"""`/mentoring status [cohort]` and `/mentoring report [cohort]`: cohort health for
coordinators, as a message or as files (a CSV per cohort and a chart of weekly check-ins).

Without a cohort named, both cover every running cohort. Engagement only: no check-in text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.bot.rendering import render_text
from mentorbot.bot.reports import ReportData, report_data, report_files
from mentorbot.bot.services.feedback import MIN_GROUP
from mentorbot.bot.services.health import cohort_health, cohorts_for
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.deferred import after_response
from mentorbot.handlers.uploads import FileToShare, share_files

log = logging.getLogger(__name__)
# Pairs at risk listed per cohort in `/mentoring status` (the report lists every pair).
STATUS_RISKS_SHOWN = 15
# Cohorts in one report: two files each, and Slack shares up to 10 files in one message.
REPORT_COHORTS = 5


def status(request: MentoringRequest) -> None:
    """Cohort health as an ephemeral message: the named cohort, or every running one."""
    name = request.text.rest
    cohorts = cohorts_for(request.session, team_id=request.team_id, name=name)
    health = cohort_health(
        request.session, cohorts=cohorts, now=request.now, viewer=request.user_id
    )
    request.reply(
        render_text(
            "health/status.md.j2",
            health=health,
            named=bool(name),
            shown=STATUS_RISKS_SHOWN,
            now=request.now,
            zone=request.zone(),
            min_group=MIN_GROUP,
            retention_days=request.settings.retention_days,
        )
    )


def report(request: MentoringRequest) -> None:
    """Acknowledge at once; draw the files in the background and share them in the DM."""
    name = request.text.rest
    cohorts = cohorts_for(request.session, team_id=request.team_id, name=name)
    if not cohorts:
        request.reply(render_text("health/report_none.md.j2"))
        return
    chosen = cohorts[:REPORT_COHORTS]
    data = [
        report_data(request.session, cohort=cohort, now=request.now, viewer=request.user_id)
        for cohort in chosen
    ]
    comment = render_text(
        "health/report_shared.md.j2",
        names=[cohort.name for cohort in chosen],
        left_out=len(cohorts) - len(chosen),
        now=request.now,
        zone=request.zone(),
    )
    request.reply(render_text("health/report_started.md.j2", cohorts=chosen, named=bool(name)))
    client, respond, user_id = request.client, request.respond, request.user_id
    after_response(
        request.context,
        "prepare a report",
        lambda: _share_report(client, respond, user_id, data, comment),
    )


def _share_report(
    client: WebClient, respond: Respond, user_id: str, data: Sequence[ReportData], comment: str
) -> None:
    """Draw the files and share them in the coordinator's DM; say so if that fails."""
    try:
        files = [
            FileToShare(file.filename, file.content, file.title)
            for found in data
            for file in report_files(found)
        ]
        share_files(client, files, comment=comment, user_id=user_id)
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        log.warning("could not share a report with %s: %s", user_id, code)
        _tell(respond, render_text("health/report_failed.md.j2", error=code))
    except Exception:
        log.exception("a report for %s failed", user_id)
        _tell(respond, render_text("health/report_failed.md.j2", error=None))


def _tell(respond: Respond, text: str) -> None:
    try:
        respond(response_type="ephemeral", replace_original=False, text=text)
    except Exception:
        log.warning("could not tell a coordinator that their report failed", exc_info=True)
