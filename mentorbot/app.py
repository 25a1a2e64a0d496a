"""The composition root: `create_app` builds the Bolt app and registers every handler package."""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mentorbot import handlers
from mentorbot.bot import languages
from mentorbot.bot.db import reading
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.languages import language_of
from mentorbot.bot.settings import Settings
from mentorbot.handlers.deferred import has_deferred, run_deferred
from mentorbot.handlers.errors import reply_for
from mentorbot.logs import bind_log_context
from mentorbot.metrics import observe_slack_request
from mentorbot.oauth import installation_authorize, oauth_settings
from mentorbot.runtime import Runtime

log = logging.getLogger(__name__)


class MentorbotApp(App):
    """A Bolt app whose every request runs in one database session (one unit of work).

    Bolt's global middleware runs before the listener rather than around it, so the session
    is opened and closed here, around the whole dispatch: committed when the request
    succeeded, rolled back when the error handler marked it failed.
    """

    def __init__(self, runtime: Runtime, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.runtime = runtime

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Handle one Slack request in one unit of work; its log lines name its workspace
        and carry an id of their own."""
        started = time.perf_counter()
        with bind_log_context(workspace=req.context.team_id, request=uuid.uuid4().hex[:12]):
            response = self._dispatch(req)
        observe_slack_request(req.body, response.status, time.perf_counter() - started)
        return response

    def _dispatch(self, req: BoltRequest) -> BoltResponse:
        session = self.runtime.sessions()
        # Every word of the answer in the sender's language (read when first rendered).
        sender = _SenderLanguage(self.runtime.sessions, session, req.context)
        with languages.by_default(self.runtime.settings.language), languages.speaking(sender):
            return self._dispatch_in(req, session, sender)

    def _dispatch_in(
        self, req: BoltRequest, session: Session, sender: _SenderLanguage
    ) -> BoltResponse:
        req.context["session"] = session
        req.context["now"] = self.runtime.clock()
        req.context["settings"] = self.runtime.settings
        req.context["runtime"] = self.runtime
        try:
            response = super().dispatch(req)
            if req.context.get("failed") or response.status >= 500:
                session.rollback()
            else:
                session.commit()
        except SQLAlchemyError:
            session.rollback()
            log.exception("database error while handling a Slack request")
            if "command" in req.body:
                return reply_for(req.body, render_text("errors/database_down.md.j2"))
            return BoltResponse(status=503, body="")  # Slack retries events later
        except Exception:
            # Bolt itself failed on a payload it could not take apart (e.g. an action-less
            # block_actions). Answer like any error, but only to a request Slack really signed.
            session.rollback()
            if not self._signed_by_slack(req):
                return BoltResponse(status=401, body="")
            log.exception("Bolt could not handle a %s request", req.body.get("type"))
            return reply_for(req.body, render_text("errors/unexpected.md.j2", reference="bolt"))
        finally:
            # Before it closes: a closed session used again (by a follow-up's thread, say)
            # would open a transaction nobody ends, holding SQLite's write lock.
            sender.request_session = None
            session.close()
        if has_deferred(req.context):
            # Slack has its answer first; the modal or reply follows a moment later.
            bound = contextvars.copy_context()  # the follow-up's log lines name the request too
            self.runtime.follow_up(
                "make a request's Slack calls", lambda: bound.run(run_deferred, req.context)
            )
        return _never_an_error_for_slack(req, response)

    def _signed_by_slack(self, req: BoltRequest) -> bool:
        headers = {name: values[0] for name, values in req.headers.items() if values}
        return signed_by_slack(self.runtime.settings, req.raw_body, headers)


class _SenderLanguage:
    """Finds the sender's language when a word is first rendered: in the request's session
    while it is open, else (a follow-up's thread, after it closed) in a read-only session
    of its own; the default when there is no sender or the database cannot say."""

    def __init__(
        self, sessions: sessionmaker[Session], request_session: Session, context: BoltContext
    ) -> None:
        self.sessions = sessions
        self.request_session: Session | None = request_session
        self.team_id, self.user_id = context.team_id or "", context.user_id or ""

    def __call__(self) -> str:
        if not self.user_id:
            return languages.default()
        try:
            if self.request_session is not None:
                return self._find(self.request_session)
            with reading(self.sessions) as session:  # (no write lock: others may hold it)
                return self._find(session)
        except SQLAlchemyError:
            return languages.default()

    def _find(self, session: Session) -> str:
        with session.no_autoflush:  # (a render mid-listener must not flush its work early)
            return language_of(session, team_id=self.team_id, user_id=self.user_id)


def signed_by_slack(settings: Settings, body: str | bytes, headers: Mapping[str, Any]) -> bool:
    """Whether Slack signed this request (with a fresh timestamp)."""
    if settings.socket_mode:
        return True  # Socket Mode requests arrive over Slack's own authenticated socket
    verifier = SignatureVerifier(settings.slack_signing_secret or "")
    return verifier.is_valid_request(body, dict(headers))


def _never_an_error_for_slack(req: BoltRequest, response: BoltResponse) -> BoltResponse:
    """Turn Bolt's own 404 (nothing matched) and 500 (it could not parse) into answers.

    Both reach Slack only after the signature was verified. Slack shows people an error for
    them and retries events; a 503 (ours: the database is down, retry later) is kept.
    """
    if response.status == 404:
        log.info(
            "no listener for a %s request; acknowledged", req.body.get("type", "slash command")
        )
        return BoltResponse(status=200, body="")
    if response.status == 500:
        log.error("Bolt could not handle a %s request; acknowledged", req.body.get("type"))
        return reply_for(req.body, render_text("errors/unexpected.md.j2", reference="bolt"))
    return response


def create_app(runtime: Runtime, *, token_verification: bool = True) -> App:
    """Build the Bolt app: one workspace's token (HTTP or Socket Mode), or OAuth installs."""
    settings = runtime.settings
    installs: dict[str, object] = {}
    if settings.oauth:
        installs = {
            "oauth_settings": oauth_settings(runtime),
            "installation_store": runtime.installations,
            "authorize": installation_authorize(runtime),
        }
    app = MentorbotApp(
        runtime,
        # Named, or Bolt finds a name in the caller's file through inspect.stack(), which
        # reads the source of every frame: 16 ms an app in a test, more in deep stacks.
        name="mentorbot",
        client=runtime.client,
        signing_secret=settings.slack_signing_secret or "socket-mode-does-not-sign",
        # Listeners finish before the HTTP response, inside the request's unit of work; the
        # Slack calls they defer follow the answer (MentorbotApp.dispatch), slow work goes
        # to the outbox.
        process_before_response=True,
        token_verification_enabled=token_verification and not settings.oauth,
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("mentorbot.bolt"),
        **installs,
    )
    handlers.register(app)
    return app
