"""Running the app under uvicorn (httptools, its fastest HTTP parser) with bounds on what slow or oversized clients
can hold.

- request line and headers: at most ``USERPOOL_MAX_HEADER_BYTES`` (httptools has no limit of its own: the bytes
  received while a head is incomplete are counted, and so are the URL and headers it hands over), else ``400``
  and the connection is closed;
- time to send a request's line and headers: ``USERPOOL_HEADER_READ_TIMEOUT`` seconds from the connection's
  opening, or from the previous response, else the connection is closed (uvicorn itself has no such timer: a
  client could hold a connection forever by sending a header byte at a time);
- time to send the body: ``USERPOOL_BODY_READ_TIMEOUT`` (in the app, ``protocol.wire``);
- idle keep-alive connections: ``USERPOOL_KEEP_ALIVE_TIMEOUT``;
- connections and requests in progress: ``USERPOOL_MAX_CONNECTIONS`` (beyond it uvicorn answers a plain 503).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from userpool.config import Settings


class HeadTooLarge(Exception):
    """Raised from a parser callback: httptools turns it into a parse error, which uvicorn answers with 400."""


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size limit and a deadline for each request's head (line and headers)."""

    max_header_bytes: int = 16384
    header_read_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._expect_head()

    def _expect_head(self) -> None:
        """A new request's head may start now: count its bytes afresh and give it ``header_read_timeout``."""
        self._head_open = True
        self._head_received = 0  # bytes received while the head is incomplete
        self._head_parsed = 0  # bytes of this request's URL and headers the parser has handed over
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.header_read_timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if getattr(self, "_head_deadline", None) is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self._head_open and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._head_open:
            self._head_received += len(data)
        super().data_received(data)
        if self._head_open and self._head_received > self.max_header_bytes and not self.transport.is_closing():
            self.send_400_response("Request line and headers too large.")

    def on_message_begin(self) -> None:
        self._head_parsed = 0
        super().on_message_begin()

    def _count(self, size: int) -> None:
        self._head_parsed += size
        if self._head_parsed > self.max_header_bytes:
            raise HeadTooLarge

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_open = False  # the body has its own deadline, in the app
        self._disarm_head_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._expect_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)


class WorkerProtocol(GuardedProtocol):
    """The protocol of each worker process (``--workers``): its limits come from the settings the parent put in the
    environment (a class made at run time could not be handed to the workers)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        cls = type(self)
        if "_configured" not in cls.__dict__:
            from userpool.app import WORKER_SETTINGS

            settings = Settings.model_validate_json(os.environ[WORKER_SETTINGS])
            cls.max_header_bytes, cls.header_read_timeout = settings.max_header_bytes, settings.header_read_timeout
            cls._configured = True
        super().connection_made(transport)


def protocol_for(settings: Settings) -> type[GuardedProtocol]:
    limits = {"max_header_bytes": settings.max_header_bytes, "header_read_timeout": settings.header_read_timeout}
    return type("Protocol", (GuardedProtocol,), limits)


def run(app: Any, settings: Settings) -> None:
    """Serve ``app``; with ``settings.workers`` > 1, that many processes each build their own app from the settings
    the caller put in the environment (``app.app_from_environment``) and use the default header deadline."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections,
        # X-Forwarded-For is ours to judge (USERPOOL_TRUSTED_PROXIES); uvicorn would believe it from 127.0.0.1.
        "proxy_headers": False,
    }
    if settings.workers > 1:
        uvicorn.run(
            "userpool.app:app_from_environment",
            factory=True,
            workers=settings.workers,
            http=WorkerProtocol,
            **options,
        )
    else:
        uvicorn.run(app, http=protocol_for(settings), **options)
