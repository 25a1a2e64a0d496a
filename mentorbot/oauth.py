"""Many workspaces: installing mentorbot over OAuth with slack_sdk's SQLAlchemy stores.

`/slack/install` starts an install (Slack's "Add to Slack" page), `/slack/oauth_redirect`
finishes it: Bolt exchanges the code for the workspace's bot token (oauth.v2.access) and
keeps it in the installation store, in mentorbot's own database. Every request then runs
with its workspace's token; the tick's sender looks tokens up the same way.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from mentorbot.bot.db import unit_of_work
from mentorbot.bot.services.installs import record_install
from mentorbot.runtime import Runtime, workspace_defaults

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes an install asks for: exactly those in manifest.yml (a test compares them).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "mpim:write",
    "mpim:history",
    "channels:history",
    "groups:history",
    "files:write",
    "files:read",
)


def oauth_settings(runtime: Runtime) -> OAuthSettings:
    """Bolt's OAuth flow on mentorbot's database, recording each workspace as it installs."""
    settings = runtime.settings
    if runtime.installations is None or runtime.oauth_states is None:
        raise RuntimeError("OAuth settings need a runtime built with SLACK_CLIENT_ID")

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        team_id = installation.team_id or ""
        with unit_of_work(runtime.sessions) as session:
            installed = record_install(
                session,
                team_id=team_id,
                name=installation.team_name,
                bot_user_id=installation.bot_user_id,
                installer_id=installation.user_id,
                defaults=workspace_defaults(settings),
                now=runtime.clock(),
            )
        log.info(
            "workspace %s installed mentorbot (%s)",
            team_id,
            "first install" if installed.first_install else "installed again",
        )
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an install did not complete: %s", args.reason)
        return args.default.failure(args)

    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=runtime.installations,
        installation_store_bot_only=True,
        state_store=runtime.oauth_states,
        callback_options=CallbackOptions(success=success, failure=failure),
    )


def installation_authorize(runtime: Runtime) -> InstallationStoreAuthorize:
    """Each request's token from the installation store.

    Bolt checks a token with auth.test the first time it sees it and remembers the answer
    (cache), so a request does not wait for an extra Slack round trip. An uninstalled
    workspace has no stored token, so its requests are refused before any listener runs.
    """
    settings = runtime.settings
    return InstallationStoreAuthorize(
        installation_store=runtime.installations,  # type: ignore[arg-type]
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        bot_only=True,
        cache_enabled=True,
        client=runtime.client,
        logger=logging.getLogger("mentorbot.bolt"),
    )
