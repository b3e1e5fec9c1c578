"""Metrics (Prometheus) and logs (text by default, JSON on request) with the request id of each line.

The app owns one ``Metrics`` (its own registry: nothing global). With ``--workers N`` each process has its own
counters, so scrape each process, or run one worker per container.
"""

from __future__ import annotations

import contextvars
import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

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

    def observe_request(self, operation: str, outcome: str, seconds: float) -> None:
        self.requests.labels(operation, outcome).inc()
        self.latency.labels(operation).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


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
