"""What delivery costs: ResendConfirmationCode latency (no password hashing, so the message dominates) with the
outbox alone, with SMTP to a local aiosmtpd server and with an SMS webhook on loopback.

    .venv/bin/python bench/delivery.py [--requests 200] [--concurrency 4]

Each sender gets its own server (fresh SQLite store). Loopback peers answer at once, so the numbers are the
service's own cost of composing and handing over a message, not a real mail or SMS provider's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.peers import SmtpSink, WebhookSink
from userpool.testing import ServerProcess
from userpool.testing import boto3_client as make_client


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(url: str, medium: str, requests: int, concurrency: int) -> dict[str, float]:
    cognito = make_client(url)
    attribute = "phone_number" if medium == "SMS" else "email"
    pool_id = cognito.create_user_pool(PoolName="bench", AutoVerifiedAttributes=[attribute])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="bench")["UserPoolClient"]["ClientId"]
    names = [uuid.uuid4().hex for _ in range(concurrency)]
    for i, name in enumerate(names):
        value = f"+1555000{i:04d}" if medium == "SMS" else f"{name}@example.com"
        cognito.sign_up(
            ClientId=client_id,
            Username=name,
            Password="Passw0rd!",
            UserAttributes=[{"Name": attribute, "Value": value}],
        )

    def resend(client, name: str, latencies: list[float]) -> None:
        started = time.perf_counter()
        client.resend_confirmation_code(ClientId=client_id, Username=name)
        latencies.append(time.perf_counter() - started)

    for _ in range(10):  # warm-up
        resend(cognito, names[0], [])
    sequential: list[float] = []
    for _ in range(requests):
        resend(cognito, names[0], sequential)

    concurrent: list[float] = []
    clients = [make_client(url) for _ in names]

    def worker(client, name: str) -> None:
        for _ in range(requests // concurrency):
            resend(client, name, concurrent)

    threads = [threading.Thread(target=worker, args=pair) for pair in zip(clients, names, strict=True)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "sequential_p50_ms": statistics.median(sequential) * 1000,
        "sequential_p95_ms": percentile(sequential, 95) * 1000,
        "concurrent_per_s": len(concurrent) / elapsed,
        "concurrent_p99_ms": percentile(concurrent, 99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    smtp = SmtpSink().start()
    webhook = WebhookSink().start()
    quiet = {"USERPOOL_LOG_LEVEL": "warning"}
    setups = {
        "outbox": ("EMAIL", quiet),
        "smtp": (
            "EMAIL",
            {
                **quiet,
                "USERPOOL_EMAIL_SENDER": "smtp",
                "USERPOOL_SMTP_HOST": "127.0.0.1",
                "USERPOOL_SMTP_PORT": str(smtp.port),
                "USERPOOL_SMTP_SECURITY": "none",
            },
        ),
        "webhook": ("SMS", {**quiet, "USERPOOL_SMS_SENDER": "webhook", "USERPOOL_SMS_WEBHOOK_URL": webhook.url}),
    }
    results = {}
    try:
        for name, (medium, env) in setups.items():
            server = ServerProcess(Path(tempfile.mkdtemp()) / "data", env=env).start()
            try:
                results[name] = measure(server.url, medium, args.requests, args.concurrency)
            finally:
                server.stop()
    finally:
        smtp.stop()
        webhook.stop()
    keys = list(next(iter(results.values())))
    print(f"{'sender':<8}" + "".join(f"{k:>20}" for k in keys))
    for name, values in results.items():
        print(f"{name:<8}" + "".join(f"{values[k]:20.2f}" for k in keys))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
