"""A local stand-in for Slack: the Web API (checked against Slack's spec) and a signing client."""

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
