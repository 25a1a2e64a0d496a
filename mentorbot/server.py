"""Serving Slack: gunicorn for HTTP, or a Socket Mode connection; the scheduler beside either."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from gunicorn.app.base import BaseApplication

from mentorbot.bot.settings import Settings

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    """gunicorn driven from code: one worker process, threads for concurrent requests."""

    def __init__(self, settings: Settings, port: int, scheduler: bool) -> None:
        self.settings = settings
        self.port = port
        self.scheduler = scheduler
        super().__init__()

    def load_config(self) -> None:
        # One worker: the in-process scheduler must run exactly once. Threads serve concurrency.
        options = {
            "bind": f"0.0.0.0:{self.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": 8,
            "timeout": 30,
            "graceful_timeout": 20,
            "accesslog": None,
            "post_worker_init": self._post_worker_init,
            "worker_exit": self._worker_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from mentorbot.app import create_app
        from mentorbot.runtime import build_runtime, freeze_long_lived
        from mentorbot.web import WebApp

        self.runtime = build_runtime(self.settings)
        app = WebApp(create_app(self.runtime), self.runtime)
        freeze_long_lived()
        return app

    def _post_worker_init(self, _worker: Any) -> None:
        self._scheduler: BackgroundScheduler | None = None
        if self.scheduler:
            from mentorbot.schedules.scheduler import background_scheduler

            self._scheduler = background_scheduler(self.runtime)
            self._scheduler.start()
            log.info("scheduler started: tick every minute")

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        scheduler = getattr(self, "_scheduler", None)
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        if getattr(self, "runtime", None) is not None:
            self.runtime.close()


def serve_http(settings: Settings, *, port: int, scheduler: bool) -> int:
    """Serve POST /slack/events and GET /healthz until SIGTERM or SIGINT."""
    log.info("serving Slack over HTTP on port %d", port)
    _Gunicorn(settings, port, scheduler).run()
    return 0


def serve_socket_mode(settings: Settings, *, scheduler: bool) -> int:
    """Receive Slack requests over a Socket Mode connection until SIGTERM or SIGINT."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from mentorbot.app import create_app
    from mentorbot.metrics import listen_if_enabled
    from mentorbot.runtime import build_runtime, freeze_long_lived
    from mentorbot.schedules.scheduler import background_scheduler

    runtime = build_runtime(settings)
    handler = SocketModeHandler(create_app(runtime), settings.slack_app_token)
    freeze_long_lived()
    ticker = background_scheduler(runtime) if scheduler else None
    listener = listen_if_enabled(runtime)
    stopped = threading.Event()

    def stop(_signum: int, _frame: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    handler.connect()
    if ticker:
        ticker.start()
    log.info("connected to Slack over Socket Mode")
    stopped.wait()
    log.info("stopping")
    if ticker:
        ticker.shutdown(wait=True)
    if listener is not None:
        listener.shutdown()
        listener.server_close()
    handler.close()
    runtime.close()
    return 0
