"""Sending lanes at Slack's pace: 5,000 DMs across 200 workspaces, with a restart half-way.

The stand-in (in a process of its own) answers every call 150 ms late, paces chat.postMessage
per conversation (1 a second, bursts of 3) and per workspace (20 a second, bursts of 20),
and conversations.open per workspace (Slack's Tier 3: 50 a minute, bursts of 50), answering
429 with Retry-After beyond. Each workspace installed mentorbot over OAuth (a bot token of its
own); its people's profiles are cached and every hour is a working hour.

Each shape WxL runs W worker processes, each calling deliver_due with a Runtime and its send
policy (MENTORBOT_SEND_CONCURRENCY=L lanes) as production's worker does, until nothing is
pending. Once half the DMs have reached Slack the workers are killed (SIGTERM) and started
again, their claims ended at once (as if the restart came a lease later: the figures leave
out waiting for it). Everyone's first DM is
queued first, then each person's others in a run, so the restarted workers write to people
whose DM is already open (they should not open it again) and several DMs to one person are
due together (the per-conversation pace).

Prints, per shape: messages a second, lost and duplicated DMs, 429s per method, how many
conversations.open the restart cost, the share of what the workspace limits allowed and of
the fastest the lanes and limits allow, and contract violations.

    python bench/delivery_lanes.py [--quick] [--workers W --lanes L] [--messages N] ...
    MENTORBOT_BENCH_DATABASE_URL=postgresql://... python bench/delivery_lanes.py  # adds PostgreSQL
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ALL_HOURS, StandinProcess, database_kinds, member_row, scratch_database

from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
from mentorbot.bot.delivery import deliver_due, release_abandoned_claims
from mentorbot.bot.migrate import upgrade
from mentorbot.bot.models import Member, OutboundMessage
from mentorbot.bot.outbox import Outgoing, enqueue_many
from mentorbot.bot.services.workspaces import ensure_workspace
from mentorbot.bot.settings import Settings
from mentorbot.bot.timeutil import utcnow
from mentorbot.runtime import build_runtime
from mentorbot.standin import SlackStandin

SHAPES = ((1, 1), (1, 8), (3, 8))  # (workers, lanes)
CLIENT_ID = "1111.2222"
LIMITED = ("chat.postMessage", "conversations.open", "conversations.history")


@dataclass(frozen=True)
class Plan:
    """Who gets what: `people` in each of `workspaces`, `messages` DMs dealt out among them."""

    messages: int
    workspaces: int
    people: int

    @property
    def teams(self) -> list[str]:
        return [f"T{w:05d}" for w in range(self.workspaces)]

    def people_of(self, team: str) -> list[str]:
        return [f"U{team[1:]}P{p:03d}" for p in range(self.people)]

    def recipients(self) -> list[tuple[str, str]]:
        """(team, user) of everyone, workspace by workspace."""
        return [(team, user) for team in self.teams for user in self.people_of(team)]

    def queue(self) -> list[tuple[int, str, str]]:
        """(n, team, user) of each DM in the order it is queued: everyone's first, then each
        person's others in a run."""
        everyone = self.recipients()
        dealt = [(n // len(everyone), n % len(everyone), n) for n in range(self.messages)]
        dealt.sort(key=lambda d: (d[0] > 0, d[1], d[0]))
        return [(n, *everyone[slot]) for _round, slot, n in dealt]


@dataclass(frozen=True)
class Pace:
    """Slack's pace, as the stand-in plays it."""

    latency: float
    post_rate: float
    post_burst: int
    channel_rate: float
    channel_burst: int
    open_rate: float
    open_burst: int


def _prepare(standin: SlackStandin, *, plan: Plan, pace: Pace) -> dict[str, dict[str, str]]:
    """In the stand-in's process: every workspace installs the app and gets its bot token
    (oauth.v2.access), its people join it; then Slack's pace. Returns the installs by team."""
    exchange = WebClient(base_url=standin.api_url, retry_handlers=[])
    installs = {}
    for team in plan.teams:
        people = plan.people_of(team)
        for user in people:
            standin.add_user(user, user, tz="UTC", team_id=team)
        code = standin.approve_install(team, f"Bench {team}", people[0])
        answer = exchange.oauth_v2_access(client_id=CLIENT_ID, client_secret="bench", code=code)
        installs[team] = {
            "token": str(answer["access_token"]),
            "bot_user_id": str(answer["bot_user_id"]),
            "app_id": str(answer["app_id"]),
            "installer": people[0],
        }
    standin.slow_down(pace.latency)
    standin.rate_limit(
        "chat.postMessage", per_second=pace.channel_rate, burst=pace.channel_burst, per="channel"
    )
    standin.rate_limit(
        "chat.postMessage", per_second=pace.post_rate, burst=pace.post_burst, per="workspace"
    )
    standin.rate_limit(
        "conversations.open", per_second=pace.open_rate, burst=pace.open_burst, per="workspace"
    )
    return installs


def _settings(url: str, api_url: str, lanes: int, lease: timedelta) -> Settings:
    """A worker's settings: OAuth installs (a token per workspace) on this database, `lanes`
    sending lanes (MENTORBOT_SEND_CONCURRENCY) and claims lasting `lease`."""
    settings = Settings.from_env(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": "bench",
            "SLACK_SIGNING_SECRET": "bench",
            "MENTORBOT_TOKEN_KEY": Fernet.generate_key().decode(),
            "SLACK_API_URL": api_url,
            "MENTORBOT_SEND_CONCURRENCY": str(lanes),
            "MENTORBOT_DELIVERY_LEASE_SECONDS": str(int(lease.total_seconds())),
        }
    )
    return dataclasses.replace(settings, database_url=url)


def _seed(settings: Settings, plan: Plan, installs: dict[str, dict[str, str]]) -> None:
    """Migrate; the workspaces, their installs (tokens encrypted, as an install stores them),
    their people and the DMs, due now."""
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    now = utcnow()
    with unit_of_work(runtime.sessions) as session:
        for team in plan.teams:
            ensure_workspace(
                session,
                team_id=team,
                name=f"Bench {team}",
                bot_user_id=installs[team]["bot_user_id"],
                defaults=ALL_HOURS,
                now=now,
            )
        session.connection().execute(
            insert(Member),
            [member_row(user, user, now, team_id=team) for team, user in plan.recipients()],
        )
        due = now - timedelta(seconds=1)
        messages = [
            Outgoing(team, f"lanes:{n}", "user", user, {"text": f"hello {n}"}, due)
            for n, team, user in plan.queue()
        ]
        enqueue_many(session, messages, now=now)
    assert runtime.installations is not None
    for team, install in installs.items():
        runtime.installations.save(
            Installation(
                app_id=install["app_id"],
                team_id=team,
                bot_token=install["token"],
                bot_id=f"B{team}",
                bot_user_id=install["bot_user_id"],
                bot_scopes=["chat:write", "im:write", "im:history"],
                user_id=install["installer"],
            )
        )
    runtime.close()


def _work(settings: Settings) -> None:
    """A worker process: send as production's worker does, with its Runtime and the send
    policy of its settings, until nothing is pending."""
    logging.basicConfig(level=logging.ERROR)
    runtime = build_runtime(settings)
    try:
        while _count(runtime.engine, "pending", "sending"):
            report = deliver_due(runtime.sessions, runtime, utcnow(), runtime.send_policy)
            if not report.sent:
                time.sleep(0.1)  # what is left waits for a lease to lapse or a Retry-After
    finally:
        runtime.close()


def _count(engine: Engine, *statuses: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status.in_(statuses))
            )
            or 0
        )


def _posted(standin: SlackStandin) -> int:
    """In the stand-in's process: how many posts it has taken so far."""
    return sum(1 for call in standin.calls_to("chat.postMessage") if call.ok)


def _opened(standin: SlackStandin, *, by: float, latency: float) -> frozenset[tuple[str, str]]:
    """In the stand-in's process: (team, user) of everyone whose DM had been opened, the
    answer received, by a moment."""
    return frozenset(
        (standin.team_of(call), str(call.args.get("users")))
        for call in standin.calls_to("conversations.open")
        if call.ok and call.at + latency <= by
    )


def _start(settings: Settings, workers: int) -> list[BaseProcess]:
    context = multiprocessing.get_context("fork")
    started: list[BaseProcess] = [
        context.Process(target=_work, args=(settings,)) for _ in range(workers)
    ]
    for process in started:
        process.start()
    return started


def _figures(
    standin: SlackStandin, *, plan: Plan, opened: frozenset[tuple[str, str]], since: float
) -> dict[str, Any]:
    """In the stand-in's process: what reached Slack, and how."""
    texts: Counter[tuple[str, str]] = Counter()
    for _team, user in plan.recipients():
        channel = standin.dm_channel_for(user)
        texts.update((channel, message["text"]) for message in standin.messages_in(channel))
    calls = [call for call in standin.calls if call.method != "oauth.v2.access"]
    reopened = sum(
        1
        for call in calls
        if call.method == "conversations.open"
        and call.at >= since
        and (standin.team_of(call), str(call.args.get("users"))) in opened
    )
    return {
        "delivered": len(texts),
        "duplicated": sum(count - 1 for count in texts.values()),
        "calls": Counter(call.method for call in calls),
        "limited": {method: standin.ratelimited_by_team(method) for method in LIMITED},
        "reopened": reopened,
    }


def run(kind: str, plan: Plan, pace: Pace, workers: int, lanes: int, lease: timedelta) -> None:
    label = f"{kind} {workers}x{lanes}"
    if workers > 1 and kind == "SQLite":
        print(f"{label}: skipped (several worker processes need PostgreSQL)")
        return
    setup = partial(_prepare, plan=plan, pace=pace)
    with scratch_database(kind) as url, StandinProcess(setup=setup, backlog=256) as standin:
        settings = _settings(url, standin.api_url, lanes, lease)
        _seed(settings, plan, standin.prepared)
        progress = make_engine(url, poolclass=NullPool)
        cpu_before, machine_before = _children_cpu(), _machine_busy()
        standin_before = standin.ask(_own_cpu)
        started = time.time()
        first = _start(settings, workers)
        while standin.ask(_posted) < plan.messages // 2 and any(p.is_alive() for p in first):
            time.sleep(0.2)  # watching the workers, not timing them
        stopped = time.time()
        for process in first:
            process.terminate()
        for process in first:
            process.join()
        half = standin.ask(_posted)
        opened = standin.ask(partial(_opened, by=stopped, latency=pace.latency))
        # As if the restart came a lease later (SQLite's sole sender does so on starting).
        with unit_of_work(make_sessionmaker(progress)) as session:
            lapsed = release_abandoned_claims(session, wall=utcnow())
        restarted = time.time()
        second = _start(settings, workers)
        for process in second:
            process.join()
        elapsed = time.time() - started
        cpu = _children_cpu() - cpu_before  # the workers' (the stand-in's is still running)
        standin_cpu = standin.ask(_own_cpu) - standin_before
        machine = _machine_busy() - machine_before
        failed = [p.exitcode for p in second if p.exitcode]
        unsent = _count(progress, "failed", "expired", "cancelled")
        progress.dispose()
        figures = standin.ask(partial(_figures, plan=plan, opened=opened, since=restarted))
    _print(label, plan, pace, workers * lanes, figures, elapsed, standin.violations)
    print(
        f"  restart after {half:,} posts ({stopped - started:.1f} s): "
        f"{figures['reopened']} conversations.open for the {len(opened)} people whose DM had "
        f"been opened (target 0); {lapsed} claims ended; {elapsed - (restarted - started):.1f} s "
        "after it"
        + (f"; unsent rows {unsent}" if unsent else "")
        + (f"; workers failed with {failed}" if failed else "")
    )
    print(
        f"  workers' CPU: {cpu:.1f} s ({cpu / max(figures['delivered'], 1) * 1000:.1f} ms a "
        f"message, {cpu / elapsed:.2f} cores of this machine's {multiprocessing.cpu_count()}); "
        f"the stand-in's {standin_cpu:.1f} s; the whole machine busy "
        f"{machine / elapsed:.2f} cores (PostgreSQL's share is the rest)"
    )


def _own_cpu(_standin: SlackStandin) -> float:
    """In the stand-in's process: the CPU seconds it has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (Linux's /proc/stat), 0 elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(value) for value in fields]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _print(
    label: str,
    plan: Plan,
    pace: Pace,
    lanes: int,
    figures: dict[str, Any],
    elapsed: float,
    violations: int,
) -> None:
    delivered = figures["delivered"]
    calls: Counter[str] = figures["calls"]
    limited = ", ".join(
        f"{method} {sum(teams.values())} in {len(teams)} workspace{'s' * (len(teams) != 1)}"
        for method, teams in figures["limited"].items()
        if teams
    )
    print(
        f"{label}: {delivered:,} of {plan.messages:,} delivered in {elapsed:.1f} s "
        f"({delivered / elapsed:.1f}/s); lost {plan.messages - delivered}; "
        f"duplicated {figures['duplicated']}; contract violations {violations}"
    )
    print(
        "  calls: "
        + ", ".join(f"{method} {count:,}" for method, count in calls.most_common())
        + f"; 429s: {limited or 'none'}"
    )
    # What the workspace limits allowed: each workspace its burst, then its rate, all along.
    allowed = plan.workspaces * (pace.post_rate * elapsed + pace.post_burst)
    fastest = _fastest(plan, pace, lanes)
    print(
        f"  share of the workspace limits: {delivered / allowed:.1%} "
        f"(delivered / ({pace.post_rate:g}/s x elapsed + {pace.post_burst}) summed over "
        "workspaces; near 100% only when they bind); of the fastest the lanes and limits allow "
        f"({fastest:.1f} s): {fastest / elapsed:.0%}"
    )


def _fastest(plan: Plan, pace: Pace, lanes: int) -> float:
    """The least time these lanes could take within Slack's limits: every lane busy waiting
    for Slack (one conversations.open per person, one post per DM), or, if longer, the
    busiest workspace's or conversation's DMs beyond a burst at the limit's rate."""
    people = plan.workspaces * plan.people
    busy = (plan.messages + people) * pace.latency / lanes
    per_person = -(-plan.messages // people)
    per_workspace = per_person * plan.people
    limits = max(
        (per_workspace - pace.post_burst) / pace.post_rate,
        (per_person - pace.channel_burst) / pace.channel_rate,
        (plan.people - pace.open_burst) / pace.open_rate,
        0.0,
    )
    return max(busy, limits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 DMs, 12 workspaces x 1 person")
    parser.add_argument("--workers", type=int, help="worker processes (with --lanes: one shape)")
    parser.add_argument("--lanes", type=int, help="lanes per worker")
    parser.add_argument("--messages", type=int, help="DMs (default 5000)")
    parser.add_argument("--workspaces", type=int, help="workspaces (default 200)")
    parser.add_argument("--people", type=int, help="people in each workspace (default 5)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per Slack call")
    parser.add_argument("--post-rate", type=float, default=20.0, help="posts a second a workspace")
    parser.add_argument("--post-burst", type=int, default=20)
    parser.add_argument("--channel-rate", type=float, default=1.0, help="posts a second a DM")
    parser.add_argument("--channel-burst", type=int, default=3)
    parser.add_argument("--open-rate", type=float, default=50 / 60, help="opens a second")
    parser.add_argument("--open-burst", type=int, default=50)
    parser.add_argument("--lease", type=int, default=60, help="seconds a claim lasts")
    parser.add_argument("--only", choices=("SQLite", "PostgreSQL"), help="one database")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    small = (60, 12, 1) if args.quick else (5000, 200, 5)
    plan = Plan(
        messages=args.messages or small[0],
        workspaces=args.workspaces or small[1],
        people=args.people or small[2],
    )
    pace = Pace(
        latency=args.latency,
        post_rate=args.post_rate,
        post_burst=args.post_burst,
        channel_rate=args.channel_rate,
        channel_burst=args.channel_burst,
        open_rate=args.open_rate,
        open_burst=args.open_burst,
    )
    lease = timedelta(seconds=args.lease)
    shapes: tuple[tuple[int, int], ...] = SHAPES
    if args.workers or args.lanes:
        shapes = ((args.workers or 1, args.lanes or 1),)
    print(
        f"{plan.messages:,} DMs to {plan.workspaces} workspaces x {plan.people} "
        f"{'person' if plan.people == 1 else 'people'}; "
        f"Slack answers in {pace.latency * 1000:.0f} ms, paces chat.postMessage at "
        f"{pace.channel_rate:g}/s a DM (bursts of {pace.channel_burst}) and {pace.post_rate:g}/s "
        f"a workspace (bursts of {pace.post_burst}), conversations.open at "
        f"{pace.open_rate * 60:g}/min a workspace (bursts of {pace.open_burst}); "
        f"claims last {lease.total_seconds():g} s"
    )
    for kind in database_kinds():
        if args.only and kind != args.only:
            continue
        for workers, lanes in shapes:
            run(kind, plan, pace, workers, lanes, lease)


if __name__ == "__main__":
    main()
