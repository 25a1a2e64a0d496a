"""Files the bot hands people in Slack (reports, a person's own data), with files upload v2.

slack_sdk's `files_upload_v2` asks for an upload URL (`files.getUploadURLExternal`), sends the
bytes there, and shares the files in one message (`files.completeUploadExternal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk import WebClient


@dataclass(frozen=True)
class FileToShare:
    """One file: its name in Slack, its bytes, and the title people see."""

    filename: str
    content: bytes
    title: str


def share_files(
    client: WebClient,
    files: Sequence[FileToShare],
    *,
    comment: str,
    channel_id: str | None = None,
    user_id: str | None = None,
) -> str:
    """Upload `files` and share them with `comment` in a channel or a person's DM.

    Give `channel_id` for a channel, or `user_id` to share in the DM with that person.
    Returns the channel id; Slack errors propagate as `SlackApiError`.
    """
    if channel_id is None:
        if user_id is None:
            raise ValueError("share_files needs a channel_id or a user_id")
        channel_id = str(client.conversations_open(users=user_id)["channel"]["id"])
    client.files_upload_v2(
        channel=channel_id,
        initial_comment=comment,
        file_uploads=[
            {"content": file.content, "filename": file.filename, "title": file.title}
            for file in files
        ],
        # The files' details are not needed afterwards; skip the extra files.info calls.
        request_file_info=False,
    )
    return channel_id
