"""Sign-in speed: InitiateAuth USER_PASSWORD_AUTH latency, USER_SRP_AUTH end to end, and the SRP server-side math.

    .venv/bin/python bench/signin.py [--requests 100] [--url http://127.0.0.1:9229]

Without --url it starts its own server (fresh SQLite store in a temporary folder). Reported:
- ``password_p50_ms`` / ``password_p95_ms``: sequential InitiateAuth USER_PASSWORD_AUTH (argon2id verify + two
  RS256 signatures + one refresh-token row), measured with boto3 over HTTP;
- ``srp_signin_p50_ms``: InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge PASSWORD_VERIFIER, with the client's
  own SRP math (done here, in this process) excluded;
- ``srp_server_math_ms``: what the server computes for one SRP sign-in (B = k·v + g^b, then S and the key and the
  signature check), measured in-process, median; ``srp_exponentiation_*`` time one exponentiation (one GIL-holding
  call): the most the event loop can wait for the GIL because of SRP.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from userpool.domain import srp
from userpool.testing import ServerProcess
from userpool.testing import boto3_client as make_client

PASSWORD = "Passw0rd!"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def server_math(samples: int = 200) -> tuple[float, float, float]:
    pool, user = "us-east-1_BenchPool", "bench"
    verifier = srp.make_verifier(pool, user, PASSWORD)
    block = b"x" * 64
    timestamp = "Sat Sep 5 09:03:07 UTC 2026"
    times = []
    for _ in range(samples):
        a, big_a = srp.client_ephemeral()
        started = time.perf_counter()
        challenge = srp.start(verifier.verifier)
        first = time.perf_counter() - started
        signature = srp.client_signature(a, pool, user, PASSWORD, verifier.salt, challenge.B, block, timestamp)
        started2 = time.perf_counter()
        key = srp.session_key(big_a, challenge, verifier.verifier)
        assert key is not None and srp.signature_matches(key, pool, user, block, timestamp, signature)
        second = time.perf_counter() - started2
        times.append(first + second)
        # One exponentiation with the 256-bit exponent: the longest single GIL-holding call.
    exponent_times = []
    for _ in range(samples):
        started = time.perf_counter()
        srp._powmod(srp.G, 2**255 + samples, srp.N)
        exponent_times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, statistics.median(exponent_times) * 1000, max(exponent_times) * 1000


def run(url: str, requests: int) -> dict[str, float]:
    cognito = make_client(url)
    pool = cognito.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    name = f"u{uuid.uuid4().hex[:8]}"
    cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username=name)
    params = {"USERNAME": name, "PASSWORD": PASSWORD}

    for _ in range(5):  # warm-up (the first sign-in also makes the pool's signing key)
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    password = []
    for _ in range(requests):
        started = time.perf_counter()
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
        password.append(time.perf_counter() - started)

    srp_times = []
    for _ in range(requests):
        a, big_a = srp.client_ephemeral()
        started = time.perf_counter()
        challenge = cognito.initiate_auth(
            ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": name, "SRP_A": big_a}
        )["ChallengeParameters"]
        elapsed = time.perf_counter() - started
        now = datetime.datetime.now(datetime.UTC)
        timestamp = srp.format_timestamp(now.year, now.month, now.day, now.hour, now.minute, now.second)
        block = base64.b64decode(challenge["SECRET_BLOCK"])
        signature = srp.client_signature(
            a, pool, challenge["USER_ID_FOR_SRP"], PASSWORD, challenge["SALT"], challenge["SRP_B"], block, timestamp
        )
        started = time.perf_counter()
        cognito.respond_to_auth_challenge(
            ClientId=client,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={
                "USERNAME": challenge["USERNAME"],
                "PASSWORD_CLAIM_SECRET_BLOCK": challenge["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": signature,
                "TIMESTAMP": timestamp,
            },
        )
        srp_times.append(elapsed + time.perf_counter() - started)
    return {
        "password_p50_ms": statistics.median(password) * 1000,
        "password_p95_ms": percentile(password, 95) * 1000,
        "srp_signin_p50_ms": statistics.median(srp_times) * 1000,
        "srp_signin_p95_ms": percentile(srp_times, 95) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--url")
    args = parser.parse_args()

    math_ms, exponent_ms, longest_ms = server_math()
    server = None
    if args.url is None:
        server = ServerProcess(Path(tempfile.mkdtemp()) / "data", env={"USERPOOL_LOG_LEVEL": "warning"}).start()
    try:
        result = run(args.url or server.url, args.requests)
    finally:
        if server is not None:
            server.stop()
    result.update(
        {
            "srp_server_math_ms": math_ms,
            "srp_exponentiation_p50_ms": exponent_ms,
            "srp_exponentiation_max_ms": longest_ms,
        }
    )
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value:10.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
