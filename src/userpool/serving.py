"""Running the app under uvicorn with bounds on what slow or oversized clients can hold.

- request line and headers: at most ``USERPOOL_MAX_HEADER_BYTES`` (h11's incomplete-event limit; uvicorn's default
  httptools parser has no configurable limit, so h11 is used);
- time to send a request's line and headers: ``USERPOOL_HEADER_READ_TIMEOUT`` seconds from the connection's
  opening, or from the previous response, else the connection is closed (uvicorn itself has no such timer: a
  client could hold a connection forever by sending a header byte at a time);
- time to send the body: ``USERPOOL_BODY_READ_TIMEOUT`` (in the app, ``protocol.wire``);
- idle keep-alive connections: ``USERPOOL_KEEP_ALIVE_TIMEOUT``;
- connections and requests in progress: ``USERPOOL_MAX_CONNECTIONS`` (beyond it uvicorn answers a plain 503).
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from userpool.config import Settings


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head (line and headers)."""

    header_read_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._arm_head_deadline()

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.header_read_timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if getattr(self, "_head_deadline", None) is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _request_in_progress(self) -> bool:
        cycle = getattr(self, "cycle", None)
        return cycle is not None and not cycle.response_complete

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self._request_in_progress() and not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self._request_in_progress():
            self._disarm_head_deadline()  # the head is in: the body has its own deadline in the app

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)


def protocol_for(settings: Settings) -> type[GuardedH11Protocol]:
    return type("Protocol", (GuardedH11Protocol,), {"header_read_timeout": settings.header_read_timeout})


def run(app: Any, settings: Settings) -> None:
    """Serve ``app``; with ``settings.workers`` > 1, that many processes each build their own app from the settings
    the caller put in the environment (``app.app_from_environment``) and use the default header deadline."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
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
            http=GuardedH11Protocol,
            **options,
        )
    else:
        uvicorn.run(app, http=protocol_for(settings), **options)
