"""Plain HTTP requests to a served bot, for the tests about the web layer: what a browser or
a probe gets back, with no redirect followed and no proxy from the environment."""

from __future__ import annotations

import urllib.error
import urllib.request
from email.message import Message


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def request(url: str, method: str = "GET", cookie: str | None = None) -> tuple[int, Message, bytes]:
    """Status, headers and body of one request (POST and PUT send `{}`; HEAD has no body)."""
    data = b"{}" if method in ("POST", "PUT") else None
    sent = urllib.request.Request(url, data=data, method=method)
    if cookie:
        sent.add_header("Cookie", cookie)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
    try:
        with opener.open(sent, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def answer(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    """Status, Content-Type and body of one request."""
    status, headers, body = request(url, method)
    return status, headers["Content-Type"], body
