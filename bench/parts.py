"""The parts of the benchmark: each measures one thing and returns plain data (see ``bench.run``)."""

from __future__ import annotations

import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from bench import load
from bench.targets import (
    CognitoLocal,
    Moto,
    Unavailable,
    Userpool,
    cpu_seconds,
    rss_bytes,
    userpool,
)
from userpool.domain import srp
from userpool.domain.passwords import new_hasher
from userpool.testing import boto3_client as make_client
from userpool.testing import create_postgres_database, drop_postgres_database, free_port, postgres_unavailable

PASSWORD = "Passw0rd!"
AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
Log = Callable[[str], None]


# ---- the machine ----------------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# ---- 1. the hash bound ----------------------------------------------------------------------------------------
def hash_bound(samples: int) -> dict[str, Any]:
    """argon2id at our parameters on one core (median of ``samples``), the SRP verifier SignUp computes beside
    it, and what all cores hash together (threads: argon2-cffi releases the GIL)."""
    hasher = new_hasher()
    hasher.hash("warm-up")
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        hasher.hash(PASSWORD)
        times.append(time.perf_counter() - started)
    verifier_times = []
    for i in range(max(samples, 20)):
        started = time.perf_counter()
        srp.make_verifier("us-east-1_BenchPool", f"user{i}", PASSWORD)
        verifier_times.append(time.perf_counter() - started)
    cores = os.cpu_count() or 1
    one = statistics.median(times)
    verifier = statistics.median(verifier_times)

    parallel = parallel_hash_rate(max(2, samples // 2))
    return {
        "cores": cores,
        "hash_ms": one * 1000,
        "verifier_ms": verifier * 1000,
        "bound_per_s": cores / one,
        "bound_with_verifier_per_s": cores / (one + verifier),
        "measured_parallel_hashes_per_s": parallel,
    }


def parallel_hash_rate(per_thread: int) -> float:
    """Hashes per second with one thread per core hashing at once: what this machine delivers right now (on a
    shared or virtual machine, often less than ``cores / hash time``)."""
    cores = os.cpu_count() or 1

    def hash_many() -> None:
        h = new_hasher()
        for _ in range(per_thread):
            h.hash(PASSWORD)

    threads = [threading.Thread(target=hash_many) for _ in range(cores)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return cores * per_thread / (time.perf_counter() - started)


# ---- shared workloads -----------------------------------------------------------------------------------------
def make_pool(url: str, name: str = "bench") -> tuple[str, str]:
    """A username pool that verifies email, with an app client that allows USER_PASSWORD_AUTH."""
    setup = make_client(url)
    pool_id = setup.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = setup.create_user_pool_client(UserPoolId=pool_id, ClientName=name, ExplicitAuthFlows=AUTH_FLOWS)
    return pool_id, client["UserPoolClient"]["ClientId"]


def names(count: int, prefix: str = "u") -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"{prefix}{run}{i:07d}" for i in range(count)]


def sign_up_params(client_id: str, usernames: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "ClientId": client_id,
            "Username": n,
            "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": f"{n}@example.com"}],
        }
        for n in usernames
    ]


def confirm_params(client_id: str, codes: dict[str, str]) -> list[dict[str, Any]]:
    return [{"ClientId": client_id, "Username": n, "ConfirmationCode": c} for n, c in codes.items()]


def get_user_params(pool_id: str, usernames: list[str]) -> list[dict[str, Any]]:
    return [{"UserPoolId": pool_id, "Username": n} for n in usernames]


def sign_in_params(client_id: str, usernames: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client_id,
            "AuthParameters": {"USERNAME": n, "PASSWORD": PASSWORD},
        }
        for n in usernames
    ]


def measured(
    target: Any, requests: list[load.Request], concurrency: int, bound: float | None = None, keep: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any] | None]]:
    """Run requests against a target; the summary with the server's CPU per request (and the ratio of a bound)."""
    cpu = cpu_seconds(target.pid)
    result, answers = load.run(target.url, requests, concurrency, keep=keep)
    summary = result.summary()
    used = cpu_seconds(target.pid) - cpu
    summary["server_cpu_ms_per_request"] = round(used / result.ok * 1000, 3) if result.ok else None
    summary["client_cpu_ms_per_request"] = round(result.client_cpu / result.ok * 1000, 3) if result.ok else None
    if bound:
        summary["of_bound"] = round(result.per_second / bound, 3)
    return summary, answers


# ---- 1b. SignUp throughput against the hash bound -------------------------------------------------------------
def signup_throughput(
    workdir: Path,
    serializer: load.Serializer,
    bound: dict[str, Any],
    workers_list: list[int],
    concurrencies: list[int],
    requests: int,
    log: Log,
    shared: Userpool | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for workers in workers_list:
        with userpool(workdir / f"signup-w{workers}", workers=workers, shared=shared) as target:
            _, client_id = make_pool(target.url)
            warm = load.build(serializer, "SignUp", sign_up_params(client_id, names(max(8, requests // 10))))
            load.run(target.url, warm, 8)
            sequential = load.build(serializer, "SignUp", sign_up_params(client_id, names(max(5, requests // 10))))
            summary, _ = measured(target, sequential, 1, bound["bound_per_s"])
            rows.append({"workers": workers, **summary})
            log(f"  SignUp workers={workers} clients=1: {summary['per_second']:.1f}/s p50 {summary['p50_ms']:.1f} ms")
            for concurrency in concurrencies:
                count = max(requests, concurrency * 3)
                batch = load.build(serializer, "SignUp", sign_up_params(client_id, names(count)))
                capacity = parallel_hash_rate(5)  # the machine's hashing capacity just before this point
                summary, _ = measured(target, batch, concurrency, bound["bound_per_s"])
                summary["hash_capacity_per_s"] = round(capacity, 1)
                summary["of_capacity"] = round(summary["per_second"] / capacity, 3)
                summary["of_bound_with_verifier"] = round(summary["per_second"] / bound["bound_with_verifier_per_s"], 3)
                summary["server_rss_mb"] = round(rss_bytes(target.pid) / 2**20, 1)
                rows.append({"workers": workers, **summary})
                log(
                    f"  SignUp workers={workers} clients={concurrency}: {summary['per_second']:.1f}/s "
                    f"({summary['of_bound']:.2f} of bound), p99 {summary['p99_ms']:.0f} ms, "
                    f"throttled {summary['throttled']}"
                )
    return rows


# ---- 1c. sign-in throughput against the hashing capacity -------------------------------------------------------
SIGNIN_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _signin_users(target: Any, serializer: load.Serializer, count: int) -> tuple[str, str, list[str]]:
    """A pool with an app client that allows both password flows, and ``count`` confirmed users."""
    setup = make_client(target.url)
    pool_id = setup.create_user_pool(PoolName="signin", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = setup.create_user_pool_client(UserPoolId=pool_id, ClientName="signin", ExplicitAuthFlows=SIGNIN_FLOWS)[
        "UserPoolClient"
    ]["ClientId"]
    usernames = names(count, "s")
    load.run(target.url, load.build(serializer, "SignUp", sign_up_params(client_id, usernames)), 8)
    codes = target.codes(pool_id, usernames)
    load.run(target.url, load.build(serializer, "ConfirmSignUp", confirm_params(client_id, codes)), 8)
    return pool_id, client_id, list(codes)


def _srp_starts(client_id: str, usernames: list[str]) -> tuple[list[int], list[dict[str, Any]]]:
    """Each sign-in's client ephemeral ``a`` and its InitiateAuth USER_SRP_AUTH (made before the clock)."""
    ephemerals, params = [], []
    for name in usernames:
        a, big_a = srp.client_ephemeral()
        ephemerals.append(a)
        params.append(
            {"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": name, "SRP_A": big_a}}
        )
    return ephemerals, params


def _srp_answers(
    pool_id: str, client_id: str, ephemerals: list[int], challenges: list[dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """The RespondToAuthChallenge PASSWORD_VERIFIER of each answered challenge (the client's SRP math)."""
    import base64
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    timestamp = srp.format_timestamp(now.year, now.month, now.day, now.hour, now.minute, now.second)
    answers = []
    for a, answer in zip(ephemerals, challenges, strict=True):
        if not answer or "ChallengeParameters" not in answer:
            continue
        c = answer["ChallengeParameters"]
        block = base64.b64decode(c["SECRET_BLOCK"])
        signature = srp.client_signature(
            a, pool_id, c["USER_ID_FOR_SRP"], PASSWORD, c["SALT"], c["SRP_B"], block, timestamp
        )
        answers.append(
            {
                "ClientId": client_id,
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": {
                    "USERNAME": c["USERNAME"],
                    "PASSWORD_CLAIM_SECRET_BLOCK": c["SECRET_BLOCK"],
                    "PASSWORD_CLAIM_SIGNATURE": signature,
                    "TIMESTAMP": timestamp,
                },
            }
        )
    return answers


def signin_throughput(
    workdir: Path,
    serializer: load.Serializer,
    concurrencies: list[int],
    requests: int,
    log: Log,
    shared: Userpool | None = None,
) -> list[dict[str, Any]]:
    """Sign-ins per second with ``USER_PASSWORD_AUTH`` (one request: an argon2id verify and two RS256 signatures)
    and ``USER_SRP_AUTH`` (InitiateAuth, then RespondToAuthChallenge PASSWORD_VERIFIER: the SRP math, no hash), each
    as a ratio of the hashing capacity measured just before (``parallel_hash_rate``).

    SRP's client math is done by this process outside the clock: every InitiateAuth of a point is sent first (the
    clients' ``A`` made beforehand), then the signatures are computed (its CPU reported per sign-in as
    ``client_srp_math_ms``), then every answer is sent; the rate is sign-ins ÷ the two phases' time together."""
    rows = []
    with userpool(workdir / "signin", shared=shared) as target:
        pool_id, client_id, users = _signin_users(target, serializer, max(8, min(64, requests)))
        load.run(target.url, load.build(serializer, "InitiateAuth", sign_in_params(client_id, users[:8])), 8)  # warm
        for concurrency in concurrencies:
            count = max(requests, concurrency * 3)
            chosen = [users[i % len(users)] for i in range(count)]
            batch = load.build(serializer, "InitiateAuth", sign_in_params(client_id, chosen))
            capacity = parallel_hash_rate(5)
            summary, _ = measured(target, batch, concurrency)
            rows.append(_signin_row("USER_PASSWORD_AUTH", summary, capacity, target))

            ephemerals, starts = _srp_starts(client_id, chosen)
            capacity = parallel_hash_rate(5)
            cpu = cpu_seconds(target.pid)
            first, challenges = load.run(
                target.url, load.build(serializer, "InitiateAuth", starts), concurrency, keep=True
            )
            math_started = time.process_time()
            answers = _srp_answers(pool_id, client_id, ephemerals, challenges)
            math = time.process_time() - math_started
            second, _ = load.run(target.url, load.build(serializer, "RespondToAuthChallenge", answers), concurrency)
            used = cpu_seconds(target.pid) - cpu
            elapsed = first.elapsed + second.elapsed
            summary = second.summary()
            summary.update(
                {
                    "ok": second.ok,
                    "errors": {**first.summary()["errors"], **summary["errors"]},
                    "throttled": first.throttled + second.throttled,
                    "per_second": round(second.ok / elapsed, 2) if elapsed else 0.0,
                    "initiate_p99_ms": round(first.percentile_ms(99), 2),
                    "elapsed_s": round(elapsed, 3),
                    "server_cpu_ms_per_request": round(used / second.ok * 1000, 3) if second.ok else None,
                    "client_cpu_ms_per_request": (
                        round((first.client_cpu + second.client_cpu) / second.ok * 1000, 3) if second.ok else None
                    ),
                    "client_srp_math_ms": round(math / max(1, len(answers)) * 1000, 3),
                }
            )
            rows.append(_signin_row("USER_SRP_AUTH", summary, capacity, target))
        for row in rows:
            log(
                f"  {row['flow']} clients={row['concurrency']}: {row['per_second']:.1f} sign-ins/s "
                f"({row['of_capacity']:.2f} of capacity), p99 {row['p99_ms']:.0f} ms, "
                f"server CPU {row['server_cpu_ms_per_request']} ms/sign-in"
            )
    return rows


def _signin_row(flow: str, summary: dict[str, Any], capacity: float, target: Any) -> dict[str, Any]:
    return {
        "flow": flow,
        **summary,
        "hash_capacity_per_s": round(capacity, 1),
        "of_capacity": round(summary["per_second"] / capacity, 3),
        "server_rss_mb": round(rss_bytes(target.pid) / 2**20, 1),
    }


# ---- 2. peers side by side ------------------------------------------------------------------------------------
PEER_OPERATIONS = [
    "SignUp",
    "ConfirmSignUp",
    "AdminGetUser",
    "InitiateAuth",
    "GetUser",
    "ListUsers",
    "REFRESH_TOKEN_AUTH",
]
LIST_LIMIT = 60  # ListUsers' page size in the peers workload (Cognito's maximum)
TOKEN_ROUNDS = 3  # each access token (GetUser) and refresh token (REFRESH_TOKEN_AUTH) is used this many times


def list_users_params(pool_id: str, count: int) -> list[dict[str, Any]]:
    return [{"UserPoolId": pool_id, "Limit": LIST_LIMIT}] * count


def access_token_params(tokens: list[str]) -> list[dict[str, Any]]:
    return [{"AccessToken": t} for t in tokens]


def refresh_params(client_id: str, tokens: list[str]) -> list[dict[str, Any]]:
    return [
        {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": {"REFRESH_TOKEN": t}}
        for t in tokens
    ]


def _tokens(answers: list[dict[str, Any] | None], name: str) -> list[str]:
    """The ``name`` token of each InitiateAuth answer that has one."""
    found = []
    for answer in answers:
        token = ((answer or {}).get("AuthenticationResult") or {}).get(name)
        if token:
            found.append(token)
    return found


def _workload(target: Any, serializer: load.Serializer, users: int, concurrency: int, log: Log) -> dict[str, Any]:
    """Each operation of ``PEER_OPERATIONS`` measured on ``target``. An operation the target cannot run (it fails,
    or an earlier one gave it nothing to work with) is reported as ``{"skipped": why}``, and the others still run."""
    pool_id, client_id = make_pool(target.url)
    warm = names(20, "w")
    load.run(target.url, load.build(serializer, "SignUp", sign_up_params(client_id, warm)), 4)
    usernames = names(users)
    results: dict[str, Any] = {}

    def run(label: str, operation: str, params: list[dict[str, Any]], keep: bool = False) -> list[Any]:
        if not params:
            results[label] = {"skipped": "nothing to send (an earlier operation gave no tokens)"}
            return []
        try:
            results[label], answers = measured(
                target, load.build(serializer, operation, params), concurrency, keep=keep
            )
        except Exception as exc:  # a peer that breaks on one operation is reported, and the others still run
            results[label] = {"skipped": f"failed: {exc!r}"}
            return []
        return answers

    run("SignUp", "SignUp", sign_up_params(client_id, usernames))
    codes = target.codes(pool_id, usernames)
    run("ConfirmSignUp", "ConfirmSignUp", confirm_params(client_id, codes))
    confirmed = list(codes)
    rounds = max(1, 3 * users // max(1, len(confirmed)))
    run("AdminGetUser", "AdminGetUser", get_user_params(pool_id, confirmed * rounds))
    answers = run("InitiateAuth", "InitiateAuth", sign_in_params(client_id, confirmed), keep=True)
    run("GetUser", "GetUser", access_token_params(_tokens(answers, "AccessToken") * TOKEN_ROUNDS))
    run("ListUsers", "ListUsers", list_users_params(pool_id, users))
    refresh = refresh_params(client_id, _tokens(answers, "RefreshToken") * TOKEN_ROUNDS)
    run("REFRESH_TOKEN_AUTH", "InitiateAuth", refresh)
    results["server_rss_mb"] = round(rss_bytes(target.pid) / 2**20, 1)
    for operation in PEER_OPERATIONS:
        r = results[operation]
        if "skipped" in r:
            log(f"  {target.name} {operation}: skipped ({r['skipped']})")
            continue
        log(
            f"  {target.name} {operation}: {r['per_second']:.0f}/s p50 {r['p50_ms']:.1f} ms "
            f"p99 {r['p99_ms']:.1f} ms ok {r['ok']} errors {r['errors']}"
        )
    return results


def peers(
    workdir: Path, serializer: load.Serializer, which: list[str], users: int, concurrency: int, log: Log
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    makers: dict[str, Callable[[], Any]] = {
        "userpool": lambda: Userpool(workdir / "peers-userpool"),
        "userpool-2-workers": lambda: Userpool(workdir / "peers-userpool-w2", workers=2),
        "moto": lambda: Moto(workdir),
        "cognito-local": lambda: CognitoLocal(workdir),
    }
    for name in ["userpool", *which]:
        target = makers[name]()
        target.name = name
        try:
            log(f"  starting {name} ...")
            target.start()
        except Unavailable as exc:
            log(f"  {name} skipped: {exc}")
            found[name] = {"skipped": str(exc)}
            continue
        try:
            found[name] = _workload(target, serializer, users, concurrency, log)
            if hasattr(target, "version"):
                found[name]["version"] = target.version()
        except Exception as exc:  # a peer that breaks mid-run is reported, not fatal
            log(f"  {name} failed: {exc!r}")
            found[name] = {"skipped": f"failed during the run: {exc!r}"}
        finally:
            target.stop()
    return found


# ---- 3. scale -------------------------------------------------------------------------------------------------
async def _seed(url: str, pool_id: str, have: int, want: int, log: Log) -> float:
    """Bring the pool to ``want`` users (it has ``have``), in batches, through ``Store.bulk_insert_users``, with
    one precomputed argon2id hash and SRP verifier shared by all (hashing a million passwords would take hours)."""
    from userpool.domain.records import NewUser
    from userpool.store import Store

    store = Store.open(url)
    password_hash = new_hasher().hash(PASSWORD)
    verifier = srp.make_verifier(pool_id, "seed", PASSWORD)
    started = time.perf_counter()
    batch = 5000
    try:
        for first in range(have, want, batch):
            users = []
            for i in range(first, min(want, first + batch)):
                name = f"seed{i:08d}"
                sub = str(uuid.uuid4())
                users.append(
                    NewUser(
                        pool_id=pool_id,
                        username=name,
                        username_key=name,
                        sub=sub,
                        status="CONFIRMED",
                        password_hash=password_hash,
                        created_at=time.time(),
                        attributes={"sub": sub, "email": f"{name}@example.com", "email_verified": "true"},
                        srp_salt=verifier.salt,
                        srp_verifier=verifier.verifier,
                    )
                )
            await store.bulk_insert_users(users)
            if (first - have) % 100_000 == 0 and first > have:
                log(f"    seeded {first:,} users ({time.perf_counter() - started:.0f} s)")
    finally:
        await store.close()
    if url.startswith("postgresql"):
        _settle(url)
    return time.perf_counter() - started


def _settle(url: str) -> None:
    """``VACUUM ANALYZE`` a PostgreSQL store after seeding: a pool that grew to its size over time has its
    statistics and visibility map from autovacuum, while one loaded in bulk a moment ago would be measured while
    autovacuum catches up on a million fresh rows (part of the seeding time)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


async def _storage_bytes(url: str) -> int:
    from userpool.store import Store

    store = Store.open(url)
    try:
        return await store.storage_bytes()
    finally:
        await store.close()


def _scale_round(
    target: Any, serializer: load.Serializer, pool_id: str, client_id: str, size: int, batch: list[str]
) -> dict[str, load.Result]:
    """One round at one pool size: ``batch`` sequential SignUps, their ConfirmSignUps, and as many
    USER_PASSWORD_AUTH sign-ins of seeded users picked at random across the pool."""
    up, _ = load.run(target.url, load.build(serializer, "SignUp", sign_up_params(client_id, batch)), 1)
    codes = target.codes(pool_id, batch)
    confirm, _ = load.run(target.url, load.build(serializer, "ConfirmSignUp", confirm_params(client_id, codes)), 1)
    seeded = [f"seed{i:08d}" for i in random.sample(range(size), len(batch))]
    signin, _ = load.run(target.url, load.build(serializer, "InitiateAuth", sign_in_params(client_id, seeded)), 1)
    return {"signup": up, "confirm": confirm, "signin": signin}


def _latency_summary(results: list[load.Result]) -> dict[str, Any]:
    latencies = [x for r in results for x in r.latencies]
    errors: dict[str, int] = {}
    for r in results:
        for outcome, count in r.outcomes.items():
            if outcome != "ok":
                errors[outcome] = errors.get(outcome, 0) + count
    return {
        "ok": len(latencies),
        "errors": errors,
        "p50_ms": round(load.percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(load.percentile(latencies, 99) * 1000, 2),
    }


def scale(
    workdir: Path,
    serializer: load.Serializer,
    databases: list[str],
    sizes: list[int],
    requests: int,
    log: Log,
    rounds: int = 5,
) -> list[dict[str, Any]]:
    """Per database, a store per pool size, seeded, then every size's server up at once and measured in
    ``rounds`` alternating rounds (so the machine's drift falls on every size alike)."""
    rows = []
    for database in databases:
        if database == "postgresql" and (reason := postgres_unavailable()) is not None:
            log(f"  postgresql skipped: {reason}")
            rows.append({"database": database, "skipped": reason})
            continue
        scratch: list[str] = []
        targets: dict[int, Any] = {}
        try:
            pools: dict[int, tuple[str, str]] = {}
            seeded: dict[int, float] = {}
            for size in sorted(sizes):
                folder = workdir / f"scale-{database}-{size}"
                if database == "postgresql":
                    url = create_postgres_database("userpool_bench")
                    scratch.append(url)
                else:
                    url = f"sqlite:///{folder / 'data' / 'userpool.db'}"
                target = Userpool(folder, database_url=url)
                target.url_of_store = url
                target.start()
                pools[size] = make_pool(target.url)
                target.stop()
                seeded[size] = asyncio.run(_seed(url, pools[size][0], 0, size, log))
                log(f"  {database}: {size:,} users seeded in {seeded[size]:.2f} s")
                targets[size] = target
            startups = {}
            for size, target in targets.items():
                started = time.perf_counter()
                target.start()
                startups[size] = time.perf_counter() - started
            per_round = max(1, requests // rounds)
            results: dict[int, dict[str, list[load.Result]]] = {
                size: {"signup": [], "confirm": [], "signin": []} for size in targets
            }
            for r in range(rounds):
                for size, target in targets.items():
                    pool_id, client_id = pools[size]
                    batch = names(per_round, f"r{r}x")
                    for key, result in _scale_round(target, serializer, pool_id, client_id, size, batch).items():
                        results[size][key].append(result)
            for size, target in targets.items():
                row = {
                    "database": database,
                    "users": size,
                    "seed_s": round(seeded[size], 2),
                    "startup_s": round(startups[size], 3),
                    **{key: _latency_summary(found) for key, found in results[size].items()},
                    "server_rss_mb": round(rss_bytes(target.pid) / 2**20, 1),
                    "database_mb": round(asyncio.run(_storage_bytes(target.url_of_store)) / 2**20, 1),
                }
                rows.append(row)
                log(
                    f"  {database} {size:,} users: SignUp p50 {row['signup']['p50_ms']:.1f} ms, ConfirmSignUp p50 "
                    f"{row['confirm']['p50_ms']:.2f} ms, sign-in p50 {row['signin']['p50_ms']:.1f} ms, "
                    f"RSS {row['server_rss_mb']} MB, database {row['database_mb']} MB"
                )
        finally:
            for target in targets.values():
                target.stop()
            for url in scratch:
                drop_postgres_database(url)
    return rows


# ---- 4. startup -----------------------------------------------------------------------------------------------
def _start_once(data_dir: Path) -> float:
    port = free_port()
    command = [sys.executable, "-m", "userpool", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"userpool serve exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        raise RuntimeError("userpool serve did not answer /health within 60 s")
    finally:
        process.terminate()
        process.wait(timeout=15)


def startup(workdir: Path, runs: int) -> dict[str, Any]:
    """Seconds from spawning ``userpool serve`` to its first 200 on ``/health``: with a new store (the schema is
    created by the migrations) and with an existing one (the usual restart)."""
    fresh = [_start_once(workdir / f"startup-{i}") for i in range(runs)]
    existing = [_start_once(workdir / "startup-0") for _ in range(runs)]
    python = [_python_startup() for _ in range(runs)]
    return {
        "fresh_store_s": [round(x, 3) for x in fresh],
        "existing_store_s": [round(x, 3) for x in existing],
        "fresh_store_median_s": round(statistics.median(fresh), 3),
        "existing_store_median_s": round(statistics.median(existing), 3),
        "bare_python_median_s": round(statistics.median(python), 3),
    }


def _python_startup() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


# ---- 5. profile -----------------------------------------------------------------------------------------------
def profile(workdir: Path, serializer: load.Serializer, requests: int, concurrency: int, log: Log) -> dict[str, Any]:
    """Sample the server's event-loop thread (pyinstrument, installed into this environment when missing) while it
    serves SignUps; the text report goes to the results folder."""
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        log("  installing pyinstrument ...")
        done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyinstrument"], capture_output=True)
        if done.returncode != 0:
            return {"skipped": "pip install pyinstrument failed: " + done.stderr.decode(errors="replace")[-300:]}
    data = workdir / "profile"
    data.mkdir(parents=True, exist_ok=True)
    report = workdir / "profile.txt"
    port = free_port()
    command = [sys.executable, "-m", "pyinstrument", "--renderer", "text", "--show-all", "-o", str(report)]
    command += ["-m", "userpool", "serve", "--port", str(port), "--data-dir", str(data)]
    env = {**os.environ, "USERPOOL_LOG_LEVEL": "warning"}
    log_path = workdir / "profile-server.log"
    with log_path.open("ab") as server_log:
        process = subprocess.Popen(command, stdout=server_log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        from bench.targets import wait_for

        wait_for(f"{url}/health", process, 60, log_path)
        _, client_id = make_pool(url)
        requests_ = load.build(serializer, "SignUp", sign_up_params(client_id, names(requests)))
        result, _ = load.run(url, requests_, concurrency)
    finally:
        process.send_signal(2)  # SIGINT: uvicorn stops cleanly and pyinstrument writes its report
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    text = report.read_text() if report.exists() else ""
    return {"signups": result.ok, "report": str(report), "text": text}
