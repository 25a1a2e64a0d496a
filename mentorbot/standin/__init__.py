"""A local stand-in for Slack: the Web API (checked against Slack's spec) and a signing client.

- `contract`: checks of a Web API call against Slack's request contract and Block Kit rules.
- `methods`: the workspace state and the Web API methods, one module per family of methods.
- `objects`: records the stand-in keeps and the Slack-shaped objects it answers with.
- `server`: `SlackStandin`, the Web API on loopback that records and checks every call.
- `signed_client`: signed, Slack-shaped requests (commands, events, interactions) to the bot.
- `transport`: the HTTP plumbing: body parsing, the threaded server, the handler.
"""

from mentorbot.standin.contract import check_call, load_contract
from mentorbot.standin.objects import (
    FileDownload,
    RecordedCall,
    StandinChannel,
    StandinUser,
    UploadedFile,
)
from mentorbot.standin.server import ContractViolation, SlackStandin
from mentorbot.standin.signed_client import BotResponse, SignedSlackClient

__all__ = [
    "BotResponse",
    "ContractViolation",
    "FileDownload",
    "RecordedCall",
    "SignedSlackClient",
    "SlackStandin",
    "StandinChannel",
    "StandinUser",
    "UploadedFile",
    "check_call",
    "load_contract",
]
