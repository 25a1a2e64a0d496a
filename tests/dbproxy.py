"""A TCP proxy in the test process that can take a database "down" without stopping it.

The bot connects to the proxy instead of PostgreSQL. `outage()` closes every open
connection (the server seems to have gone away mid-conversation) and closes the listening
socket, so new connections are refused, as when PostgreSQL is stopped; `recover()` listens
again on the same port. The shared PostgreSQL server, which other tests use, is never touched.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy.engine import make_url


class DatabaseProxy:
    """Forwards 127.0.0.1:<port> to an upstream host:port, byte for byte."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.connections_made = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> DatabaseProxy:
        """Listen (on a free port the first time, on the same port after an outage)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = int(listener.getsockname()[1])
        with self._lock:
            self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def outage(self) -> None:
        """Refuse new connections and cut every open one."""
        with self._lock:
            listener, self._listener = self._listener, None
            open_now, self._open = set(self._open), set()
        if listener is not None:
            _close(listener)
        for sock in open_now:
            _close(sock)

    def recover(self) -> None:
        """Accept connections again, on the same port."""
        self.start()

    @property
    def down(self) -> bool:
        with self._lock:
            return self._listener is None

    def close(self) -> None:
        self.outage()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> DatabaseProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def url_for(self, database_url: str) -> str:
        """`database_url` (pointing at the upstream) rewritten to go through this proxy."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    # -- forwarding -------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener was closed: an outage, or the end
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # an outage began meanwhile
                    _close(client)
                    _close(server)
                    continue
                self._open.update((client, server))
                self.connections_made += 1
            for source, target in ((client, server), (server, client)):
                pipe = threading.Thread(target=self._pipe, args=(source, target), daemon=True)
                pipe.start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(target)
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()


@contextmanager
def proxied(database_url: str) -> Iterator[tuple[DatabaseProxy, str]]:
    """A proxy in front of the database of `database_url`, and the URL that goes through it."""
    url = make_url(database_url)
    with DatabaseProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy, proxy.url_for(database_url)
