"""Sharing files in Slack with files upload v2 (reports, a person's own data)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.handlers.uploads import FileToShare, share_files
from mentorbot.standin import SlackStandin


def client_for(standin: SlackStandin) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=standin.api_url)


def test_files_reach_a_persons_dm_with_their_bytes_and_one_comment(standin: SlackStandin) -> None:
    standin.add_user("U0ANA", "ana", tz="Asia/Tokyo")
    files = [
        FileToShare("pairs.csv", b"pair,mentor\n1,U0ANA\n", "Pairs"),
        FileToShare("weekly.png", b"\x89PNG\r\n\x1a\nrest", "Weekly check-ins"),
    ]

    channel = share_files(client_for(standin), files, comment="Your report", user_id="U0ANA")

    assert channel == standin.dm_channel_for("U0ANA")
    uploaded = {file.filename: file for file in standin.uploaded_files}
    assert uploaded["pairs.csv"].data == b"pair,mentor\n1,U0ANA\n"
    assert uploaded["weekly.png"].title == "Weekly check-ins"
    assert all(file.completed and file.channels == [channel] for file in uploaded.values())
    messages = [m for m in standin.messages_in(channel) if m.get("upload")]
    assert len(messages) == 1 and messages[0]["text"] == "Your report"
    assert [call.method for call in standin.calls][-1] == "files.completeUploadExternal"


def test_a_refused_upload_raises_for_the_caller_to_report(standin: SlackStandin) -> None:
    standin.add_user("U0ANA", "ana")
    standin.fail_next("files.completeUploadExternal", error="not_in_channel")
    with pytest.raises(SlackApiError):
        share_files(
            client_for(standin), [FileToShare("a.csv", b"x", "A")], comment="c", user_id="U0ANA"
        )


def test_one_place_to_share_is_required(standin: SlackStandin) -> None:
    with pytest.raises(ValueError, match="channel_id or a user_id"):
        share_files(client_for(standin), [], comment="c")
