"""The benchmark's results as Markdown: one table per part, with the notes that say how to read them."""

from __future__ import annotations

from typing import Any

LOAD_NOTE = (
    "Load generator: requests are serialized before the clock starts by botocore's own JSON serializer from the "
    "shipped `cognito-idp` model (the bytes and `X-Amz-Target`/`Content-Type` headers boto3 sends, unsigned: no "
    "keys are configured), then sent by one aiohttp session on uvloop over keep-alive connections, one per "
    "simulated client (closed loop). Threads of boto3 clients would spend ~1-2 ms of CPU per call and contend for "
    "the GIL, stealing the CPU being measured; this client's own CPU per request is in the table. A "
    "`TooManyRequestsException` (the server's bounded hash queue refusing work) is counted under *throttled* and "
    "retried after a jittered backoff, as botocore does; latency is from a request's first send to its answer."
)


def _ms(value: float | None) -> str:
    return "-" if value is None else (f"{value:.1f}" if value >= 10 else f"{value:.2f}")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _errors(summary: dict[str, Any]) -> str:
    errors = summary.get("errors") or {}
    return ", ".join(f"{k} {v}" for k, v in errors.items()) or "0"


def _capacity(row: dict[str, Any]) -> str:
    if "of_capacity" not in row:
        return "-"
    return f"{row['of_capacity']:.2f} (of {row['hash_capacity_per_s']:.0f}/s)"


def _by_cpu(row: dict[str, Any], bound: dict[str, Any]) -> str:
    """The hash's share of the server's CPU per SignUp: the ratio of the bound the server would reach with every
    core to itself (independent of what else the machine runs)."""
    cpu = row.get("server_cpu_ms_per_request")
    return f"{bound['hash_ms'] / cpu:.2f}" if cpu else "-"


def machine(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    return [
        "## Machine and run",
        "",
        "| | |",
        "|---|---|",
        f"| date (UTC) | {results['date']} |",
        f"| command | `{results['command'].strip()}` |",
        f"| CPU | {m['cpu']}, {m['cores']} cores |",
        f"| memory | {m['memory_gib']} GiB |",
        f"| OS | {m['os']} |",
        f"| Python / SQLite | {m['python']} / {m['sqlite']} |",
        f"| load average before / after | {m['load_average']} / {m.get('load_average_after', '?')} |",
        f"| duration | {results.get('seconds', '?')} s |",
        "",
    ]


def hash_and_signup(results: dict[str, Any]) -> list[str]:
    h = results["hash"]
    share = h["verifier_ms"] / (h["hash_ms"] + h["verifier_ms"])
    lines = [
        "## 1. SignUp against the argon2id hash bound",
        "",
        f"- argon2id at our parameters (19 MiB, t=2, p=1), one core: **{h['hash_ms']:.1f} ms**; "
        f"bound = cores / hash time = {h['cores']} / {h['hash_ms'] / 1000:.4f} s = "
        f"**{h['bound_per_s']:.1f} SignUps/s** (what any server hashing this way could do here).",
        f"- The SRP verifier SignUp computes beside the hash (one 3072-bit modular exponentiation, GMP): "
        f"{h['verifier_ms']:.2f} ms, {share:.1%} of a SignUp's hashing work; bound with it: "
        f"{h['bound_with_verifier_per_s']:.1f}/s. The ratios below are of the hash-only bound.",
        f"- All cores hashing at once in this process (one thread per core): "
        f"{h['measured_parallel_hashes_per_s']:.1f}/s. On a shared or virtual machine this *measured capacity* "
        "is often well below the bound (other work holds the cores); it is measured again just before each "
        "point below, and *of measured capacity* compares with it.",
        "",
    ]
    rows = results.get("signup")
    if rows:
        lines += [
            "| workers | clients | SignUp/s | of bound | of measured capacity | of bound, by CPU | p50 ms | p95 ms | "
            "p99 ms | answered attempt p99 ms | throttled | errors | server CPU ms/req | client CPU ms/req |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['workers']} | {r['concurrency']} | {_rate(r['per_second'])} | {r.get('of_bound', 0):.2f} | "
                f"{_capacity(r)} | {_by_cpu(r, h)} | "
                f"{_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_ms(r['p99_ms'])} | "
                f"{_ms(r.get('answered_attempt_p99_ms'))} | "
                f"{r['throttled']} | {_errors(r)} | "
                f"{_ms(r['server_cpu_ms_per_request'])} | {_ms(r['client_cpu_ms_per_request'])} |"
            )
        lines += [
            "",
            "*of bound, by CPU* = hash time ÷ the server's CPU time per SignUp: the share of the server's work that "
            "is the hash itself, i.e. the ratio of the bound it reaches when it has every core (on a shared machine "
            "it does not, so *of bound* is lower; *of measured capacity* compares with the hashing rate measured a "
            "moment before, which is itself noisy). "
            "Clients = 1 is sequential latency. *throttled*: `TooManyRequestsException` answers (retried); the server "
            "admits at most `USERPOOL_HASH_WORKERS + USERPOOL_HASH_QUEUE` hashes per process, so latency stays "
            "bounded instead of queueing without end. p50-p99 include the client's backoff and retries after "
            "throttling (what an application sees); *answered attempt p99* is from the send of the attempt that "
            "was answered: the server's own queueing, bounded by the admitted hashes ÷ throughput.",
            "",
            LOAD_NOTE,
            "",
        ]
    return lines


def signin(results: dict[str, Any]) -> list[str]:
    rows = results.get("signin")
    if not rows:
        return []
    lines = [
        "## 1b. Sign-in against the measured hashing capacity",
        "",
        "| flow | clients | sign-ins/s | of measured capacity | p50 ms | p99 ms | throttled | errors | "
        "server CPU ms/sign-in | client CPU ms/sign-in | client SRP math ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['flow']} | {r['concurrency']} | {_rate(r['per_second'])} | {_capacity(r)} | "
            f"{_ms(r['p50_ms'])} | {_ms(r['p99_ms'])} | {r['throttled']} | {_errors(r)} | "
            f"{_ms(r['server_cpu_ms_per_request'])} | {_ms(r['client_cpu_ms_per_request'])} | "
            f"{_ms(r.get('client_srp_math_ms'))} |"
        )
    lines += [
        "",
        "`USER_PASSWORD_AUTH` is one InitiateAuth (an argon2id verify and two RS256 signatures). `USER_SRP_AUTH` is "
        "InitiateAuth then RespondToAuthChallenge `PASSWORD_VERIFIER` (the SRP math, no hash): every InitiateAuth of "
        "a point is sent, then the load generator computes the clients' signatures off the clock (*client SRP "
        "math*), then every answer is sent; sign-ins/s is over both phases' time, p50/p99 are the answers' and the "
        "server's CPU is both requests' per sign-in. *of measured capacity* compares with the hashing rate of one "
        "thread per core, measured just before each row. The users (at most 64) sign in again and again.",
        "",
    ]
    return lines


def peers(results: dict[str, Any]) -> list[str]:
    from bench.parts import LIST_LIMIT, PEER_OPERATIONS, TOKEN_ROUNDS

    found = results["peers"]
    names = [n for n in found if n != "userpool" and n != "userpool-2-workers"]
    ours = found.get("userpool", {})
    header = "| operation | userpool /s (p50 / p99 ms) |"
    rule = "|---|---|"
    for name in names:
        header += f" {name} /s (p50 / p99 ms) | userpool ÷ {name} |"
        rule += "---|---|"
    second = found.get("userpool-2-workers")
    if second is not None:
        header = header.replace(" userpool /s (p50 / p99 ms) |", " userpool /s (p50 / p99 ms) | userpool, 2 workers |")
        rule += "---|"
    lines = ["## 2. Peers side by side", "", header, rule]

    def measured(data: dict[str, Any], op: str) -> dict[str, Any] | None:
        """The operation's summary, if the target ran it (a run from before an operation was added lacks it)."""
        r = data.get(op) if "skipped" not in data else None
        return r if r is not None and "skipped" not in r else None

    def cell(data: dict[str, Any], op: str) -> str:
        if "skipped" in data:
            return "skipped"
        r = data.get(op)
        if r is None or "skipped" in r:
            return "not run" if r is None else f"skipped: {r['skipped']}"
        if not r["ok"]:
            return f"no answers, errors: {_errors(r)}"
        bad = f", errors: {_errors(r)}" if r.get("errors") else ""
        return f"{_rate(r['per_second'])} ({_ms(r['p50_ms'])} / {_ms(r['p99_ms'])}){bad}"

    for op in PEER_OPERATIONS:
        line = f"| {op} | {cell(ours, op)} |" + (f" {cell(second, op)} |" if second is not None else "")
        for name in names:
            peer = found[name]
            ratio = "-"
            theirs, mine = measured(peer, op), measured(ours, op)
            if theirs and mine and theirs["per_second"] and theirs["ok"] and mine["ok"]:
                ratio = f"{mine['per_second'] / theirs['per_second']:.2f}×"
                both = measured(second, op) if second is not None else None
                if both and both["ok"]:
                    ratio += f" ({both['per_second'] / theirs['per_second']:.2f}× with 2 workers)"
            line += f" {cell(peer, op)} | {ratio} |"
        lines.append(line)
    lines.append("")
    users = results["settings"]["peer_users"]
    clients = results["settings"]["peer_concurrency"]
    lines += [
        f"Each server gets a fresh store, a username pool that verifies email, {users} SignUps, their "
        f"ConfirmSignUps, {3 * users} AdminGetUser, {users} InitiateAuth (`USER_PASSWORD_AUTH`), "
        f"{TOKEN_ROUNDS} GetUser with each access token those answered, {users} ListUsers (`Limit` {LIST_LIMIT}: the "
        f"pool's first page) and {TOKEN_ROUNDS} InitiateAuth `REFRESH_TOKEN_AUTH` with each refresh token, each "
        f"with {clients} concurrent clients. An operation a server answers only with errors is shown with them "
        "(no ratio). **moto and cognito-local store plaintext passwords**: their SignUp and InitiateAuth do no "
        "hashing, while ours hash with argon2id (SignUp, bounded as in part 1) and verify it (InitiateAuth, which "
        "also signs two RS256 tokens), so those two rows compare different work; ConfirmSignUp, AdminGetUser, "
        "GetUser and ListUsers are the like-for-like rows (ours also write each change durably: SQLite WAL, each "
        "answered change synced to disk first; moto keeps everything in memory, cognito-local rewrites a JSON "
        "file). moto's ConfirmSignUp accepts any code; cognito-local's codes are read from its JSON database; ours "
        "from the outbox. cognito-local runs with `UserPoolDefaults.UsernameAttributes = []` (its default makes "
        "every pool an email-as-username pool). Ratios are of the single-process userpool; *2 workers* is "
        "`--workers 2` on the same SQLite store.",
        "",
    ]
    for name in [n for n in found if n not in names] + names:
        data = found[name]
        if "skipped" in data:
            lines.append(f"- {name}: skipped — {data['skipped']}")
        else:
            version = f" {data['version']}" if data.get("version") else ""
            lines.append(f"- {name}{version}: server RSS after the run {data['server_rss_mb']} MB")
    lines.append("")
    return lines


def scale(results: dict[str, Any]) -> list[str]:
    rows = results["scale"]
    lines = [
        "## 3. Scale: latency with many users in the pool",
        "",
        "| database | users | seeded in s | SignUp p50 / p99 ms | ConfirmSignUp p50 / p99 ms | "
        "sign-in p50 / p99 ms | start-up s | server RSS MB | database MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['database']} | skipped: {r['skipped']} | | | | | | | |")
            continue
        up, confirm, signin = r["signup"], r["confirm"], r["signin"]
        lines.append(
            f"| {r['database']} | {r['users']:,} | {r['seed_s']} | {_ms(up['p50_ms'])} / {_ms(up['p99_ms'])} | "
            f"{_ms(confirm['p50_ms'])} / {_ms(confirm['p99_ms'])} | {_ms(signin['p50_ms'])} / "
            f"{_ms(signin['p99_ms'])} | {r['startup_s']} | {r['server_rss_mb']} | {r['database_mb']} |"
        )
    lines.append("")
    for database in dict.fromkeys(r["database"] for r in rows if "skipped" not in r):
        mine = [r for r in rows if r.get("database") == database and "skipped" not in r]
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            ratios = [
                f"{op} p50 ×{large[key]['p50_ms'] / small[key]['p50_ms']:.2f}"
                for op, key in (("SignUp", "signup"), ("ConfirmSignUp", "confirm"), ("sign-in", "signin"))
                if small[key]["p50_ms"]
            ]
            lines.append(f"- {database}: at {large['users']:,} users vs {small['users']:,}: {', '.join(ratios)}")
    requests = results["settings"]["scale_requests"]
    lines += [
        "",
        f"Each point: {requests} sequential SignUps, their ConfirmSignUps and {requests} `USER_PASSWORD_AUTH` "
        "sign-ins of seeded users picked at random (one client), in five rounds that alternate between the pool "
        "sizes (each size has a store and server of its own, all up at once), so the machine's drift falls on "
        "every size alike; start-up is the server's after seeding. Users are seeded in bulk through "
        "`Store.bulk_insert_users` (confirmed, three attributes each, one precomputed argon2id hash and SRP "
        "verifier shared by all), not through the API, and a PostgreSQL store is then `VACUUM ANALYZE`d (in its "
        "seeding time), as autovacuum keeps a pool that grew over time. RSS is the server process after the run; "
        "the database size is SQLite's pages or PostgreSQL's `pg_database_size`.",
        "",
    ]
    return lines


def startup(results: dict[str, Any]) -> list[str]:
    s = results["startup"]
    return [
        "## 4. Start-up: `userpool serve` to the first 200 on `/health`",
        "",
        "| store | median s | runs s |",
        "|---|---|---|",
        f"| existing (a restart) | {s['existing_store_median_s']} | {s['existing_store_s']} |",
        f"| new (migrations create the schema) | {s['fresh_store_median_s']} | {s['fresh_store_s']} |",
        f"| bare `python -c pass`, for scale | {s['bare_python_median_s']} | |",
        "",
    ]


def profile(results: dict[str, Any]) -> list[str]:
    p = results["profile"]
    if "skipped" in p:
        return ["## 5. Profile", "", f"skipped: {p['skipped']}", ""]
    return ["## 5. Profile", "", f"pyinstrument report of {p['signups']} SignUps: `{p['report']}`", ""]


def imports(results: dict[str, Any]) -> list[str]:
    lines = [
        "## 6. User import jobs: rows per second",
        "",
        "| database | rows | file MB | upload MB/s | import s | rows/s | server RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["imports"]:
        if "skipped" in r:
            lines.append(f"| {r['database']} | skipped: {r['skipped']} | | | | | |")
            continue
        lines.append(
            f"| {r['database']} | {r['rows']:,} | {r['file_mb']} | {r['upload_mb_per_s']} | {r['import_s']} | "
            f"{r['rows_per_s']:,} | {r['server_rss_mb']} |"
        )
    return [*lines, ""]


def markdown(results: dict[str, Any]) -> str:
    lines = ["# userpool benchmark", ""]
    lines += machine(results)
    if "hash" in results:
        lines += hash_and_signup(results)
    lines += signin(results)
    if "peers" in results:
        lines += peers(results)
    if "scale" in results:
        lines += scale(results)
    if "startup" in results:
        lines += startup(results)
    if "profile" in results:
        lines += profile(results)
    if "imports" in results:
        lines += imports(results)
    return "\n".join(lines).rstrip() + "\n"
