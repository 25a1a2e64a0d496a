"""`mentorbot demo`: a whole programme against the local Slack stand-in, printed as a
transcript of what each person sees, in their own time zone.

- `story`: the first half: a cohort, a pair, kickoff and agreement, weeks of its rhythm.
- `ending`: the second half: a win, surveys, a concern, a quiet spell, closing, alumni.
- `dashboard`: the coordinator opens the web dashboard with her one-time link.
- `finding_a_mentor`: a self-serve cohort: a request from the directory, and its acceptance.
- `own_time`: a calendar link, a reminder held over a holiday, an away status.
- `health`: the programme from above: cohort health, a report, a person's own data.
- `forms`: what the demo's people type into Slack's modals.
- `transcript`: the cast, the simulated clock, and the transcript of what each person sees.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from mentorbot.app import create_app
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.rendering import render_text
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.demo.dashboard import sign_in_link
from mentorbot.demo.story import programme
from mentorbot.demo.transcript import CHANNEL, COORDINATOR, PEOPLE, SECRET, TEAM, Transcript
from mentorbot.localserver import LocalServer
from mentorbot.runtime import build_runtime, identify, record_workspace
from mentorbot.standin import SignedSlackClient, SlackStandin
from mentorbot.web import WebApp

__all__ = ["run_demo"]


def keep_serving(out: TextIO, slack: SignedSlackClient) -> None:
    """Print a fresh dashboard link of the coordinator's and serve until Ctrl-C."""
    link = sign_in_link(slack)
    out.write(render_text("dashboard/demo_serving.md.j2", link=link) + "\n")
    out.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        out.write("\n")


def run_demo(out: TextIO, *, serve: bool = False) -> int:
    """Run the demo programme and print its transcript; returns the exit code. With
    `serve`, keep the demo's web server up afterwards with a dashboard link, until Ctrl-C."""
    with (
        tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as folder,
        SlackStandin(team_id=TEAM) as standin,
    ):
        # The report's chart is drawn by Matplotlib, which keeps a font cache; the demo's
        # goes with its throwaway folder, so the demo leaves nothing behind.
        os.environ.setdefault("MPLCONFIGDIR", str(Path(folder) / "matplotlib"))
        for person in PEOPLE:
            standin.add_user(
                person.user_id, person.name.lower(), tz=person.tz, real_name=person.name
            )
        standin.add_channel(CHANNEL, "mentoring-spring", members=[p.user_id for p in PEOPLE])
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-demo",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": standin.api_url,
                "MENTORBOT_DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.db'}",
                "MENTORBOT_COORDINATORS": COORDINATOR.user_id,
            }
        )
        runtime = build_runtime(settings)
        try:
            upgrade(runtime.engine)
            record_workspace(runtime, identify(runtime), utcnow())
            with LocalServer(WebApp(create_app(runtime), runtime)) as server:
                # Calendar links point at the demo's own web server while it runs.
                runtime.settings = replace(runtime.settings, public_url=server.url)
                slack = SignedSlackClient(
                    f"{server.url}/slack/events",
                    SECRET,
                    standin=standin,
                    team_id=TEAM,
                    settle=runtime.settle,
                )
                programme(Transcript(out, standin), runtime, slack)
                if serve:
                    keep_serving(out, slack)
                else:
                    out.write(render_text("dashboard/demo_pages.md.j2") + "\n")
            if standin.violations:
                out.write(f"\nWeb API contract violations: {standin.violations}\n")
                return 1
        finally:
            runtime.close()
    return 0
