"""No Slack token in any log line, whichever library writes it."""

from __future__ import annotations

import logging

import pytest

from mentorbot.logs import install_token_redaction, redact_tokens


@pytest.mark.parametrize(
    "token",
    [
        "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-1-2-3-abcdef",
        "xapp-1-A0123-456-abcdef0123",
        "xoxe.xoxb-1-MS0yLTEyMzQ1Ng",
    ],
)
def test_every_kind_of_token_is_redacted(token: str) -> None:
    text = redact_tokens(f'answer {{"access_token": "{token}", "ok": true}}')
    assert token not in text and token.split("-", 1)[1] not in text
    assert "…redacted" in text and '"ok": true' in text


def test_log_records_are_redacted_at_creation(caplog: pytest.LogCaptureFixture) -> None:
    install_token_redaction()
    install_token_redaction()  # twice is harmless
    caplog.set_level(logging.DEBUG)
    logging.getLogger("slack_sdk.web.base_client").debug(
        "Received the following response - body: %s", {"access_token": "xoxb-123-456-secretpart"}
    )
    assert "secretpart" not in caplog.text and "xoxb-…redacted" in caplog.text
    logging.getLogger("mentorbot").info("team %s, %d pairs", "T0ALPHA", 3)
    assert "team T0ALPHA, 3 pairs" in caplog.text
