"""Server CPU per request of the cheap operations (docs/benchmarks.md, round 3).

    .venv/bin/python -m bench.server_cpu [--n 400] [--db postgresql://...] [--profile ConfirmSignUp]

Starts ``userpool serve`` on a fresh store (SQLite, or the PostgreSQL database given: make an empty one first),
signs ``n`` users up, then sends ``n`` of each operation with ``--concurrency`` clients and prints the server
process's CPU time (user + system) per answered request: ConfirmSignUp, AdminGetUser, ListUsers (60 a page),
InitiateAuth (``USER_PASSWORD_AUTH``, for a quarter of the users), GetUser (with their access tokens, ``n`` in all)
and ``REFRESH_TOKEN_AUTH`` (four per token), split by the kind of thread that spent it (the event loop, the store's
threads, the hashing pool, which also signs tokens; names from ``py-spy dump``, when py-spy is installed).
Contention changes this measure far less than wall-clock rates, so compare two checkouts by running each in turn.
``--profile OP`` (any of them, SignUp too) records py-spy's raw stacks, per thread, during OP in
./server-cpu-OP.txt (py-spy must be installed: ``pip install py-spy``), only of threads holding the GIL: work in
Python, not waits for it (argon2id, which lets go of the GIL, is then missing); ``python -m bench.server_cpu
--summarise FILE`` sums them per frame (``grep MainThread FILE`` first for the event loop alone).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil

from bench import load
from bench.parts import confirm_params, get_user_params, make_pool, names, sign_in_params, sign_up_params
from bench.targets import cpu_seconds, wait_for
from userpool.testing import free_port


def summarise(path: str, most: int = 60) -> None:
    """Inclusive share of busy samples per frame (a frame counted once per stack), idle waits left out (a store
    thread waiting for its next call shows as its own ``_serve`` frame: the queue's ``get`` is C), then the frames
    most often at the top of a stack (their own time)."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    busy = 0
    idle_leaves = ("select", "epoll", "wait (threading", "_worker (concurrent", "get (queue", "poll", "_serve (")
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if any(k in frames[-1] for k in idle_leaves):
            continue
        busy += int(count)
        names = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")" for f in frames]
        for name in set(names):
            inclusive[name] += int(count)
        own[names[-1]] += int(count)
    print(f"busy samples: {busy}")
    for name, count in inclusive.most_common(most):
        print(f"{count / busy * 100:5.1f}%  {name}")
    print("\nown time:")
    for name, count in own.most_common(most // 2):
        print(f"{count / busy * 100:5.1f}%  {name}")


@contextlib.contextmanager
def _spy(pid: int, on: bool, operation: str) -> Iterator[None]:
    """With ``on``, py-spy's raw stacks of every thread of ``pid`` while the block runs, in ./server-cpu-OP.txt."""
    if not on:
        yield
        return
    py_spy = _py_spy()
    raw = Path(f"server-cpu-{operation}.txt").resolve()  # kept: the store folder goes
    command = [py_spy, "record", "-p", str(pid), "-r", "2000", "--format", "raw", "--threads", "--gil", "-o", str(raw)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
        print(f"py-spy stacks: {raw} (--summarise FILE)")


def _py_spy() -> str:
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


def thread_names(pid: int) -> dict[int, str]:
    """The server's threads by native id, named by their kind (``MainThread``: the event loop; ``userpool-store``:
    the store's threads; ``argon2``: the hashing pool, which also signs tokens), from ``py-spy dump``; empty without
    py-spy."""
    try:
        dump = subprocess.run([_py_spy(), "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return {}
    found = re.findall(r'^Thread (\d+) \([a-z]+\): "([^"]*)"', dump.stdout, re.MULTILINE)
    return {int(tid): re.sub(r"[_-]?\d+$", "", name) for tid, name in found}


def thread_seconds(pid: int, names: dict[int, str]) -> collections.Counter[str]:
    """CPU time (user + system) used so far by the server's threads, summed by kind (``thread_names``; a thread
    without a name counts as ``other``)."""
    used: collections.Counter[str] = collections.Counter()
    try:
        for thread in psutil.Process(pid).threads():
            used[names.get(thread.id, "MainThread" if thread.id == pid else "other")] += (
                thread.user_time + thread.system_time
            )
    except psutil.Error:
        pass
    return used


def report(operation: str, result: load.Result, used: float, threads: collections.Counter[str]) -> None:
    rate = result.ok / result.elapsed if result.elapsed else 0.0
    per_request = used / result.ok * 1000 if result.ok else float("nan")
    split = ", ".join(
        f"{'event loop' if kind == 'MainThread' else kind} {seconds / result.ok * 1000:.2f}"
        for kind, seconds in sorted(threads.items(), key=lambda item: -item[1])
        if result.ok and seconds > 0
    )
    print(
        f"{operation:14s} {result.ok:5d} answered  {rate:8.1f}/s  server CPU {per_request:6.2f} ms/request  ({split})"
    )


@contextlib.contextmanager
def _measured(pid: int) -> Iterator[list[Any]]:
    """The server's CPU while the block runs: ``[seconds, by thread kind]`` when it ends."""
    names = thread_names(pid)
    before, threads = cpu_seconds(pid), thread_seconds(pid, names)
    out: list[Any] = []
    yield out
    names.update(thread_names(pid))  # threads started meanwhile (the hashing pool's, on first use)
    after = thread_seconds(pid, names)
    after.subtract(threads)
    out.extend([cpu_seconds(pid) - before, after])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--db", default="", help="a PostgreSQL URL (an empty database) instead of SQLite")
    parser.add_argument("--concurrency", type=int, default=8)
    operations = "SignUp, ConfirmSignUp, AdminGetUser, ListUsers, InitiateAuth, GetUser, Refresh"
    parser.add_argument("--profile", default="", help=operations)
    parser.add_argument("--summarise", default="", help="print the frames of a raw py-spy file and stop")
    args = parser.parse_args()
    if args.summarise:
        summarise(args.summarise)
        return
    work = Path(tempfile.mkdtemp(prefix="userpool-cpu-"))
    env = {**os.environ, "USERPOOL_LOG_LEVEL": "warning", "USERPOOL_USER_CREATION_RATE": "0"}
    if args.db:
        env["USERPOOL_DATABASE_URL"] = args.db
    port = free_port()
    log = work / "server.log"
    command = [sys.executable, "-m", "userpool", "serve", "--port", str(port), "--data-dir", str(work / "data")]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    serializer = load.Serializer()
    try:
        wait_for(f"{url}/health", server, 60, log)
        pool_id, client_id = make_pool(url)
        users = names(args.n)
        signups = load.build(serializer, "SignUp", sign_up_params(client_id, users))
        with _spy(server.pid, "SignUp" == args.profile, "SignUp"):
            with _measured(server.pid) as used:
                result, _ = load.run(url, signups, args.concurrency)
        report("SignUp", result, *used)
        codes = {}
        for name in users:
            query = urllib.parse.urlencode({"userPoolId": pool_id, "username": name})
            with urllib.request.urlopen(f"{url}/_userpool/outbox?{query}") as response:
                codes[name] = json.load(response)["messages"][-1]["code"]
        tokens: list[str] = []
        access_tokens: list[str] = []

        def refreshes() -> list[load.Request]:
            params = {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id}
            return load.build(
                serializer, "InitiateAuth", [{**params, "AuthParameters": {"REFRESH_TOKEN": t}} for t in tokens] * 4
            )

        workloads: dict[str, Callable[[], list[load.Request]]] = {
            "ConfirmSignUp": lambda: load.build(serializer, "ConfirmSignUp", confirm_params(client_id, codes)),
            "AdminGetUser": lambda: load.build(serializer, "AdminGetUser", get_user_params(pool_id, users)),
            "ListUsers": lambda: load.build(serializer, "ListUsers", [{"UserPoolId": pool_id, "Limit": 60}] * args.n),
            "InitiateAuth": lambda: load.build(
                serializer, "InitiateAuth", sign_in_params(client_id, users[: args.n // 4])
            ),
            "GetUser": lambda: load.build(
                serializer, "GetUser", [{"AccessToken": t} for t in access_tokens] * (args.n // len(access_tokens))
            ),
            "Refresh": refreshes,
        }
        for operation, requests in workloads.items():
            with _spy(server.pid, operation == args.profile, operation):
                with _measured(server.pid) as used:
                    result, answers = load.run(url, requests(), args.concurrency, keep=operation == "InitiateAuth")
            if operation == "InitiateAuth":
                tokens = [
                    a["AuthenticationResult"]["RefreshToken"] for a in answers if a and "AuthenticationResult" in a
                ]
                access_tokens = [
                    a["AuthenticationResult"]["AccessToken"] for a in answers if a and "AuthenticationResult" in a
                ]
            report(operation, result, *used)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
