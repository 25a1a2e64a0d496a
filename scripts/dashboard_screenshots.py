"""Take the README's screenshots of the dashboard: the programme, a cohort, a pair.

Serves mentorbot on a throwaway SQLite database against the Slack stand-in, seeds a cohort
of 150 pairs (the browser tests' data), signs in with a one-time link and saves three PNGs
in docs/ with Debian's Chromium (or MENTORBOT_TEST_CHROMIUM):

    python scripts/dashboard_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mentorbot.app import create_app  # noqa: E402
from mentorbot.bot.db import unit_of_work  # noqa: E402
from mentorbot.bot.migrate import upgrade  # noqa: E402
from mentorbot.bot.models import Pair  # noqa: E402
from mentorbot.bot.services.dashboard_sessions import sign_in_link  # noqa: E402
from mentorbot.bot.settings import Settings  # noqa: E402
from mentorbot.bot.timeutil import utcnow  # noqa: E402
from mentorbot.localserver import LocalServer  # noqa: E402
from mentorbot.runtime import build_runtime, identify, record_workspace  # noqa: E402
from mentorbot.standin import SlackStandin  # noqa: E402
from mentorbot.web import WebApp  # noqa: E402
from tests.dashboard_data import seed_large_cohort  # noqa: E402
from tests.factories import TEAM  # noqa: E402

COORDINATOR = "U0COORD"
SHOTS = REPO / "docs"


def main() -> int:
    chromium = os.environ.get("MENTORBOT_TEST_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print("Chromium not found: apt-get install chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder, SlackStandin(team_id=TEAM) as standin:
        standin.add_user(COORDINATOR, "priya", tz="Europe/London", real_name="Priya")
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-shots",
                "SLACK_SIGNING_SECRET": "shots",
                "SLACK_API_URL": standin.api_url,
                "MENTORBOT_DATABASE_URL": f"sqlite:///{folder}/shots.db",
                "MENTORBOT_COORDINATORS": COORDINATOR,
            }
        )
        runtime = build_runtime(settings)
        try:
            upgrade(runtime.engine)
            record_workspace(runtime, identify(runtime), utcnow())
            cohort = seed_large_cohort(runtime.sessions, pairs=150, now=utcnow())
            with runtime.sessions() as session:
                pair = session.scalars(select(Pair.id).where(Pair.mentee_id == "UE003")).one()
            with LocalServer(WebApp(create_app(runtime), runtime)) as server:
                runtime.settings = replace(runtime.settings, public_url=server.url)
                with unit_of_work(runtime.sessions) as session:
                    link = sign_in_link(
                        session,
                        runtime.settings,
                        team_id=TEAM,
                        user_id=COORDINATOR,
                        now=utcnow(),
                    )
                shoot(chromium, link.url, server.url, cohort, pair)
        finally:
            runtime.close()
    return 0


def shoot(chromium: str, link: str, base: str, cohort: int, pair: int) -> None:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(link)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/dashboard")
        for name, path in (
            ("programme", "/dashboard"),
            ("cohort", f"/dashboard/cohorts/{cohort}?risk=any"),
            ("pair", f"/dashboard/pairs/{pair}"),
        ):
            page.goto(base + path)
            target = SHOTS / f"dashboard-{name}.png"
            page.screenshot(path=str(target), full_page=name != "cohort")
            print(f"wrote {target.relative_to(REPO)}")
        browser.close()


if __name__ == "__main__":
    raise SystemExit(main())
