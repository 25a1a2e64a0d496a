"""The demo's look at the programme from above: cohort health, a report, and a person's own
data, at the moment the pair has gone quiet."""

from __future__ import annotations

import json
from datetime import datetime

from mentorbot.demo.transcript import COORDINATOR, MENTEE, Transcript, reply
from mentorbot.runtime import Runtime
from mentorbot.standin import SignedSlackClient

STATUS_LINES = 12


def coordinator_view(
    t: Transcript, runtime: Runtime, slack: SignedSlackClient, moment: datetime
) -> None:
    """Priya's `/mentoring status` and `/mentoring report`; Sam's `/checkin my-data`."""
    t.say(f"[{t.stamp(moment, COORDINATOR)}] Priya types `/mentoring status` (only she sees it;")
    t.say("  engagement, never what anyone wrote):")
    status = slack.command("/mentoring", "status", user_id=COORDINATOR.user_id).json()
    lines = str(status.get("text", "")).splitlines()
    reply(t, {"text": "\n".join(lines[:STATUS_LINES])})
    if len(lines) > STATUS_LINES:
        t.say(f"    | … ({len(lines) - STATUS_LINES} more lines)")
    t.say(f"[{t.stamp(moment, COORDINATOR)}] Priya types `/mentoring report`:")
    reply(t, slack.command("/mentoring", "report", user_id=COORDINATOR.user_id).json())
    _files_shared(t, runtime, COORDINATOR.name)
    t.say()

    t.say(f"[{t.stamp(moment, MENTEE)}] Sam wants a copy of everything stored about them:")
    t.say("  `/checkin my-data`")
    reply(t, slack.command("/checkin", "my-data", user_id=MENTEE.user_id).json())
    shared = _files_shared(t, runtime, MENTEE.name)
    if shared:
        data = json.loads(shared[-1])
        t.say(
            f"      (in it: {len(data['check_ins'])} check-ins, {len(data['goals'])} goal(s), "
            f"{len(data['messages_to_you'])} messages the bot sent Sam; nothing anyone else wrote)"
        )


def _files_shared(t: Transcript, runtime: Runtime, reader: str) -> list[bytes]:
    """Print the files uploaded since the last look; returns their bytes."""
    runtime.settle()  # uploads run in the background, after Slack has its answer
    files = t.standin.uploaded_files[t.files_seen :]
    t.files_seen = len(t.standin.uploaded_files)
    for file in files:
        size = len(file.data or b"")
        t.say(f"  mentorbot → {reader} (DM): file {file.filename} ({size:,} bytes)")
    return [file.data or b"" for file in files]
