"""SignUp speed: sequential latency and throughput with concurrent boto3 clients, against the hash bound.

    .venv/bin/python bench/signup.py [--requests 200] [--concurrency 8] [--url http://127.0.0.1:9229]

Without --url it starts its own server (fresh SQLite store in a temporary folder). The hash bound is measured
in the same run: one argon2id hash at our parameters on one core, and ``cores / hash time`` SignUps per second,
the most any implementation that hashes passwords this way could do on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from userpool.domain.passwords import new_hasher
from userpool.testing import ServerProcess
from userpool.testing import boto3_client as make_client


def hash_seconds(samples: int = 20) -> float:
    hasher = new_hasher()
    hasher.hash("warm-up")
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        hasher.hash("Passw0rd!")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(url: str, requests: int, concurrency: int) -> dict[str, float]:
    setup = make_client(url)
    pool_id = setup.create_user_pool(PoolName="bench", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = setup.create_user_pool_client(UserPoolId=pool_id, ClientName="bench")["UserPoolClient"]["ClientId"]

    def sign_up(client, latencies: list[float]) -> None:
        name = uuid.uuid4().hex
        started = time.perf_counter()
        client.sign_up(
            ClientId=client_id,
            Username=name,
            Password="Passw0rd!",
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        )
        latencies.append(time.perf_counter() - started)

    sequential: list[float] = []
    for _ in range(10):  # warm-up
        sign_up(setup, [])
    for _ in range(requests):
        sign_up(setup, sequential)

    concurrent: list[float] = []
    per_thread = requests // concurrency
    clients = [make_client(url) for _ in range(concurrency)]

    def worker(client) -> None:
        for _ in range(per_thread):
            sign_up(client, concurrent)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
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
        "concurrent_p50_ms": statistics.median(concurrent) * 1000,
        "concurrent_p99_ms": percentile(concurrent, 99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--url")
    args = parser.parse_args()

    one_hash = hash_seconds()
    cores = os.cpu_count() or 1
    bound = cores / one_hash
    server = None
    if args.url is None:
        # The per-pool UserCreation quota (50/s by default) is lifted: this measures the service, not the quota.
        env = {"USERPOOL_LOG_LEVEL": "warning", "USERPOOL_USER_CREATION_RATE": "0"}
        server = ServerProcess(Path(tempfile.mkdtemp()) / "data", env=env).start()
    try:
        result = run(args.url or server.url, args.requests, args.concurrency)
    finally:
        if server is not None:
            server.stop()
    result.update(
        {
            "hash_ms": one_hash * 1000,
            "cores": cores,
            "hash_bound_per_s": bound,
            "ratio_of_bound": result["concurrent_per_s"] / bound,
            "sequential_over_hash": result["sequential_p50_ms"] / (one_hash * 1000),
        }
    )
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value:10.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
