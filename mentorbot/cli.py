"""The `mentorbot` command line: run, worker, tick, db upgrade, import-pairs, report, doctor,
demo."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING

from mentorbot.bot.settings import Settings, SettingsError
from mentorbot.bot.timeutil import parse_instant, utcnow
from mentorbot.logs import configure_logging

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from mentorbot.runtime import Runtime

log = logging.getLogger("mentorbot")


class CommandError(Exception):
    """A one-line problem to show the operator instead of a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mentorbot` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except (SettingsError, CommandError) as error:
        print(f"mentorbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="A Slack bot that runs mentoring programmes. Settings come from the "
        "environment (see README).",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="serve Slack (Socket Mode when SLACK_APP_TOKEN is set, else HTTP) and the scheduler",
        description="Serve Slack requests. With SLACK_APP_TOKEN set, connect over Socket Mode; "
        "otherwise serve HTTP: POST /slack/events and GET /healthz. Applies database "
        "migrations first. Stops cleanly on SIGTERM.",
    )
    run.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    run.add_argument(
        "--no-scheduler", action="store_true", help="do not run the tick every minute here"
    )
    run.set_defaults(handler=_run)

    worker = sub.add_parser(
        "worker",
        help="run the scheduler and the outbound sender only (the Procfile's worker)",
        description="Run the tick every minute: find due work, then deliver queued messages.",
    )
    worker.set_defaults(handler=_worker)

    tick = sub.add_parser(
        "tick",
        help="run one pass of all due work as of a moment, send it, print a summary",
        description="Run one pass of all due work as of --at (default: now), deliver it, "
        "print a one-line summary and exit.",
    )
    tick.add_argument(
        "--at",
        type=_instant,
        help="ISO-8601 instant, e.g. 2027-03-09T09:00:00+01:00 (no offset means UTC)",
    )
    tick.set_defaults(handler=_tick)

    db = sub.add_parser(
        "db", help="database maintenance: `db upgrade`", description="Database maintenance."
    )
    db.set_defaults(handler=lambda _args: _print_help(db))
    db_sub = db.add_subparsers(title="db commands", metavar="DB_COMMAND")
    upgrade = db_sub.add_parser(
        "upgrade",
        help="apply Alembic migrations up to the newest (safe to repeat)",
        description="Apply Alembic migrations up to the newest; does nothing when up to date.",
    )
    upgrade.set_defaults(handler=_db_upgrade)

    importer = sub.add_parser(
        "import-pairs",
        help="pair people from a CSV file (columns mentor,mentee: Slack IDs or e-mails)",
        description="Read a CSV file whose header is mentor,mentee and whose rows hold Slack "
        "member IDs or e-mail addresses; check every row, then create every pair (and queue "
        "its kickoff) or none. Exits 1 when a row is wrong, listing each by line number.",
    )
    importer.add_argument("file", metavar="FILE.csv", help="the CSV file to read")
    importer.add_argument("--cohort", required=True, metavar="NAME", help="the cohort to pair in")
    importer.add_argument(
        "--dry-run", action="store_true", help="check every row and report, but change nothing"
    )
    importer.add_argument(
        "--team",
        metavar="T…",
        help="the workspace's team ID (needed with OAuth installs, where there are several)",
    )
    importer.set_defaults(handler=_import_pairs)

    report = sub.add_parser(
        "report",
        help="write a cohort's report: a CSV of per-pair engagement and a chart of check-ins",
        description="Write <cohort>-pairs.csv (per-pair engagement, never check-in text) and "
        "<cohort>-weekly-checkins.png (check-ins per week) into DIR, then print their paths. "
        "Reads the database only; needs no Slack token.",
    )
    report.add_argument("--cohort", required=True, metavar="NAME", help="the cohort to report on")
    report.add_argument("--out", required=True, metavar="DIR", help="folder for the files")
    report.add_argument(
        "--team", metavar="T…", help="the workspace's team ID (needed when there are several)"
    )
    report.set_defaults(handler=_report)

    doctor = sub.add_parser(
        "doctor",
        help="check this install: settings, database, token and scopes, public URL",
        description="Runs each check once and prints a line for it, with what to do when it "
        "fails; exits 1 when any fails.",
    )
    doctor.set_defaults(handler=_doctor)

    demo = sub.add_parser(
        "demo",
        help="run a short mentoring programme against a local Slack stand-in (no Slack needed)",
        description="Needs no Slack and no settings: runs a short programme on a throwaway "
        "SQLite database against a local stand-in for Slack and prints a transcript.",
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="afterwards, keep the demo's web server up and print a dashboard link (Ctrl-C stops)",
    )
    demo.set_defaults(handler=_demo)
    return parser


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _instant(text: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time; use e.g. 2027-03-09T09:00:00Z"
        ) from None


def _settings() -> Settings:
    return Settings.from_env(os.environ)


def _configure_logging(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_format)


def _db_upgrade(_args: argparse.Namespace) -> int:
    from mentorbot.bot.db import make_engine
    from mentorbot.bot.migrate import upgrade

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except Exception as error:
        raise CommandError(f"could not migrate the database: {_describe(error)}") from None
    finally:
        engine.dispose()
    print("database is up to date")
    return 0


def _tick(args: argparse.Namespace) -> int:
    from mentorbot.bot.tick import run_tick

    runtime = _connected_runtime(_settings())
    try:
        summary = run_tick(
            runtime.sessions,
            runtime,
            args.at or utcnow(),
            runtime.send_policy,
            retention_days=runtime.settings.retention_days,
            language=runtime.settings.language,
        )
    finally:
        runtime.close()
    print(summary.line())
    return 0


def _worker(_args: argparse.Namespace) -> int:
    from mentorbot.schedules.scheduler import blocking_scheduler

    settings = _settings()
    _configure_logging(settings)
    runtime = _connected_runtime(settings)
    _take_over_as_sole_sender(runtime)
    scheduler = blocking_scheduler(runtime)
    listener = _worker_metrics(runtime)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        log.info("stopping the worker")
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("worker started: tick every minute")
    try:
        scheduler.start()
    finally:
        if listener is not None:
            listener.shutdown()
            listener.server_close()
        runtime.close()
    return 0


def _worker_metrics(runtime: Runtime) -> WSGIServer | None:
    """The worker's metrics listener, when MENTORBOT_METRICS=on."""
    from mentorbot.metrics import listen_if_enabled

    try:
        return listen_if_enabled(runtime)
    except OSError as error:
        runtime.close()
        raise CommandError(
            f"cannot listen for metrics on port {runtime.settings.metrics_port} "
            f"(MENTORBOT_METRICS_PORT): {error.strerror or error}"
        ) from None


def _run(args: argparse.Namespace) -> int:
    from mentorbot.server import serve_http, serve_socket_mode

    settings = _settings()
    settings.require_for_run()
    _configure_logging(settings)
    runtime = _connected_runtime(settings)
    if not args.no_scheduler:
        _take_over_as_sole_sender(runtime)
    runtime.close()  # the server builds its own, after forking
    if settings.socket_mode:
        return serve_socket_mode(settings, scheduler=not args.no_scheduler)
    return serve_http(settings, port=args.port or settings.port, scheduler=not args.no_scheduler)


def _import_pairs(args: argparse.Namespace) -> int:
    from mentorbot.imports import import_file

    try:
        with open(args.file, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror or error}") from None
    settings = _settings()
    if settings.oauth and not args.team:
        raise CommandError(
            "--team is needed with OAuth installs: name the workspace, e.g. --team T012AB3CD"
        )
    runtime = _connected_runtime(settings)
    try:
        report = import_file(
            runtime,
            data,
            cohort_name=args.cohort,
            dry_run=args.dry_run,
            team_id=args.team,
            progress=sys.stderr,
        )
    finally:
        runtime.close()
    print(report.text)
    return 0 if report.ok else 1


def _doctor(_args: argparse.Namespace) -> int:
    from mentorbot.doctor import run_checks

    checks = run_checks(os.environ)
    for check in checks:
        print(check.line())
    return 0 if all(check.ok for check in checks) else 1


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mentorbot.bot import languages
    from mentorbot.bot.db import make_engine, make_sessionmaker, unit_of_work
    from mentorbot.bot.migrate import upgrade
    from mentorbot.bot.reports import ReportError, write_report

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        try:
            upgrade(engine)
        except Exception as error:
            raise CommandError(
                "could not reach or migrate the database at MENTORBOT_DATABASE_URL: "
                f"{_describe(error)}"
            ) from None
        with (
            unit_of_work(make_sessionmaker(engine)) as session,
            languages.by_default(settings.language),  # (the report's words)
        ):
            paths = write_report(
                session,
                team_id=args.team,
                cohort_name=args.cohort,
                out=Path(args.out),
                now=utcnow(),
            )
    except ReportError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    for path in paths:
        print(path)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from mentorbot.demo import run_demo

    return run_demo(sys.stdout, serve=args.serve)


def _connected_runtime(settings: Settings) -> Runtime:
    """Introduce ourselves to Slack and migrate the database; failures become one clear line."""
    from mentorbot.bot.migrate import upgrade
    from mentorbot.runtime import build_runtime, identify, record_workspace

    if not settings.slack_bot_token and not settings.oauth:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set: this command sends messages to Slack. Copy the Bot "
            "User OAuth Token (xoxb-...) from your Slack app's OAuth & Permissions page "
            "(or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs)."
        )
    runtime = build_runtime(settings)
    try:
        # Before the database: a bad token changes nothing. With OAuth installs each
        # workspace's token was checked when it installed.
        identity = None if settings.oauth else identify(runtime)
        try:
            upgrade(runtime.engine)
        except Exception as error:
            raise CommandError(
                "could not reach or migrate the database at MENTORBOT_DATABASE_URL: "
                f"{_describe(error)}"
            ) from None
        if identity is not None:
            runtime.team_id = record_workspace(runtime, identity, utcnow())
    except (SettingsError, CommandError):
        runtime.close()
        raise
    return runtime


def _take_over_as_sole_sender(runtime: Runtime) -> None:
    """On SQLite (one worker by design) claims left by a crashed predecessor end now."""
    from mentorbot.bot.db import unit_of_work
    from mentorbot.bot.delivery import release_abandoned_claims

    if runtime.engine.dialect.name != "sqlite":
        return  # other workers may be alive: their claims expire with their leases
    with unit_of_work(runtime.sessions) as session:
        released = release_abandoned_claims(session, wall=utcnow())
    if released:
        log.warning(
            "%d message(s) claimed by a sender that stopped will be checked and sent", released
        )


def _describe(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else error.__class__.__name__


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
