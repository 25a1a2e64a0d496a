"""`GET /calendar/<token>.ics`: a person's calendar feed, for calendar apps to subscribe to.

The answer carries an `ETag` (the feed's SHA-256), so an unchanged feed is a 304 for a
client that sends `If-None-Match`. An unknown, reset or malformed token, a person who
deleted their data, and a database that does not answer each get the same 404 as any
unknown path: a token reveals only its own feed, and a wrong one reveals nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError

from mentorbot.bot.db import reading
from mentorbot.bot.services.calendar_feeds import feed_by_token
from mentorbot.runtime import Runtime

# Calendar apps poll a subscription every few hours; this spares a refresh in between.
MAX_AGE_SECONDS = 900
log = logging.getLogger(__name__)


def calendar_feeds(runtime: Runtime, not_found: Callable[[], Response]) -> Blueprint:
    """The calendar feeds' route, reading the runtime's database."""
    pages = Blueprint("calendar_feeds", __name__)

    @pages.get("/calendar/<token>.ics")
    def feed(token: str) -> Response:
        try:
            with reading(runtime.sessions) as session:
                body = feed_by_token(session, token)
        except SQLAlchemyError:
            log.warning("A calendar feed was asked for while the database did not answer")
            body = None
        if body is None:
            return not_found()
        response = Response(body, status=200, content_type="text/calendar; charset=utf-8")
        response.set_etag(hashlib.sha256(body).hexdigest())
        response.headers["Cache-Control"] = f"private, max-age={MAX_AGE_SECONDS}"
        response.headers["Content-Disposition"] = 'inline; filename="mentoring.ics"'
        response.headers["X-Robots-Tag"] = "noindex"
        response.make_conditional(request)  # a 304 for a client that has this version
        return response

    return pages
