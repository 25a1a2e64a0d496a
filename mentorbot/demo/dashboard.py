"""The demo's coordinator opens the web dashboard: the link from `/mentoring dashboard`, read
as a browser would (the sign-in button, the session's cookie, the programme page)."""

from __future__ import annotations

import html
import re
import urllib.request
from datetime import datetime
from http.cookiejar import CookieJar

from mentorbot.demo.transcript import COORDINATOR, Transcript, reply
from mentorbot.standin import SignedSlackClient

LINK = re.compile(r"<(https?://[^|>]+/dashboard/sign-in/[\w-]+)\|")


def sign_in_link(slack: SignedSlackClient) -> str | None:
    """A new one-time link of Priya's (None when the dashboard is off)."""
    answer = slack.command("/mentoring", "dashboard", user_id=COORDINATOR.user_id).json()
    found = LINK.search(str(answer.get("text")))
    return found.group(1) if found else None


def open_dashboard(t: Transcript, slack: SignedSlackClient, moment: datetime) -> None:
    """Priya asks for her link and opens the programme page with it."""
    t.say(f"[{t.stamp(moment, COORDINATOR)}] Priya types `/mentoring dashboard`; only she sees:")
    answer = slack.command("/mentoring", "dashboard", user_id=COORDINATOR.user_id).json()
    reply(t, answer)
    found = LINK.search(str(answer.get("text")))
    if found is None:
        return
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    signed_in = urllib.request.Request(found.group(1), data=b"", method="POST")
    with browser.open(signed_in, timeout=10) as response:  # the Sign in button, then /dashboard
        page = response.read().decode()
    cohorts = [
        html.unescape(name)
        for name in re.findall(r'<h2 id="cohort-\d+"><a [^>]+>([^<]+)</a>', page)
    ]
    rates = re.findall(r"<dt>Check-in rate, last 4 weeks</dt><dd>(.*?)</dd>", page)
    t.say("  She presses “Sign in”; the programme page lists, engagement only:")
    for name, rate in zip(cohorts, rates, strict=False):
        t.say(f"    | {name}: check-in rate {re.sub('<[^>]+>', '', html.unescape(rate))}")
