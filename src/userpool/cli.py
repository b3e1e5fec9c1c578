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
    # Libraries that would log SQL parameters or request bodies at debug level stay quiet whatever the level:
    # no password hash, code, or secret ever reaches the log.
    for noisy in ("sqlalchemy", "aiosqlite", "asyncpg", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from userpool.app import build_app  # imported late: `userpool --help` stays fast

    if args.command == "migrate":
        from userpool.store import Store

        async def run() -> None:
            store = Store.open(settings.url)
            await store.migrate()
            await store.close()

        asyncio.run(run())
        return 0

    from userpool import serving

    try:
        app = build_app(settings)
    except (OSError, ValueError) as exc:
        print(f"userpool: configuration error: {exc}", file=sys.stderr)
        return 2
    where = settings.database_url or settings.data_dir / "userpool.db"
    print(f"userpool: serving the Cognito user pools API at http://{settings.host}:{settings.port}", flush=True)
    print(f"userpool: store {where}", flush=True)
    print(
        "userpool: outbox "
        + (f"at http://{settings.host}:{settings.port}/_userpool/outbox" if settings.outbox_exposed else "not exposed"),
        flush=True,
    )
    serving.run(app, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
