"""The load generator: AWS JSON 1.1 requests, serialized by botocore as boto3 would, sent by an async client.

Why not boto3 in threads? boto3 costs ~1-2 ms of CPU per call (parameter validation, serialization, signing,
urllib3) and its threads contend for the GIL: on a 2-core machine the client would steal a large share of the CPU
it measures. Here every request is serialized up front, before the clock starts, by botocore's own ``json``
serializer from the shipped ``cognito-idp`` model (the same body and ``X-Amz-Target``/``Content-Type`` headers
boto3 sends, plus boto3's ``User-Agent``); only the SigV4 signature is left out (no access keys are configured on
the servers measured, and they ignore it). During the run one aiohttp session on uvloop sends them over a bounded
pool of keep-alive connections (one per simulated client), so the generator costs tens of microseconds per request.

A ``TooManyRequestsException`` (the server's back-pressure) is counted and the same request is sent again after a
jittered exponential backoff, as botocore's retry handler does for throttling errors; the latency recorded for a
request is from its first send to its final answer, what an application would see (and, apart, from the send of
the attempt that was answered: how long the server itself kept it).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import botocore
import botocore.loaders
import botocore.model
import botocore.serialize

THROTTLED = "TooManyRequestsException"
USER_AGENT = f"Boto3/bench Python/3 Botocore/{botocore.__version__}"
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Request:
    operation: str
    body: bytes
    headers: dict[str, str]


class Serializer:
    """AWS JSON 1.1 requests for ``cognito-idp`` operations, built by botocore from the shipped model."""

    def __init__(self) -> None:
        loader = botocore.loaders.Loader()
        self._model = botocore.model.ServiceModel(loader.load_service_model("cognito-idp", "service-2"))
        self._serializer = botocore.serialize.create_serializer("json", include_validation=True)

    def request(self, operation: str, params: dict[str, Any]) -> Request:
        built = self._serializer.serialize_to_request(params, self._model.operation_model(operation))
        headers = {k: str(v) for k, v in built["headers"].items()}
        headers["User-Agent"] = USER_AGENT
        return Request(operation, built["body"], headers)


@dataclass
class Result:
    """What one run of requests gave: answers by outcome, latencies of the answered ones, wall time, CPU."""

    operation: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    # from the send of the attempt that was answered: the server's own queueing, without the client's backoff
    attempt_latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    throttled: int = 0  # TooManyRequestsException answers (each retried)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds this process spent generating the load

    @property
    def ok(self) -> int:
        return self.outcomes["ok"]

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000

    def summary(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "concurrency": self.concurrency,
            "ok": self.ok,
            "errors": {k: v for k, v in self.outcomes.items() if k != "ok"},
            "throttled": self.throttled,
            "per_second": round(self.per_second, 2),
            "p50_ms": round(self.percentile_ms(50), 2),
            "p95_ms": round(self.percentile_ms(95), 2),
            "p99_ms": round(self.percentile_ms(99), 2),
            "answered_attempt_p99_ms": round(percentile(self.attempt_latencies, 99) * 1000, 2),
            "elapsed_s": round(self.elapsed, 3),
            "client_cpu_s": round(self.client_cpu, 3),
        }


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    if p == 50:
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def _send(session: aiohttp.ClientSession, url: str, request: Request) -> tuple[int, str, dict[str, Any]]:
    async with session.post(url, data=request.body, headers=request.headers) as response:
        raw = await response.read()
    try:
        payload = json.loads(raw) if raw else {}
    except ValueError:
        payload = {}
    error = "ok" if response.status == 200 else str(payload.get("__type", f"HTTP {response.status}")).split("#")[-1]
    return response.status, error, payload


async def _run(
    url: str, requests: Sequence[Request], concurrency: int, time_limit: float, keep: bool
) -> tuple[Result, list[dict[str, Any] | None]]:
    result = Result(requests[0].operation if requests else "-", concurrency)
    answers: list[dict[str, Any] | None] = [None] * len(requests)
    queue = iter(range(len(requests)))
    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=120)
    deadline = time.monotonic() + time_limit

    async def client(session: aiohttp.ClientSession) -> None:
        for index in queue:
            if time.monotonic() > deadline:
                return
            request = requests[index]
            started = time.perf_counter()
            for attempt in range(MAX_ATTEMPTS):
                sent = time.perf_counter()
                try:
                    _, outcome, payload = await _send(session, url, request)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    outcome, payload = type(exc).__name__, {}
                if outcome != THROTTLED or attempt == MAX_ATTEMPTS - 1:
                    break
                result.throttled += 1
                await asyncio.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))
            result.outcomes[outcome] += 1
            if outcome == "ok":
                now = time.perf_counter()
                result.latencies.append(now - started)
                result.attempt_latencies.append(now - sent)
                if keep:
                    answers[index] = payload

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(min(concurrency, len(requests)) or 1)))
        result.elapsed = time.perf_counter() - started
        result.client_cpu = time.process_time() - cpu
    return result, answers


def run(
    url: str, requests: Sequence[Request], concurrency: int, time_limit: float = 300.0, keep: bool = False
) -> tuple[Result, list[dict[str, Any] | None]]:
    """Send ``requests`` with ``concurrency`` clients (closed loop: each sends its next request when answered),
    stopping early after ``time_limit`` seconds. Returns the result and, with ``keep``, each request's answer."""
    try:
        import uvloop

        return uvloop.run(_run(url, requests, concurrency, time_limit, keep))
    except ImportError:  # pragma: no cover - uvloop is a dependency everywhere but Windows
        return asyncio.run(_run(url, requests, concurrency, time_limit, keep))


def build(serializer: Serializer, operation: str, params: Iterable[dict[str, Any]]) -> list[Request]:
    return [serializer.request(operation, p) for p in params]
