"""The ``userpool`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from userpool import config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="userpool", description="A self-hosted Amazon Cognito user pools API.")
    commands = parser.add_subparsers(dest="command", required=True)

    def store_options(sub: argparse.ArgumentParser) -> None:
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--data-dir", type=Path, help="folder of the SQLite store (default ./.userpool)")
        where.add_argument("--database-url", help="SQLAlchemy URL of the store, e.g. sqlite+aiosqlite:///x.db")
        sub.add_argument("--config", type=Path, help="TOML file; settings in its [server] table")

    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 9229)")
    serve.add_argument("--region", help="region in pool ids and ARNs (default us-east-1)")
    store_options(serve)
    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    store_options(migrate)
    rotate = commands.add_parser(
        "rotate-key", help="give a user pool a new token signing key (the old one stays published a day)"
    )
    rotate.add_argument("pool_id", help="the user pool id")
    store_options(rotate)
    coverage = commands.add_parser("coverage", help="print the API coverage table (Markdown)")
    coverage.add_argument("--missing", action="store_true", help="list the operations not implemented yet")
    return parser


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
            **({"host": args.host, "port": args.port, "region": args.region} if args.command == "serve" else {}),
        )
    except (ValidationError, OSError, ValueError) as exc:
        print(f"userpool: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from userpool.app import build_app  # imported late: `userpool --help` stays fast

    if args.command == "migrate":
        from userpool.store import Store

        async def run() -> None:
            store = Store.open(settings.url)
            await store.migrate()
            await store.close()

        asyncio.run(run())
        return 0

    if args.command == "rotate-key":
        return asyncio.run(_rotate_key(settings.url, args.pool_id))

    import uvicorn

    app = build_app(settings)
    where = settings.database_url or settings.data_dir / "userpool.db"
    print(f"userpool: serving the Cognito user pools API at http://{settings.host}:{settings.port}", flush=True)
    print(f"userpool: store {where}", flush=True)
    print(
        "userpool: outbox "
        + (f"at http://{settings.host}:{settings.port}/_userpool/outbox" if settings.outbox_exposed else "not exposed"),
        flush=True,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level, access_log=False)
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
