"""The ``userpool`` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from userpool import config
from userpool.observability import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="userpool", description="A self-hosted Amazon Cognito user pools API.")
    commands = parser.add_subparsers(dest="command", required=True)

    def store_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--data-dir", type=Path, help="folder of the SQLite store and the secret key file (default ./.userpool)"
        )
        sub.add_argument("--database-url", help="SQLAlchemy URL of the store, e.g. sqlite:///x.db")
        sub.add_argument(
            "--config", type=Path, help="TOML file: settings in its [server] table; pools, clients and users to seed"
        )

    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 9229)")
    serve.add_argument("--region", help="region in pool ids and ARNs (default us-east-1)")
    serve.add_argument("--workers", type=int, help="worker processes (default 1); share one store")
    serve.add_argument("--fixed-code", help="make every confirmation code this 6-digit value (tests only)")
    serve.add_argument(
        "--allow-fixed-code-anywhere", action="store_true", default=None, help="allow --fixed-code off loopback"
    )
    store_options(serve)
    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    store_options(migrate)
    apply = commands.add_parser("apply", help="apply the pools, clients and users of --config and exit")
    store_options(apply)
    export = commands.add_parser("export", help="write the store's pools and clients as seed TOML")
    store_options(export)
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    rotate = commands.add_parser(
        "rotate-key", help="give a user pool a new token signing key (the old one stays published a day)"
    )
    rotate.add_argument("pool_id", help="the user pool id")
    store_options(rotate)
    coverage = commands.add_parser("coverage", help="print the API coverage table (Markdown)")
    coverage.add_argument("--missing", action="store_true", help="list the operations not implemented yet")
    return parser


async def _prepare(settings: config.Settings, seed_file: Path | None) -> list[str]:
    """Bring the store's schema up to date and apply the seed file, once, before any worker serves."""
    from userpool import seed
    from userpool.app import secret_box
    from userpool.store import Store

    store = Store.open(settings.url, secret_box(settings))
    try:
        await store.migrate()
        return await seed.apply_file(store, settings, seed_file) if seed_file else []
    finally:
        await store.close()


async def _export(settings: config.Settings) -> dict[str, object]:
    from userpool import seed
    from userpool.app import secret_box
    from userpool.store import Store

    store = Store.open(settings.url, secret_box(settings))
    try:
        await store.migrate()
        pools, token, found = [], None, []
        while True:
            page, token = await store.list_pools(60, token)
            found += page
            if token is None:
                break
        for pool in found:
            clients, client_token = [], None
            while True:
                page, client_token = await store.list_clients(pool.id, 60, client_token)
                clients += page
                if client_token is None:
                    break
            pools.append((pool, clients))
        return seed.export(pools)
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "coverage":
        from userpool import coverage

        print(
            "\n".join(coverage.missing()) if args.missing else coverage.markdown(),
            end="\n" if args.missing else "",
        )
        return 0
    try:
        settings = config.load(
            args.config,
            data_dir=args.data_dir,
            database_url=args.database_url,
            **(
                {
                    "host": args.host,
                    "port": args.port,
                    "region": args.region,
                    "workers": args.workers,
                    "fixed_code": args.fixed_code,
                    "allow_fixed_code_anywhere": args.allow_fixed_code_anywhere,
                }
                if args.command == "serve"
                else {}
            ),
        )
    except ValidationError as exc:
        source = f"{args.config}" if args.config else "flags and USERPOOL_* environment"
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "settings"
            print(f"userpool: configuration error in {source}: {key}: {error['msg']}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"userpool: configuration error in {args.config}: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_json)
    from userpool.app import WORKER_SETTINGS, build_app  # imported late: `userpool --help` stays fast
    from userpool.seed import SeedError

    if args.command == "serve":
        try:  # before the store is touched: a setting that cannot work stops us with nothing opened
            app = build_app(settings)
        except (OSError, ValueError) as exc:  # e.g. a trigger target that cannot work, an unreadable key file
            print(f"userpool: configuration error: {exc}", file=sys.stderr)
            return 2
    if args.command == "export":
        import tomli_w

        text = tomli_w.dumps(asyncio.run(_export(settings)))
        if args.output:
            args.output.write_text(text)
        else:
            print(text, end="")
        return 0
    if args.command == "apply" and args.config is None:
        print("userpool: apply needs --config FILE", file=sys.stderr)
        return 2
    try:
        changes = asyncio.run(_prepare(settings, args.config if args.command != "migrate" else None))
    except SeedError as exc:
        print(f"userpool: seed error in {exc}", file=sys.stderr)
        return 2
    for change in changes:
        print(f"userpool: {change}", flush=True)
    if args.command in ("migrate", "apply"):
        return 0

    if args.command == "rotate-key":
        return asyncio.run(_rotate_key(settings.url, args.pool_id))

    from userpool import serving

    where = settings.database_url or settings.data_dir / "userpool.db"
    print(f"userpool: serving the Cognito user pools API at http://{settings.host}:{settings.port}", flush=True)
    print(
        f"userpool: store {where}" + (f", {settings.workers} worker processes" if settings.workers > 1 else ""),
        flush=True,
    )
    base = f"http://{settings.host}:{settings.port}"
    print(
        "userpool: outbox "
        + (
            f"at {base}/_userpool/outbox, inbox page {base}/_userpool/inbox"
            if settings.outbox_exposed
            else "not exposed"
        ),
        flush=True,
    )
    email = f"SMTP {settings.smtp_host}" if settings.email_sender == "smtp" else "the outbox only"
    sms = {"outbox": "the outbox only", "sns": "SNS", "webhook": "webhook"}[settings.sms_sender]
    print(f"userpool: email by {email}, SMS by {sms}", flush=True)
    url = base
    print(
        "userpool: try it (any access key works unless keys are configured):\n"
        f"  aws --endpoint-url {url} cognito-idp create-user-pool --pool-name demo --auto-verified-attributes email\n"
        f"  aws --endpoint-url {url} cognito-idp list-user-pools --max-results 10\n"
        f"  python -c \"import boto3; print(boto3.client('cognito-idp', endpoint_url='{url}', "
        "region_name='us-east-1').list_user_pools(MaxResults=10))\"",
        flush=True,
    )
    if settings.fixed_code:
        print(
            f"userpool: WARNING: --fixed-code is on: every confirmation code is {settings.fixed_code}. Tests only!",
            flush=True,
        )
    if settings.workers > 1:
        # Each worker process builds its own app from the same settings (see app.app_from_environment).
        os.environ[WORKER_SETTINGS] = settings.model_dump_json()
    serving.run(app, settings)
    return 0


async def _rotate_key(url: str, pool_id: str) -> int:
    import time

    from userpool.domain.tokens import new_signing_key
    from userpool.store import Store, StoredKey

    store = Store.open(url)
    try:
        await store.migrate()
        if await store.get_pool(pool_id) is None:
            print(f"userpool: user pool {pool_id} does not exist", file=sys.stderr)
            return 1
        fresh = new_signing_key()
        key = StoredKey(fresh.kid, pool_id, fresh.private_pem, fresh.public_jwk, time.time())
        await store.add_signing_key(key, retire_others=True)
        print(f"userpool: pool {pool_id} now signs with key {key.kid}")
        return 0
    finally:
        await store.close()


if __name__ == "__main__":
    sys.exit(main())
