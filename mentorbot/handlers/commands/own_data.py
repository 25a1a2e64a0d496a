"""`/checkin my-data` and `/checkin delete-my-data`: a person's own data, to take or to delete."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.bot.rendering import render_json, render_text
from mentorbot.bot.services import own_data
from mentorbot.handlers.commands.request import MentoringRequest as Request
from mentorbot.handlers.deferred import after_response
from mentorbot.handlers.uploads import FileToShare, share_files


def my_data(request: Request) -> None:
    """`/checkin my-data`: a JSON file of everything stored about the person, in their DM."""
    data = own_data.export(
        request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
    )
    file = FileToShare(
        filename=f"mentorbot-my-data-{request.now:%Y-%m-%d}.json",
        content=json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"),
        title=render_text("own_data/file_title.txt.j2"),
    )
    comment = render_text("own_data/file_comment.md.j2", now=request.now)
    request.reply(render_text("own_data/sending.md.j2"))
    client, respond, user_id = request.client, request.respond, request.user_id
    after_response(
        request.context,
        "send a person their data",
        lambda: _send(client, respond, file, comment=comment, user_id=user_id),
    )


def _send(
    client: WebClient, respond: Respond, file: FileToShare, *, comment: str, user_id: str
) -> Any:
    """Share the file in the person's DM; if Slack refuses, say so to them."""
    try:
        return share_files(client, [file], comment=comment, user_id=user_id)
    except (SlackApiError, OSError):
        text = render_text("own_data/upload_failed.md.j2")
        return respond(text=text, response_type="ephemeral", replace_original=False)


def delete_my_data(request: Request) -> None:
    """`/checkin delete-my-data`: what deleting takes out and what stays, with a button that
    asks once more before it deletes."""
    holdings = own_data.holdings(request.session, team_id=request.team_id, user_id=request.user_id)
    offer = render_json(
        "own_data/offer.json.j2",
        holdings=holdings,
        value=f"{request.user_id}:{request.now.timestamp():.6f}",
    )
    request.ack(response_type="ephemeral", **offer)
