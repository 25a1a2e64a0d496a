"""Whatever Slack sends gets a 2xx answer, even when no listener is interested."""

from __future__ import annotations

from mentorbot.standin import SignedSlackClient


def test_unknown_event_type_is_acknowledged(slack: SignedSlackClient) -> None:
    response = slack.event({"type": "reaction_added", "user": "U0X", "reaction": "tada"})
    assert response.status == 200


def test_channel_message_is_not_a_checkin_and_is_acknowledged(slack: SignedSlackClient) -> None:
    event = {
        "type": "message",
        "channel": "C0GENERAL",
        "channel_type": "channel",
        "user": "U0X",
        "text": "hello all",
        "ts": "1700000000.000200",
    }
    assert slack.event(event).status == 200


def test_button_with_no_listener_is_acknowledged(slack: SignedSlackClient) -> None:
    response = slack.block_action("U0MENTEE", "an_old_button_from_last_year", value="x")
    assert response.status == 200


def test_view_submission_with_no_listener_is_acknowledged(slack: SignedSlackClient) -> None:
    response = slack.view_submission("U0MENTEE", "retired_modal", values={})
    assert response.status == 200


def test_unknown_slash_command_gets_a_polite_answer(slack: SignedSlackClient) -> None:
    response = slack.command("/mentorbot-old", "hi", user_id="U0MENTEE")
    assert response.status == 200
    text = response.json()["text"]
    assert "`/mentorbot-old`" in text and "/checkin help" in text
