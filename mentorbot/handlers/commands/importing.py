"""`/mentoring import`: pair people from the CSV file the coordinator shared in their DM."""

from __future__ import annotations

import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient

from mentorbot.bot.errors import BadInput
from mentorbot.bot.rendering import render_text
from mentorbot.bot.settings import Settings
from mentorbot.handlers.commands.grammar import options
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.deferred import after_response
from mentorbot.importing import import_file
from mentorbot.runtime import Runtime

log = logging.getLogger(__name__)
EXAMPLE = "/mentoring import cohort Spring 2027 dry-run"
DRY_RUN = ("dry-run", "--dry-run", "dryrun")
# How far back in the DM to look for the file.
HISTORY_LIMIT = 50
MAX_DOWNLOAD = 1_000_000


def import_pairs(request: MentoringRequest) -> None:
    """Acknowledge at once; read and import the file in the background, then report in the DM."""
    tokens = request.text.tokens()
    dry_run = bool(tokens) and tokens[-1].lower() in DRY_RUN
    if dry_run:
        tokens = tokens[:-1]
    found = options(tokens, {"cohort": str}, example=EXAMPLE)
    runtime: Runtime = request.context["runtime"]
    user_id, team_id, cohort = request.user_id, request.team_id, found.get("cohort")
    request.reply(render_text("importing/started.md.j2", dry_run=dry_run))
    after_response(
        request.context,
        "import a CSV",
        lambda: _import_in_background(runtime, team_id, user_id, cohort, dry_run),
    )


def _import_in_background(
    runtime: Runtime, team_id: str, user_id: str, cohort: str | None, dry_run: bool
) -> None:
    """Find the newest CSV the person shared with the bot, import it, report in the DM."""
    client = runtime.for_team(team_id)
    if client is None:
        log.warning("workspace %s has no token; the import for %s stops", team_id, user_id)
        return
    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    except Exception:
        log.exception("could not open the DM with %s for an import", user_id)
        return
    try:
        shared = _newest_csv(client, channel, user_id)
        if shared is None:
            text = render_text("importing/no_file.md.j2")
        else:
            data = _download(runtime.settings, client.token or "", shared)
            outcome = import_file(
                runtime, data, cohort_name=cohort, dry_run=dry_run, team_id=team_id
            )
            text = render_text(
                "importing/in_slack.md.j2",
                filename=shared.get("name") or "",
                outcome=outcome.mrkdwn,
            )
    except BadInput as problem:
        text = render_text(problem.template, **problem.context)
    except Exception:
        log.exception("a CSV import for %s failed", user_id)
        text = render_text("errors/unexpected.md.j2", reference="import")
    client.chat_postMessage(channel=channel, text=text)


def _newest_csv(client: WebClient, channel: str, user_id: str) -> dict[str, Any] | None:
    """The newest CSV file the person shared in this DM, if any."""
    page = client.conversations_history(channel=channel, limit=HISTORY_LIMIT)
    for message in page.get("messages") or []:
        if message.get("user") != user_id:
            continue
        for shared in message.get("files") or []:
            name = str(shared.get("name") or "").lower()
            if shared.get("filetype") == "csv" or name.endswith(".csv"):
                return dict(shared)
    return None


def _download(settings: Settings, token: str, shared: dict[str, Any]) -> bytes:
    """The file's bytes, fetched with the bot token from Slack's own file host only."""
    url = str(shared.get("url_private_download") or shared.get("url_private") or "")
    host = urlsplit(url).hostname or ""
    allowed = {"files.slack.com", urlsplit(settings.slack_api_url or "").hostname}
    if urlsplit(url).scheme not in ("https", "http") or host not in allowed:
        raise BadInput("I can't download that file from Slack; share it again as a CSV upload.")
    if int(shared.get("size") or 0) > MAX_DOWNLOAD:
        raise BadInput("the file is over 1 MB; split it into smaller ones.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        data: bytes = response.read(MAX_DOWNLOAD + 1)
        kind = response.headers.get("Content-Type", "")
    if kind.startswith("text/html"):
        raise BadInput("Slack would not hand me the file; check that mentorbot has `files:read`.")
    return data
