"""Metrics (Prometheus) and logs (text by default, JSON on request) with the request id of each line.

The app owns one ``Metrics`` (its own registry: nothing global). With ``--workers N`` each process has its own
counters, so scrape each process, or run one worker per container.
"""

from __future__ import annotations

import contextvars
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

RECENT_REQUESTS = 500  # what the console's activity view keeps, per process
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "userpool_requests",
            "API requests by operation and outcome (ok or the AWS error type)",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "userpool_request_seconds",
            "API request latency by operation",
            ["operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.hashes_in_flight = Gauge(
            "userpool_password_hashes_in_flight",
            "argon2id hashes running or queued in the hashing pool",
            registry=self.registry,
        )
        self.trigger_seconds = Histogram(
            "userpool_trigger_seconds", "Lambda trigger latency by trigger source", ["source"], registry=self.registry
        )
        self.trigger_failures = Counter(
            "userpool_trigger_failures", "Lambda trigger failures by trigger source", ["source"], registry=self.registry
        )
        self.delivery_failures = Counter(
            "userpool_delivery_failures", "Messages that could not be delivered, by medium", ["medium"],
            registry=self.registry,
        )  # fmt: skip
        self.recent = RecentRequests(RECENT_REQUESTS)
        # Each labelled child, once found: ``labels()`` checks and locks on every call (operation names are the
        # model's and outcomes its error types, so these stay as small as the metrics themselves).
        self._counted: dict[tuple[str, str], Any] = {}
        self._timed: dict[str, Any] = {}

    def observe_request(self, operation: str, outcome: str, seconds: float) -> None:
        counted = self._counted.get((operation, outcome))
        if counted is None:
            counted = self._counted[operation, outcome] = self.requests.labels(operation, outcome)
        timed = self._timed.get(operation)
        if timed is None:
            timed = self._timed[operation] = self.latency.labels(operation)
        counted.inc()
        timed.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def totals(self) -> dict[str, dict[str, int]]:
        """Requests since this process started, by operation and then outcome (``ok`` or the AWS error type)."""
        found: dict[str, dict[str, int]] = {}
        for metric in self.requests.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    by_outcome = found.setdefault(sample.labels["operation"], {})
                    by_outcome[sample.labels["outcome"]] = int(sample.value)
        return found


@dataclass(frozen=True)
class RequestRecord:
    """One answered request as the activity view shows it: never a password, code, token or secret (the pool and
    user are the request's own identifiers; an error's message is the one the client was answered)."""

    at: float  # epoch seconds, the server's clock
    request_id: str
    door: str  # "api" or "console"
    operation: str
    pool_id: str | None
    username: str | None
    outcome: str  # "ok" or the AWS error type
    message: str | None  # the error's message
    milliseconds: float


class RecentRequests:
    """The latest requests of this process, in a bounded ring (an observability facility like the metrics: each
    process keeps its own, nothing is written to the store)."""

    def __init__(self, size: int) -> None:
        self._ring: deque[RequestRecord] = deque(maxlen=size)

    def add(self, record: RequestRecord) -> None:
        self._ring.append(record)

    def latest(self, limit: int, pool_id: str | None = None, errors_only: bool = False) -> list[RequestRecord]:
        """Newest first, at most ``limit``, of one pool and/or only refusals when asked."""
        found = []
        for record in reversed(self._ring):
            if (pool_id is None or record.pool_id == pool_id) and not (errors_only and record.outcome == "ok"):
                found.append(record)
                if len(found) == limit:
                    break
        return found


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being served (or "-") on every log record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(level: str, json_logs: bool) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if json_logs:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # httpx logs every request's full URL at INFO; an SMS webhook URL may carry a token. Libraries that would log
    # SQL parameters or request bodies at debug level stay quiet whatever the level: no password hash, code, or
    # secret ever reaches the log.
    for noisy in ("httpx", "sqlalchemy", "asyncpg", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
