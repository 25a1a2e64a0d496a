"""Tests of the Slack stand-in itself: contract checks, Slack-shaped answers, fault injection."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from mentorbot.standin import (
    ContractViolation,
    SignedSlackClient,
    SlackStandin,
    check_call,
    load_contract,
)
from mentorbot.standin.transport import StandinHTTPServer
from tests.processes import wait_for
from tests.scripts import load_script
from tests.specs import shared_file

SECRET = "standin-test-secret"
AUTH = {"Authorization": "Bearer xoxb-test"}
MODAL = {
    "type": "modal",
    "callback_id": "checkin",
    "title": {"type": "plain_text", "text": "Check in"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "mood",
            "label": {"type": "plain_text", "text": "How is it going?"},
            "element": {"type": "plain_text_input", "action_id": "mood"},
        }
    ],
}
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}


@pytest.fixture
def api() -> Iterator[SlackStandin]:
    """A running stand-in with two members."""
    with SlackStandin() as standin:
        standin.add_user("U0ALICE", "alice", tz="America/Los_Angeles", email="alice@example.org")
        standin.add_user("U0BOB", "bob", email="bob@example.org")
        yield standin


@pytest.fixture
def client(api: SlackStandin) -> WebClient:
    """slack_sdk's WebClient pointed at the stand-in, without retries."""
    return WebClient(token="xoxb-test", base_url=api.api_url, retry_handlers=[])


def _error_of(call: Any, *args: Any, **kwargs: Any) -> SlackApiError:
    """Run a client call that must fail and return its SlackApiError."""
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    return caught.value


# -- the contract -----------------------------------------------------------------------------


def test_good_calls_pass(api: SlackStandin, client: WebClient) -> None:
    channel = client.conversations_open(users="U0ALICE")["channel"]["id"]
    client.chat_postMessage(channel=channel, text="Hello", blocks=[SECTION])
    client.chat_postEphemeral(channel=channel, user="U0ALICE", text="Just you", blocks=[SECTION])
    client.views_open(trigger_id="1.2.abc", view=MODAL)
    client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": [SECTION]})
    client.users_info(user="U0ALICE")
    api.assert_no_violations()
    assert [c.ok for c in api.calls] == [True] * 6
    assert {c.token for c in api.calls} == {"xoxb-test"}


def test_missing_channel_is_a_violation(api: SlackStandin, client: WebClient) -> None:
    error = _error_of(client.api_call, "chat.postMessage", json={"text": "hi"})
    assert error.response["error"] == "invalid_arguments"
    assert api.calls_to("chat.postMessage")[0].violations == ["missing required argument `channel`"]
    with pytest.raises(ContractViolation, match=r"chat\.postMessage: missing required argument"):
        api.assert_no_violations()


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}, "3000 characters"),
        ({"type": "hologram", "items": []}, "unknown block type 'hologram'"),
        ({**SECTION, "accessory": {"type": "sparkle"}}, "unknown element type(s) ['sparkle']"),
        ({"type": "section"}, "text or fields attribute must be specified"),
    ],
)
def test_invalid_blocks_are_violations(
    api: SlackStandin, client: WebClient, block: dict[str, Any], expected: str
) -> None:
    error = _error_of(client.chat_postMessage, channel="C0GENERAL", text="t", blocks=[block])
    assert error.response["error"] == "invalid_blocks"
    assert expected in api.violations[0]
    assert api.messages_in("C0GENERAL") == []


def test_blocks_as_form_encoded_json_string_are_checked(api: SlackStandin) -> None:
    blocks = json.dumps([{"type": "hologram"}])
    violations = check_call(
        "chat.postMessage", {"channel": "C1", "text": "t", "blocks": blocks}, AUTH
    )
    assert violations == ["blocks[0]: unknown block type 'hologram'"]
    assert check_call("chat.postMessage", {"channel": "C1", "blocks": "[oops"}, AUTH)[0].startswith(
        "blocks: not valid JSON"
    )


def test_blocks_without_text_fallback_are_a_violation(api: SlackStandin, client: WebClient) -> None:
    _error_of(
        client.api_call, "chat.postMessage", json={"channel": "C0GENERAL", "blocks": [SECTION]}
    )
    _error_of(client.api_call, "chat.update", json={"channel": "C0GENERAL", "ts": "1.000001"})
    fallback = "missing `text`: blocks/attachments need a text fallback for notifications"
    assert api.violations == [
        f"chat.postMessage: {fallback}",
        "chat.update: needs `text` or `blocks`",
    ]


def test_views_open_needs_trigger_id_and_a_valid_modal(
    api: SlackStandin, client: WebClient
) -> None:
    error = _error_of(client.api_call, "views.open", json={"view": MODAL})
    assert error.response["error"] == "invalid_arguments"
    bad_title = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
    _error_of(client.views_open, trigger_id="1.2.abc", view=bad_title)
    _error_of(client.views_publish, user_id="U0ALICE", view=MODAL)
    bad_block = {"type": "home", "blocks": [{"type": "hologram"}]}
    failure = _error_of(client.views_publish, user_id="U0ALICE", view=bad_block)
    assert failure.response["error"] == "invalid_blocks"
    assert api.violations == [
        "views.open: missing required argument `trigger_id`",
        "views.open: view: title must be between 1 and 24 characters",
        "views.publish: view: type must be 'home', got 'modal'",
        "views.publish: view.blocks[0]: unknown block type 'hologram'",
    ]


def test_argument_types_follow_the_spec() -> None:
    args = {"channel": "C1", "text": "t", "unfurl_links": "maybe"}
    assert check_call("chat.postMessage", args, AUTH) == [
        "argument `unfurl_links` must be a boolean, got 'maybe'"
    ]
    assert check_call("conversations.history", {"channel": "C1", "limit": "ten"}, AUTH) == [
        "argument `limit` must be an integer, got 'ten'"
    ]
    assert check_call("conversations.history", {"channel": "C1", "limit": 5.5}, AUTH) != []
    ok_args = {"channel": "C1", "limit": "10", "oldest": "1700000000.000100", "inclusive": "1"}
    assert check_call("conversations.history", ok_args, AUTH) == []


def test_metadata_must_have_event_type_and_payload() -> None:
    base = {"channel": "C1", "text": "t"}
    good = {"event_type": "checkin_prompt", "event_payload": {"id": 1}}
    assert check_call("chat.postMessage", {**base, "metadata": json.dumps(good)}, AUTH) == []
    bad = check_call("chat.postMessage", {**base, "metadata": {"event_payload": []}}, AUTH)
    assert bad == [
        "metadata: `event_type` must be a non-empty string",
        "metadata: `event_payload` must be an object",
    ]


def test_token_unknown_method_and_views_update_rules(api: SlackStandin) -> None:
    anonymous = WebClient(base_url=api.api_url, retry_handlers=[])
    assert _error_of(anonymous.auth_test).response["error"] == "not_authed"
    assert check_call("auth.test", {"token": "xoxb-form"}, {}) == []
    assert check_call("chat.postMessag", {}, AUTH) == ["not a Slack Web API method"]
    assert check_call("views.update", {"view": MODAL}, AUTH) == ["needs `view_id` or `external_id`"]


def test_supplement_is_kept_apart_from_the_spec() -> None:
    contract = load_contract()
    newer = {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "apps.connections.open",
        "openid.connect.token",
        "openid.connect.userInfo",
    }
    assert set(contract["supplement"]["methods"]) == newer
    assert not newer & set(contract["methods"])
    assert "2020" in contract["supplement"]["note"]
    assert check_call("files.getUploadURLExternal", {"filename": "a.csv"}, AUTH) == [
        "missing required argument `length`"
    ]


def test_packaged_contract_matches_slacks_spec() -> None:
    spec = json.loads(shared_file("slack/web-api.openapi2.json").read_text(encoding="utf-8"))
    assert load_contract()["methods"] == load_script("distill_slack_spec").distill(spec)


# -- Slack-shaped answers ---------------------------------------------------------------------


def test_users_and_conversations(api: SlackStandin, client: WebClient) -> None:
    user = client.users_info(user="U0ALICE")["user"]
    offset = datetime.now(ZoneInfo("America/Los_Angeles")).utcoffset()
    assert offset is not None and user["tz_offset"] == int(offset.total_seconds())
    assert user["profile"]["email"] == "alice@example.org" and user["team_id"] == "T0MENTOR"
    assert client.users_lookupByEmail(email="BOB@example.org")["user"]["id"] == "U0BOB"
    missing = _error_of(client.users_lookupByEmail, email="nobody@example.org")
    assert missing.response["error"] == "users_not_found"
    assert _error_of(client.users_info, user="U0NOBODY").response["error"] == "user_not_found"
    dm = client.conversations_open(users="U0ALICE")["channel"]["id"]
    assert dm == api.dm_channel_for("U0ALICE")
    assert client.conversations_open(users="U0ALICE")["channel"]["id"] == dm
    assert dm.startswith("D")
    assert client.conversations_open(users="U0ALICE,U0BOB")["channel"]["id"].startswith("G")
    assert client.auth_test()["user_id"] == api.bot_user_id
    api.add_user("U0GONE", "gone", deleted=True)
    assert client.users_info(user="U0GONE")["user"]["deleted"] is True
    gone = _error_of(client.conversations_open, users="U0GONE")
    assert gone.response["error"] == "user_disabled"


def test_a_member_of_another_workspace_shows_their_own_team(
    api: SlackStandin, client: WebClient
) -> None:
    api.add_user("U0FAR", "far", team_id="T0ELSEWHERE")
    far = client.users_info(user="U0FAR")["user"]
    assert (far["team_id"], far["profile"]["team"]) == ("T0ELSEWHERE", "T0ELSEWHERE")
    listed = [member["id"] for member in client.users_list()["members"]]
    assert "U0ALICE" in listed and "U0FAR" not in listed


def test_history_returns_posted_messages_with_metadata(
    api: SlackStandin, client: WebClient
) -> None:
    metadata = {"event_type": "checkin_prompt", "event_payload": {"checkin_id": 7}}
    first = client.chat_postMessage(channel="U0ALICE", text="one")["ts"]
    second = client.chat_postMessage(
        channel="U0ALICE", text="two", blocks=[SECTION], metadata=metadata
    )
    third = client.chat_postMessage(channel="U0ALICE", text="three")["ts"]
    assert first < second["ts"] < third and second["channel"] == api.dm_channel_for("U0ALICE")
    history = client.conversations_history(
        channel=second["channel"], limit=2, include_all_metadata=True
    )
    assert [m["text"] for m in history["messages"]] == ["three", "two"]
    assert history["has_more"] is True
    assert history["messages"][1]["metadata"] == metadata
    assert history["messages"][1]["blocks"] == [SECTION]
    assert history["messages"][1]["bot_id"] == "B0MENTORBOT"
    plain = client.conversations_history(channel=second["channel"], oldest=first)
    assert [m["text"] for m in plain["messages"]] == ["three", "two"]
    assert "metadata" not in plain["messages"][1]
    api.assert_no_violations()


def test_chat_update_changes_what_people_see(api: SlackStandin, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0GENERAL", text="draft")
    client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="final")
    assert [m["text"] for m in api.messages_in("C0GENERAL")] == ["final"]
    missing = _error_of(client.chat_update, channel="C0GENERAL", ts="1.000001", text="x")
    assert missing.response["error"] == "message_not_found"


def test_views_update_and_single_use_triggers(api: SlackStandin, client: WebClient) -> None:
    trigger = api.new_trigger_id()
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "checkin"
    again = _error_of(client.views_open, trigger_id=trigger, view=MODAL)
    assert again.response["error"] == "exchanged_trigger_id"
    updated = client.views_update(view_id=view["id"], view={**MODAL, "callback_id": "done"})
    assert api.views[view["id"]]["callback_id"] == "done" == updated["view"]["callback_id"]
    stale = _error_of(client.views_update, view_id=view["id"], view=MODAL, hash=view["hash"])
    assert stale.response["error"] == "hash_conflict"
    client.views_publish(user_id="U0BOB", view={"type": "home", "blocks": [SECTION]})
    home = api.home_view("U0BOB")
    assert home is not None and home["blocks"] == [SECTION]
    api.assert_no_violations()


def test_files_upload_v2_end_to_end(api: SlackStandin, client: WebClient) -> None:
    channel = api.dm_channel_for("U0BOB")
    result = client.files_upload_v2(
        channel=channel, content="a,b\n1,2\n", filename="cohort.csv", title="Cohort"
    )
    assert result["file"]["title"] == "Cohort"
    assert len(api.calls_to("files.getUploadURLExternal")) == 1
    assert len(api.calls_to("files.completeUploadExternal")) == 1
    [uploaded] = api.uploaded_files
    assert uploaded.data == b"a,b\n1,2\n" and uploaded.completed
    assert uploaded.channels == [channel] and uploaded.filename == "cohort.csv"
    assert api.messages_in("U0BOB")[0]["files"][0]["id"] == uploaded.file_id
    api.assert_no_violations()


def test_registered_channels_need_the_bot_as_a_member(api: SlackStandin, client: WebClient) -> None:
    api.add_channel("C0MENTORS", "mentors", members=["U0ALICE"], bot_is_member=False)
    for call, kwargs in [
        (client.chat_postMessage, {"text": "hi"}),
        (client.chat_update, {"ts": "1.000001", "text": "hi"}),
        (client.conversations_history, {}),
    ]:
        error = _error_of(call, channel="C0MENTORS", **kwargs)
        assert error.response["error"] == "not_in_channel"
    api.invite_bot("C0MENTORS")
    channel = api.channel("C0MENTORS")
    assert channel is not None and channel.bot_is_member and channel.members == ["U0ALICE"]
    posted = client.chat_postMessage(channel="C0MENTORS", text="draft")
    client.chat_update(channel="C0MENTORS", ts=posted["ts"], text="final")
    history = client.conversations_history(channel="C0MENTORS")["messages"]
    assert [m["text"] for m in history] == ["final"]
    api.add_channel("C0OLD", "old-cohort", archived=True)
    archived = _error_of(client.chat_postMessage, channel="C0OLD", text="hi")
    assert archived.response["error"] == "is_archived"
    assert client.conversations_history(channel="C0OLD")["messages"] == []
    api.add_channel("C0SECRET", "secret", is_private=True, bot_is_member=False)
    hidden = _error_of(client.chat_postMessage, channel="C0SECRET", text="hi")
    assert hidden.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C0UNREGISTERED", text="hi")["ok"] is True
    with pytest.raises(KeyError):
        api.invite_bot("C0NOPE")
    api.assert_no_violations()


def test_conversations_info(api: SlackStandin, client: WebClient) -> None:
    api.add_channel("C0MENTORS", "mentors", members=["U0ALICE", "U0BOB"], bot_is_member=False)
    info = client.conversations_info(channel="C0MENTORS", include_num_members=True)["channel"]
    assert (info["id"], info["name"], info["is_channel"]) == ("C0MENTORS", "mentors", True)
    assert (info["is_private"], info["is_archived"], info["is_member"]) == (False, False, False)
    assert info["num_members"] == 2
    api.invite_bot("C0MENTORS")
    info = client.conversations_info(channel="C0MENTORS", include_num_members=True)["channel"]
    assert info["is_member"] is True and info["num_members"] == 3
    api.add_channel("C0SECRET", "secret", is_private=True, bot_is_member=False)
    for unknown in ("C0SECRET", "C0NOWHERE", "G0NOWHERE", "D0NOWHERE"):
        error = _error_of(client.conversations_info, channel=unknown)
        assert error.response["error"] == "channel_not_found"
    client.chat_postMessage(channel="C0GENERAL", text="hi")
    general = client.conversations_info(channel="C0GENERAL")["channel"]
    assert general["is_member"] is True and general["is_channel"] is True
    dm = client.conversations_info(channel=api.dm_channel_for("U0BOB"))["channel"]
    assert dm["is_im"] is True and dm["user"] == "U0BOB"
    api.assert_no_violations()


def _get(url: str, token: str | None = None) -> tuple[int, str, bytes]:
    """GET a URL without proxies, following redirects; return status, final URL and body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as answer:
            return answer.status, answer.url, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, url, error.read()


def test_files_shared_in_dm_download_only_with_a_token(
    api: SlackStandin, client: WebClient
) -> None:
    content = b"mentor,mentee\nU0ALICE,U0BOB\n"
    file = api.share_file_in_dm("U0ALICE", "pairs 2024.csv", content)
    assert file["user"] == "U0ALICE" and file["size"] == len(content)
    assert (file["name"], file["title"], file["filetype"]) == ("pairs 2024.csv",) * 2 + ("csv",)
    assert file["mimetype"] == "text/csv" and file["url_private"].startswith(api.base_url)
    dm = api.dm_channel_for("U0ALICE")
    [message] = client.conversations_history(channel=dm)["messages"]
    assert message["user"] == "U0ALICE" and message["upload"] is True
    assert message["files"] == [file] and "bot_id" not in message
    assert client.files_info(file=file["id"])["file"] == file
    assert _error_of(client.files_info, file="F0NOPE").response["error"] == "file_not_found"
    download = file["url_private_download"]
    assert _get(download, "xoxb-test") == (200, download, content)
    assert _get(file["url_private"], "xoxb-test")[2] == content
    status, landed, page = _get(download)
    assert status == 200 and landed.startswith(f"{api.base_url}/?redir=")
    assert page.startswith(b"<!DOCTYPE html>")
    assert _get(download.replace("pairs", "other"), "xoxb-test")[0] == 404
    assert [(d.file_id, d.token, d.status) for d in api.downloads] == [
        (file["id"], "xoxb-test", 200),
        (file["id"], "xoxb-test", 200),
        (file["id"], None, 302),
        (file["id"], "xoxb-test", 404),
    ]
    assert [d.ok for d in api.downloads] == [True, True, False, False]
    api.assert_no_violations()


def test_a_shared_file_opens_only_to_its_workspaces_token_and_leaves_a_tombstone(
    api: SlackStandin, client: WebClient
) -> None:
    file = api.share_file_in_dm("U0ALICE", "pairs.csv", b"mentor,mentee\n")
    download = file["url_private_download"]
    assert _get(download, "xoxb-test")[0] == 200
    code = api.approve_install("T0OTHER", "Other", "U0OTHER")  # another workspace installs
    other = client.oauth_v2_access(client_id="1.2", client_secret="s", code=code)["access_token"]
    for token in ("not-a-slack-token", other):
        status, landed, _page = _get(download, token)
        assert status == 200 and landed.startswith(f"{api.base_url}/?redir="), token
    api.delete_shared_file(file["id"])
    [message] = client.conversations_history(channel=api.dm_channel_for("U0ALICE"))["messages"]
    assert message["files"] == [{"id": file["id"], "mode": "tombstone"}]
    assert _error_of(client.files_info, file=file["id"]).response["error"] == "file_deleted"
    assert _get(download, "xoxb-test")[0] == 404
    api.assert_no_violations()


def test_files_info_answers_bot_uploads(api: SlackStandin, client: WebClient) -> None:
    upload = client.files_upload_v2(channel="C0GENERAL", content="a\n", filename="a.csv")
    file_id = upload["file"]["id"]
    assert client.files_info(file=file_id)["file"]["name"] == "a.csv"
    api.assert_no_violations()


def test_response_url_posts_are_recorded_and_checked(api: SlackStandin) -> None:
    url = api.new_response_url()
    assert WebhookClient(url).send(text="Saved", response_type="ephemeral").status_code == 200
    bad = WebhookClient(url).send(text="Saved", blocks=[{"type": "hologram"}])
    assert bad.status_code == 400
    assert [payload["text"] for _, payload in api.responses] == ["Saved", "Saved"]
    assert api.responses[0][0] == url
    assert api.violations == ["response_url: blocks[0]: unknown block type 'hologram'"]


# -- fault injection --------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(api: SlackStandin, client: WebClient) -> None:
    api.fail_next("chat.postMessage", status=429, retry_after=2)
    error = _error_of(client.chat_postMessage, channel="C0GENERAL", text="hi")
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "2"
    assert error.response["error"] == "ratelimited"
    call = api.calls_to("chat.postMessage")[0]
    assert (call.ok, call.error, call.status) == (False, "ratelimited", 429)


def test_rate_limit_retry_handler_succeeds(
    api: SlackStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(builtin_handlers.time, "sleep", waits.append)
    patient = WebClient(
        token="xoxb-test", base_url=api.api_url, retry_handlers=[RateLimitErrorRetryHandler()]
    )
    api.fail_next("chat.postMessage", status=429, retry_after=2)
    assert patient.chat_postMessage(channel="C0GENERAL", text="hi")["ok"] is True
    assert len(waits) == 1 and 2 <= waits[0] < 3
    assert [c.ok for c in api.calls_to("chat.postMessage")] == [False, True]
    assert [m["text"] for m in api.messages_in("C0GENERAL")] == ["hi"]


@pytest.mark.parametrize(
    ("status", "error"), [(500, "internal_error"), (503, "service_unavailable")]
)
def test_server_errors(api: SlackStandin, client: WebClient, status: int, error: str) -> None:
    api.fail_next("auth.test", status=status)
    failure = _error_of(client.auth_test)
    assert failure.response.status_code == status and failure.response["error"] == error
    assert client.auth_test()["ok"] is True


def test_injected_error_answers_ok_false(api: SlackStandin, client: WebClient) -> None:
    api.fail_next("users.info", error="user_not_found", times=2)
    for _ in range(2):
        assert _error_of(client.users_info, user="U0ALICE").response["error"] == "user_not_found"
    assert client.users_info(user="U0ALICE")["user"]["name"] == "alice"
    with pytest.raises(ValueError, match="not a Slack Web API method"):
        api.fail_next("users.infos", error="user_not_found")


def test_fail_after_accept_keeps_the_message(api: SlackStandin, client: WebClient) -> None:
    api.fail_after_accept("chat.postMessage")
    assert _error_of(client.chat_postMessage, channel="C0GENERAL", text="once").response.status_code
    api.fail_after_accept("chat.postMessage", status=None)
    with pytest.raises(ConnectionError):
        client.chat_postMessage(channel="C0GENERAL", text="twice")
    assert [m["text"] for m in api.messages_in("C0GENERAL")] == ["once", "twice"]
    assert [c.error for c in api.calls_to("chat.postMessage")] == [
        "internal_error",
        "connection_dropped",
    ]


# -- the signing client -----------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Records what the signing client sends and answers 200."""

    seen: list[tuple[dict[str, str], bytes]]

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_POST(self) -> None:
        """Record the request."""
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A tiny HTTP server standing in for the bot's /slack/events."""
    seen: list[tuple[dict[str, str], bytes]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", seen
    server.shutdown()
    server.server_close()
    thread.join()


def _bolt_request(headers: dict[str, str], body: bytes) -> BoltRequest:
    """Parse a recorded request the way Bolt does."""
    bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
    return BoltRequest(body=body.decode(), headers=bolt_headers)


def test_signed_client_sends_what_bolt_accepts(
    api: SlackStandin, recorder: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    url, seen = recorder
    slack = SignedSlackClient(url, SECRET, standin=api)
    assert slack.command("/mentoring", "help", "U0ALICE").json() == {}
    slack.event({"type": "app_home_opened", "user": "U0BOB"}, retry_num=1, retry_reason="timeout")
    slack.block_action("U0BOB", "mood", value="good", view=MODAL)
    slack.view_submission("U0BOB", "checkin", {"mood": {"mood": {"value": "ok"}}}, "7")
    verifier = SignatureVerifier(SECRET)
    requests = [_bolt_request(headers, body) for headers, body in seen]
    assert all(verifier.is_valid_request(body, headers) for headers, body in seen)
    command, event, action, submission = (r.body for r in requests)
    assert command["command"] == "/mentoring" and command["user_name"] == "alice"
    assert command["response_url"].startswith(api.base_url)
    assert event["type"] == "event_callback" and event["event"]["user"] == "U0BOB"
    assert requests[1].headers["x-slack-retry-num"] == ["1"]
    assert action["actions"][0]["block_id"] == "mood" and action["container"]["type"] == "view"
    assert submission["view"]["state"]["values"]["mood"]["mood"]["value"] == "ok"
    assert submission["view"]["private_metadata"] == "7"
    assert parse_qs(seen[0][1].decode())["team_id"] == ["T0MENTOR"]


def test_signed_client_sends_file_share_in_dm(
    api: SlackStandin, recorder: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    url, seen = recorder
    file = api.share_file_in_dm("U0BOB", "cohort.csv", b"a,b\n")
    SignedSlackClient(url, SECRET, standin=api).file_shared_in_dm("U0BOB", file, "new cohort")
    [(headers, body)] = seen
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    envelope = json.loads(body)
    event = envelope["event"]
    assert envelope["type"] == "event_callback"
    assert event["type"] == "message" and event["subtype"] == "file_share"
    assert (event["channel"], event["channel_type"]) == (api.dm_channel_for("U0BOB"), "im")
    assert (event["user"], event["text"], event["files"]) == ("U0BOB", "new cohort", [file])
    assert event["ts"] == api.messages_in("U0BOB")[0]["ts"] == event["event_ts"]
    assert event["upload"] is True and event["display_as_bot"] is False


def test_signed_client_stale_and_unsigned(
    recorder: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    url, seen = recorder
    slack = SignedSlackClient(url, SECRET)
    slack.url_verification("abc", timestamp=1_000_000)
    slack.url_verification("abc", sign=False)
    slack.raw(b"{}", {"Content-Type": "application/json"})
    verifier = SignatureVerifier(SECRET)
    assert seen[0][0]["X-Slack-Request-Timestamp"] == "1000000"
    assert not verifier.is_valid_request(seen[0][1], seen[0][0])
    assert "X-Slack-Signature" not in seen[1][0]
    handshake = {"token": "legacy-verification-token", "challenge": "abc"}
    assert json.loads(seen[1][1]) == {**handshake, "type": "url_verification"}
    assert seen[2][1] == b"{}" and "X-Slack-Request-Timestamp" not in seen[2][0]


def test_rate_limit_answers_429_with_retry_after_once_the_burst_is_spent() -> None:
    with SlackStandin() as server:
        server.rate_limit("chat.postMessage", per_second=1 / 3600, burst=2)
        client = WebClient(token="xoxb-test", base_url=server.api_url)
        for _ in range(2):
            client.chat_postMessage(channel="C1", text="fine")
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C1", text="too many")
        assert caught.value.response.status_code == 429
        assert int(caught.value.response.headers["Retry-After"]) > 3000
        assert client.auth_test()["ok"]  # other methods are not limited
        assert len(server.messages_in("C1")) == 2


def _installed(api: SlackStandin, client: WebClient, team_id: str) -> WebClient:
    """A client with the bot token of another workspace that installed the app."""
    code = api.approve_install(team_id, team_id.title(), "U0INSTALLER")
    token = client.oauth_v2_access(client_id="1.2", client_secret="s", code=code)["access_token"]
    return WebClient(token=token, base_url=api.api_url, retry_handlers=[])


def _statuses(api: SlackStandin, method: str) -> list[int]:
    """The HTTP status of each call of a method, oldest first."""
    return [call.status for call in api.calls_to(method)]


def test_a_rate_limit_per_workspace_counts_each_workspaces_calls_apart(
    api: SlackStandin, client: WebClient
) -> None:
    other = _installed(api, client, "T0OTHER")
    api.rate_limit("chat.postMessage", per_second=1 / 3600, burst=2, per="workspace")
    for poster in (client, client, other, other):
        assert poster.chat_postMessage(channel="C0GENERAL", text="fine")["ok"] is True
    for poster in (client, other, other):
        error = _error_of(poster.chat_postMessage, channel="C0GENERAL", text="too many")
        assert error.response.status_code == 429 and error.response["error"] == "ratelimited"
        assert int(error.response.headers["Retry-After"]) > 3000
    assert api.ratelimited_by_team("chat.postMessage") == {"T0MENTOR": 1, "T0OTHER": 2}
    assert api.ratelimited_by_team("auth.test") == {}
    assert len(api.messages_in("C0GENERAL")) == 4
    assert other.auth_test()["ok"] is True  # other methods are not limited


def test_a_rate_limit_per_channel_paces_each_conversation_of_each_workspace(
    api: SlackStandin, client: WebClient
) -> None:
    other = _installed(api, client, "T0OTHER")
    api.rate_limit("chat.postMessage", per_second=1 / 3600, burst=1, per="channel")
    client.chat_postMessage(channel="C0GENERAL", text="first")
    client.chat_postMessage(channel="C0RANDOM", text="another channel")
    other.chat_postMessage(channel="C0GENERAL", text="another workspace's")
    client.chat_postMessage(channel="U0ALICE", text="in Alice's DM")
    for channel in ("C0GENERAL", api.dm_channel_for("U0ALICE")):  # a user ID means their DM
        error = _error_of(client.chat_postMessage, channel=channel, text="too soon")
        assert int(error.response.headers["Retry-After"]) > 3000
    assert _statuses(api, "chat.postMessage") == [200, 200, 200, 200, 429, 429]
    assert api.ratelimited_by_team("chat.postMessage") == {"T0MENTOR": 2}
    with pytest.raises(ValueError, match="takes no channel argument"):
        api.rate_limit("auth.test", per_second=1, per="channel")
    with pytest.raises(ValueError, match="per must be one of"):
        api.rate_limit("chat.postMessage", per_second=1, per="user")  # type: ignore[arg-type]


def test_limits_per_channel_and_per_workspace_apply_together(
    api: SlackStandin, client: WebClient
) -> None:
    api.rate_limit("chat.postMessage", per_second=1 / 3600, burst=2, per="channel")
    api.rate_limit("chat.postMessage", per_second=1 / 3600, burst=3, per="workspace")
    for channel in ("C1", "C1", "C1", "C2", "C3"):
        with contextlib.suppress(SlackApiError):
            client.chat_postMessage(channel=channel, text="hi")
    # C1's third post was over C1's limit and spent none of the workspace's: C2 got through;
    # C3 was over the workspace's.
    assert _statuses(api, "chat.postMessage") == [200, 200, 429, 200, 429]
    api.rate_limit("chat.postMessage", per_second=1 / 3600, burst=5, per="workspace")
    assert client.chat_postMessage(channel="C3", text="hi")["ok"] is True  # replaced, not added


def _prompt(api: SlackStandin) -> WebClient:
    """A client that gives up after 5 s (the slowed-down calls wait 20 s)."""
    return WebClient(token="xoxb-test", base_url=api.api_url, retry_handlers=[], timeout=5)


def test_slow_down_answers_late_without_holding_up_other_calls(
    api: SlackStandin, client: WebClient
) -> None:
    api.slow_down(20, method="chat.postMessage")
    answers: list[Any] = []
    poster = threading.Thread(
        target=lambda: answers.append(client.chat_postMessage(channel="C0GENERAL", text="slow"))
    )
    poster.start()
    wait_for(lambda: bool(api.calls_to("chat.postMessage")), "the post to arrive", 10)
    assert _prompt(api).auth_test()["ok"] is True  # answered while the post's answer waits
    assert poster.is_alive() and answers == []
    assert [call.method for call in api.calls] == ["chat.postMessage", "auth.test"]
    assert [m["text"] for m in api.messages_in("C0GENERAL")] == ["slow"]  # it took effect
    api.stop()  # stopping sends the waiting answer at once
    poster.join(10)
    assert [answer["ok"] for answer in answers] == [True]


def test_slow_down_of_every_method_keeps_a_methods_own_delay(
    api: SlackStandin, client: WebClient
) -> None:
    api.slow_down(20)
    api.slow_down(0, method="auth.test")
    looker = threading.Thread(target=lambda: client.users_info(user="U0ALICE"))
    looker.start()
    wait_for(lambda: bool(api.calls_to("users.info")), "users.info to arrive", 10)
    assert _prompt(api).auth_test()["ok"] is True
    assert looker.is_alive()
    api.stop()
    looker.join(10)
    with pytest.raises(ValueError, match="not a Slack Web API method"):
        api.slow_down(1, method="chat.postMessag")
    with pytest.raises(ValueError, match="negative"):
        api.slow_down(-1)


def test_a_slowed_down_call_is_answered_no_sooner_than_its_delay(
    api: SlackStandin, client: WebClient
) -> None:
    api.slow_down(0.2)
    started = time.monotonic()
    assert client.auth_test()["ok"] is True
    assert time.monotonic() - started >= 0.2
    assert [call.ok for call in api.calls] == [True]


def test_a_caller_that_hung_up_before_its_answer_is_not_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = StandinHTTPServer(("127.0.0.1", 0), SlackStandin())
    try:
        for failure in (BrokenPipeError(32, "Broken pipe"), ValueError("a stand-in bug")):
            try:
                raise failure
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()
    reported = capsys.readouterr().err
    assert "ValueError: a stand-in bug" in reported and "BrokenPipeError" not in reported


def test_a_request_cut_off_mid_body_is_not_a_call(standin: SlackStandin) -> None:
    """A sender killed while posting leaves a request whose body never arrived in full:
    Slack never sees it, so the stand-in records no call and no contract violation."""
    address = urlsplit(standin.api_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(
            b"POST " + address.path.encode() + b"chat.postMessage HTTP/1.1\r\n"
            b"Host: x\r\nAuthorization: Bearer xoxb-test-token\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\n"
            b"channel=C0"
        )
        connection.shutdown(socket.SHUT_WR)
        assert connection.recv(1024) == b""  # no answer: the connection is closed
    assert standin.calls_to("chat.postMessage") == []
    assert standin.violations == []
