"""`/mentoring import`: pair people from the CSV file the coordinator shared in their DM."""

from __future__ import annotations

import logging
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.bot.errors import BadInput, Example
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.imports import MAX_BYTES
from mentorbot.bot.settings import Settings
from mentorbot.handlers.commands.grammar import options
from mentorbot.handlers.commands.request import MentoringRequest
from mentorbot.handlers.deferred import after_response
from mentorbot.imports import import_file, is_csv
from mentorbot.runtime import Runtime

log = logging.getLogger(__name__)
EXAMPLE = Example("imports/import_pairs")
DRY_RUN = ("dry-run", "--dry-run", "dryrun")
# How far back in the DM to look for the file.
HISTORY_LIMIT = 50
MAX_DOWNLOAD = MAX_BYTES
# What files.info answers for a file deleted since it was shared.
GONE = ("file_deleted", "file_not_found")


def import_pairs(request: MentoringRequest) -> None:
    """Acknowledge at once; read and import the file in the background, then report in the DM."""
    tokens = request.text.tokens()
    dry_run = bool(tokens) and tokens[-1].lower() in DRY_RUN
    if dry_run:
        tokens = tokens[:-1]
    found = options(tokens, {"cohort": str}, example=EXAMPLE)
    runtime: Runtime = request.context["runtime"]
    asked = Asked(request.team_id, request.user_id, found.get("cohort"), dry_run)
    request.reply(render_text("imports/started.md.j2", dry_run=dry_run))
    after_response(request.context, "import a CSV", lambda: _import_in_background(runtime, asked))


@dataclass(frozen=True)
class Asked:
    """Who asked for an import, in which workspace, into which cohort, for real or not."""

    team_id: str
    user_id: str
    cohort: str | None
    dry_run: bool


def _import_in_background(runtime: Runtime, asked: Asked) -> None:
    """Find the newest file the person shared with the bot, import it, report in the DM."""
    team_id, user_id = asked.team_id, asked.user_id
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
        text = _import_newest_file(runtime, client, channel, asked)
    except BadInput as problem:
        text = problem.text()
    except Exception:
        log.exception("a CSV import for %s failed", user_id)
        text = render_text("errors/unexpected.md.j2", reference="import")
    client.chat_postMessage(channel=channel, text=text)


def _import_newest_file(runtime: Runtime, client: WebClient, channel: str, asked: Asked) -> str:
    """Import the newest file the person shared in this DM; what to tell them.

    Slack's own record of the file (files.info) decides: a message keeps only a tombstone of
    a file deleted since, and the file's type and size are checked before any download.
    """
    newest = _newest_file(client, channel, asked.user_id)
    if newest is None:
        return render_text("imports/no_file.md.j2")
    try:
        shared = dict(client.files_info(file=str(newest["id"]))["file"])
    except SlackApiError as error:
        if error.response.get("error") not in GONE:
            raise
        return render_text("imports/file_gone.md.j2")
    filename = str(shared.get("name") or "")
    if not is_csv(shared):
        kind = str(shared.get("pretty_type") or shared.get("filetype") or "")
        return render_text("imports/not_csv.md.j2", filename=filename, kind=kind)
    size = int(shared.get("size") or 0)
    if size > MAX_DOWNLOAD:
        return render_text(
            "imports/too_large.md.j2", filename=filename, size=size, limit=MAX_DOWNLOAD
        )
    data = _download(runtime.settings, client.token or "", shared)
    outcome = import_file(
        runtime, data, cohort_name=asked.cohort, dry_run=asked.dry_run, team_id=asked.team_id
    )
    return render_text("imports/in_slack.md.j2", filename=filename, outcome=outcome.mrkdwn)


def _newest_file(client: WebClient, channel: str, user_id: str) -> dict[str, Any] | None:
    """The newest file the person shared in this DM (as the message shows it), if any."""
    page = client.conversations_history(channel=channel, limit=HISTORY_LIMIT)
    for message in page.get("messages") or []:
        files = message.get("files") or []
        if message.get("user") == user_id and files and files[0].get("id"):
            return dict(files[0])
    return None


def _download(settings: Settings, token: str, shared: dict[str, Any]) -> bytes:
    """The file's bytes, fetched with the bot token from Slack's own file host only."""
    url = str(shared.get("url_private_download") or shared.get("url_private") or "")
    host = urlsplit(url).hostname or ""
    allowed = {"files.slack.com", urlsplit(settings.slack_api_url or "").hostname}
    if urlsplit(url).scheme not in ("https", "http") or host not in allowed:
        raise BadInput("imports/not_from_slack")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        data: bytes = response.read(MAX_DOWNLOAD + 1)
        kind = response.headers.get("Content-Type", "")
    if kind.startswith("text/html"):
        raise BadInput("imports/refused")
    return data
