"""The sender: delivers the outbox's due messages to Slack exactly once, at Slack's pace.

Each message is claimed in a short transaction, sent with no transaction open, and its
outcome recorded at once. Every message carries its dedupe key in Slack message metadata, so
when an earlier attempt may have reached Slack (a crash, a dropped connection, a 5xx after the
post) the conversation is searched for it before anything is sent again.

- `sender`: `deliver_due`, its lanes and its report; `SendPolicy`, how a worker sends.
- `claims`: claiming the next due message for a lane, and recording its outcome.
- `attempt`: one attempt at one message: open, look, post, and what became of it.
- `pace`: Slack's pace: posts per conversation, and workspaces' pauses after a 429.
- `conversations`: DM and group DM channels, kept once Slack opened them.
- `history`: finding a message that may have arrived, by its metadata, narrowly.
- `profiles`: refreshing the time zones of people with DMs due, in pages where many are.
"""

from mentorbot.bot.delivery.attempt import MAX_ATTEMPTS, PERMANENT_ERRORS
from mentorbot.bot.delivery.claims import DEFAULT_LEASE, release_abandoned_claims
from mentorbot.bot.delivery.sender import (
    ClientsByTeam,
    DeliveryReport,
    SendPolicy,
    SlackClients,
    deliver_due,
)

__all__ = [
    "DEFAULT_LEASE",
    "MAX_ATTEMPTS",
    "PERMANENT_ERRORS",
    "ClientsByTeam",
    "DeliveryReport",
    "SendPolicy",
    "SlackClients",
    "deliver_due",
    "release_abandoned_claims",
]
