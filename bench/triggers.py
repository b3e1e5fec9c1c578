"""What a PreSignUp trigger costs a SignUp, per way of reaching the function.

    .venv/bin/python bench/triggers.py [--requests 200]

Starts a loopback function server (bench/peers.py) and a userpool server whose pools name a no-op PreSignUp
function reached over HTTP, through the Lambda Invoke API (boto3), and in-process (sync and async handlers). The
function rejects every sign-up, so a request stops right after the trigger and no password is hashed: its latency
is the API's own work plus one invocation. The baseline is a request refused just before the trigger would run
(a password too short), so ``overhead`` is what the invocation adds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botocore.exceptions import ClientError

from bench.peers import FailingFunctions, arn
from userpool.testing import ServerProcess
from userpool.testing import boto3_client as make_client

HOOKS = """
def reject(event, context):
    raise Exception("no")


async def reject_async(event, context):
    raise Exception("no")
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(idp, client_id: str, password: str, requests: int) -> list[float]:
    latencies = []
    for i in range(requests + 10):
        started = time.perf_counter()
        try:
            idp.sign_up(ClientId=client_id, Username=uuid.uuid4().hex, Password=password)
        except ClientError:
            pass
        if i >= 10:  # the first ten warm up connections and clients
            latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    functions = FailingFunctions().start()  # bench-http and bench-lambda answer an error
    work = Path(tempfile.mkdtemp())
    (work / "bench_hooks.py").write_text(HOOKS)
    mapping = {
        arn("bench-http"): functions.function_url("bench-http"),
        arn("bench-sync"): "python:bench_hooks:reject",
        arn("bench-async"): "python:bench_hooks:reject_async",
    }
    env = {
        "USERPOOL_LOG_LEVEL": "warning",
        "PYTHONPATH": str(work),
        "USERPOOL_TRIGGER_FUNCTIONS": json.dumps(mapping),
        "USERPOOL_LAMBDA_ENDPOINT_URL": functions.endpoint,
    }
    server = ServerProcess(work / "data", env=env).start()
    try:
        idp = make_client(server.url)
        results: dict[str, dict[str, float]] = {}
        for label, function in [
            ("baseline", None),
            ("http", "bench-http"),
            ("lambda-invoke-api", "bench-lambda"),
            ("python-sync", "bench-sync"),
            ("python-async", "bench-async"),
        ]:
            config = {"PreSignUp": arn(function)} if function else {}
            pool_id = idp.create_user_pool(PoolName=label, LambdaConfig=config)["UserPool"]["Id"]
            client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="b")["UserPoolClient"]["ClientId"]
            password = "short" if function is None else "Passw0rd!"
            latencies = measure(idp, client_id, password, args.requests)
            results[label] = {
                "p50_ms": statistics.median(latencies) * 1000,
                "p95_ms": percentile(latencies, 95) * 1000,
            }
        base = results["baseline"]["p50_ms"]
        for label, row in results.items():
            row["overhead_p50_ms"] = row["p50_ms"] - base
            print(
                f"{label:<18} p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms  "
                f"overhead {row['overhead_p50_ms']:6.2f} ms"
            )
        print(json.dumps(results))
    finally:
        server.stop()
        functions.stop()


if __name__ == "__main__":
    main()
