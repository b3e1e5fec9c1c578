"""userpool's benchmark, in one command: the argon2id hash bound, SignUp and sign-in throughput against it, moto and
cognito-local side by side, latency with up to a million users on SQLite and PostgreSQL, start-up time, and
user import jobs' rows per second.

    .venv/bin/python -m bench                      # everything (about half an hour on 2 cores; 1M users)
    .venv/bin/python -m bench --smoke              # a few requests of each local part, no peers, no large pools
    .venv/bin/python -m bench --parts hash,signup  # some parts (hash, signup, signin, peers, scale, startup, imports,
                                                   # profile)
    .venv/bin/python -m bench --sizes 1000,100000 --databases sqlite

It prints a table as it goes and writes ``bench/results/bench-<time>.json`` and ``.md`` (or ``--out DIR``). Servers
and peers are started and stopped by the run, on loopback, each with a store of its own in a temporary folder.
Results on a shared machine are noisy: every ratio compares numbers measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/run.py` as well as `python -m bench`
    sys.path.insert(0, str(ROOT))

from bench import imports, load, parts, report  # noqa: E402
from bench.targets import Userpool, scratch_dir  # noqa: E402

ALL_PARTS = ["hash", "signup", "signin", "peers", "scale", "startup", "imports"]
OPTIONAL_PARTS = ["profile"]
PEERS = ["userpool-2-workers", "moto", "cognito-local"]


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x]


def _names(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _peers(text: str) -> list[str]:
    """The peers named, each one this benchmark knows (an unknown name is refused before anything runs)."""
    names = _names(text)
    unknown = [n for n in names if n not in PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peer {', '.join(unknown)} (known: {', '.join(PEERS)})")
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    every = ",".join(ALL_PARTS + OPTIONAL_PARTS)
    p.add_argument("--parts", type=_names, default=None, help=f"comma-separated, of: {every}")
    p.add_argument("--smoke", action="store_true", help="a tiny run: few requests, no peers, no large pools")
    p.add_argument("--requests", type=int, default=None, help="SignUps per throughput point (default 600)")
    p.add_argument("--concurrency", type=_ints, default=None, help="SignUp clients per point (default 8,32,128)")
    p.add_argument("--workers", type=_ints, default=None, help="server worker processes to try (default 1,2)")
    p.add_argument("--peers", type=_peers, default=None, help=f"compared (default {','.join(PEERS)})")
    p.add_argument("--peer-users", type=int, default=None, help="users per peer workload (default 300)")
    p.add_argument("--peer-concurrency", type=int, default=8, help="clients in the peer workloads (default 8)")
    p.add_argument("--sizes", type=_ints, default=None, help="pool sizes to measure (default 1000,100000,1000000)")
    p.add_argument("--databases", type=_names, default=None, help="stores to scale (default sqlite,postgresql)")
    p.add_argument("--scale-requests", type=int, default=None, help="requests per scale point (default 100)")
    p.add_argument("--startup-runs", type=int, default=None, help="starts per startup measurement (default 5)")
    p.add_argument("--import-rows", type=int, default=None, help="rows of the imports part's file (default 100000)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="folder for the JSON and Markdown")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (server logs, stores)")
    return p


def settings(args: argparse.Namespace) -> dict[str, Any]:
    smoke = args.smoke
    return {
        "parts": args.parts or (["hash", "signup", "signin", "scale", "startup", "imports"] if smoke else ALL_PARTS),
        "requests": args.requests or (12 if smoke else 600),
        "concurrency": args.concurrency or ([8] if smoke else [8, 32, 128]),
        "workers": args.workers or ([1] if smoke else [1, 2]),
        # sign-in is measured at the clients issue 22 names (128 would only measure the hash queue's back-pressure)
        "signin_concurrency": [c for c in args.concurrency or ([8] if smoke else [8, 32]) if c <= 32] or [8],
        "peers": args.peers if args.peers is not None else ([] if smoke else PEERS),
        "peer_users": args.peer_users or (10 if smoke else 300),
        "peer_concurrency": args.peer_concurrency,
        "sizes": args.sizes or ([100] if smoke else [1000, 100_000, 1_000_000]),
        "databases": args.databases or (["sqlite"] if smoke else ["sqlite", "postgresql"]),
        "scale_requests": args.scale_requests or (5 if smoke else 100),
        "startup_runs": args.startup_runs or (1 if smoke else 5),
        "hash_samples": 5 if smoke else 30,
        "import_rows": args.import_rows or (200 if smoke else 100_000),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    config = settings(args)
    unknown = set(config["parts"]) - set(ALL_PARTS + OPTIONAL_PARTS)
    if unknown:
        raise SystemExit(f"unknown parts: {', '.join(sorted(unknown))}")

    def log(line: str) -> None:
        print(line, flush=True)

    workdir = scratch_dir()
    started = datetime.datetime.now(datetime.UTC)
    results: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": parts.machine(),
        "settings": config,
    }
    serializer = load.Serializer()
    clock = time.perf_counter()
    # The smoke run starts one server for the parts that need none of their own (SignUp with one worker, sign-in,
    # imports on SQLite): it proves they run end to end, and spares the suite a start and a stop for each.
    shared = Userpool(workdir / "smoke").start() if args.smoke else None
    try:
        if "hash" in config["parts"] or "signup" in config["parts"]:
            log("hash bound ...")
            results["hash"] = parts.hash_bound(config["hash_samples"])
            h = results["hash"]
            log(f"  argon2id {h['hash_ms']:.1f} ms/core, bound {h['bound_per_s']:.1f}/s on {h['cores']} cores")
        if "signup" in config["parts"]:
            log("SignUp throughput ...")
            results["signup"] = parts.signup_throughput(
                workdir,
                serializer,
                results["hash"],
                config["workers"],
                config["concurrency"],
                config["requests"],
                log,
                shared,
            )
        if "signin" in config["parts"]:
            log("sign-in throughput ...")
            results["signin"] = parts.signin_throughput(
                workdir, serializer, config["signin_concurrency"], config["requests"], log, shared
            )
        if "peers" in config["parts"]:
            log("peers side by side ...")
            results["peers"] = parts.peers(
                workdir, serializer, config["peers"], config["peer_users"], config["peer_concurrency"], log
            )
        if "scale" in config["parts"]:
            log("scale ...")
            results["scale"] = parts.scale(
                workdir, serializer, config["databases"], config["sizes"], config["scale_requests"], log
            )
        if "startup" in config["parts"]:
            log("startup ...")
            results["startup"] = parts.startup(workdir, config["startup_runs"])
            s = results["startup"]
            log(f"  existing store {s['existing_store_median_s']} s, new store {s['fresh_store_median_s']} s")
        if "imports" in config["parts"]:
            log("user import jobs ...")
            results["imports"] = imports.imports(workdir, config["databases"], config["import_rows"], log, shared)
        if "profile" in config["parts"]:
            log("profile ...")
            results["profile"] = parts.profile(workdir, serializer, config["requests"], max(config["concurrency"]), log)
    finally:
        if shared is not None:
            shared.stop()
        results["seconds"] = round(time.perf_counter() - clock, 1)
        results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        if args.keep:
            log(f"temporary folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}"
    profile_text = results.get("profile", {}).pop("text", None)
    if profile_text:
        stem.with_suffix(".profile.txt").write_text(profile_text)
        results["profile"]["report"] = str(stem.with_suffix(".profile.txt"))
    markdown = report.markdown(results)
    print()
    print(markdown)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown)
    log(f"written: {stem}.json, {stem}.md")
    results["files"] = [str(stem.with_suffix(".json")), str(stem.with_suffix(".md"))]
    return results


if __name__ == "__main__":
    main()
