"""`mentorbot doctor`: an install that checks itself, one line per check, with what to do.

Checks, in order: the settings; that the database answers and is migrated; that the bot
token works (`auth.test`) and has exactly the scopes of `manifest.yml` (Slack's
`x-oauth-scopes` header; `BOT_SCOPES` is the manifest's list, kept equal by a test); that
`MENTORBOT_PUBLIC_URL` answers `/healthz` from outside this process; and with OAuth installs,
that the redirect URL is the one Slack will call. A check that cannot run because an earlier
one failed says so. The exit code is 1 when any check fails.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import SQLAlchemyError

from mentorbot.bot.db import database_answers, make_engine
from mentorbot.bot.migrate import at_head
from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.oauth import BOT_SCOPES, REDIRECT_PATH

TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Check:
    """One check's outcome: its name, whether it passed, what was found, what to do."""

    name: str
    ok: bool
    found: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name}: {self.found}" + (f" (fix: {self.fix})" if self.fix else "")


def run_checks(env: Mapping[str, str]) -> list[Check]:
    """Every check, against the settings `env` gives."""
    try:
        settings = Settings.from_env(env)
        settings.require_for_run()
    except SettingsError as error:
        return [Check("settings", False, str(error), "set the variable named, then run again")]
    checks = [Check("settings", True, "every setting reads")]
    checks += _database(settings)
    checks += _token(settings)
    checks += _public_url(settings)
    checks += _redirect(settings)
    return checks


def _database(settings: Settings) -> list[Check]:
    engine = make_engine(settings.database_url)
    try:
        if not database_answers(engine):
            return [
                Check(
                    "database",
                    False,
                    "does not answer",
                    "check MENTORBOT_DATABASE_URL and that the server runs",
                )
            ]
        found = [Check("database", True, "answers")]
        if at_head(engine):
            found.append(Check("migrations", True, "the schema is up to date"))
        else:
            found.append(
                Check("migrations", False, "the schema is behind", "run `mentorbot db upgrade`")
            )
        return found
    except SQLAlchemyError as error:
        return [Check("database", False, type(error).__name__, "check MENTORBOT_DATABASE_URL")]
    finally:
        engine.dispose()


def _token(settings: Settings) -> list[Check]:
    if settings.oauth:
        return [
            Check(
                "token",
                True,
                "OAuth installs: each workspace's token is checked when it installs",
            )
        ]
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error") or "an error")
        return [
            Check(
                "token",
                False,
                f"Slack refused it ({code})",
                "copy the Bot User OAuth Token (xoxb-…) of the installed app into SLACK_BOT_TOKEN",
            )
        ]
    except (SlackClientError, OSError) as error:
        return [
            Check(
                "token",
                False,
                f"Slack could not be reached ({type(error).__name__})",
                "check the network, or SLACK_API_URL",
            )
        ]
    team = answer.get("team") or answer.get("team_id")
    found = [Check("token", True, f"works for the workspace {team}")]
    header = next(
        (value for key, value in (answer.headers or {}).items() if key.lower() == "x-oauth-scopes"),
        None,
    )
    if header is None:
        found.append(Check("scopes", False, "Slack did not say which scopes the token has"))
        return found
    granted = {scope.strip() for scope in str(header).split(",") if scope.strip()}
    missing = sorted(set(BOT_SCOPES) - granted)
    extra = sorted(granted - set(BOT_SCOPES))
    if not missing and not extra:
        found.append(Check("scopes", True, "exactly the manifest's"))
        return found
    words = "; ".join(
        part
        for part in (
            ("missing " + ", ".join(missing)) if missing else "",
            ("not needed " + ", ".join(extra)) if extra else "",
        )
        if part
    )
    fix = (
        "set the bot scopes to manifest.yml's on the app's OAuth & Permissions page,"
        " then reinstall it"
    )
    found.append(Check("scopes", False, words, fix))
    return found


def _public_url(settings: Settings) -> list[Check]:
    if not settings.public_url:
        return [
            Check(
                "public URL",
                True,
                "not set: calendar feeds and the dashboard are off",
            )
        ]
    url = settings.public_url + "/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            body = json.loads(response.read() or b"{}")
            ok = response.status == 200 and body.get("ok") is True
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or type(error).__name__
        return [
            Check(
                "public URL",
                False,
                f"{url} does not answer ({reason})",
                "start `mentorbot run` (or the web process) and make that address reach it",
            )
        ]
    if not ok:
        return [Check("public URL", False, f"{url} answers, but not as mentorbot's /healthz")]
    return [Check("public URL", True, f"{url} answers")]


def _redirect(settings: Settings) -> list[Check]:
    if not settings.oauth:
        return []
    expected = (settings.public_url or "") + REDIRECT_PATH
    given = settings.slack_redirect_uri
    if given and settings.public_url and given != expected:
        return [
            Check(
                "OAuth redirect",
                False,
                f"SLACK_REDIRECT_URI is {given}, but mentorbot answers at {expected}",
                "make both, and the app's Redirect URL, the same",
            )
        ]
    return [Check("OAuth redirect", True, given or f"{expected} (from the request)")]
