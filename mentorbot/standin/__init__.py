"""A local stand-in for Slack: the Web API (checked against Slack's spec) and a signing client.

- `server`: `SlackStandin`, the Web API on loopback; its start, stop and answer to each request.
- `state`: what one stand-in holds, and its URLs and ids; the next three build on it.
- `workspace_setup`: adding members, channels, shared files, installs; issuing response URLs.
- `faults`: injected failures, held calls, slow answers and rate limits.
- `records`: what happened: the calls, their violations, what people see.
- `methods/`: the workspace state and the Web API methods, one module per family of methods.
- `contract`: checks of a Web API call against Slack's request contract and Block Kit rules.
- `objects`: records the stand-in keeps and the Slack-shaped objects it answers with.
- `transport`: the HTTP plumbing: body parsing, the threaded server, the handler.
- `signed_client`: signed, Slack-shaped requests (commands, events, interactions) to the bot.
- `web_api_contract.json`: Slack's Web API spec, distilled by `scripts/distill_slack_spec.py`.
"""

from mentorbot.standin.contract import check_call, load_contract
from mentorbot.standin.objects import (
    FileDownload,
    RecordedCall,
    StandinChannel,
    StandinUser,
    UploadedFile,
)
from mentorbot.standin.records import ContractViolation
from mentorbot.standin.server import SlackStandin
from mentorbot.standin.signed_client import (
    BotResponse,
    InProcess,
    OverHttp,
    SignedSlackClient,
    Transport,
)

__all__ = [
    "BotResponse",
    "ContractViolation",
    "FileDownload",
    "InProcess",
    "OverHttp",
    "RecordedCall",
    "SignedSlackClient",
    "SlackStandin",
    "StandinChannel",
    "StandinUser",
    "Transport",
    "UploadedFile",
    "check_call",
    "load_contract",
]
