"""The ``userpool`` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

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


class Refused(Exception):
    """The command cannot go on: each line goes to standard error after ``userpool: ``; ``code`` is the exit
    status."""

    def __init__(self, *lines: str, code: int = 2) -> None:
        super().__init__(*lines)
        self.lines = lines
        self.code = code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except Refused as refused:
        for line in refused.lines:
            print(f"userpool: {line}", file=sys.stderr)
        return refused.code


def _settings(args: argparse.Namespace, **flags: object) -> config.Settings:
    """The settings of the command's --config file, flags and USERPOOL_* environment; logging configured by them."""
    try:
        settings = config.load(args.config, data_dir=args.data_dir, database_url=args.database_url, **flags)
    except ValidationError as exc:
        source = f"{args.config}" if args.config else "flags and USERPOOL_* environment"
        lines = [f"configuration error in {source}: {_key(error)}: {error['msg']}" for error in exc.errors()]
        raise Refused(*lines) from None
    except (OSError, ValueError) as exc:
        raise Refused(f"configuration error in {args.config}: {exc}") from None
    configure_logging(settings.log_level, settings.log_json)
    return settings


def _key(error: ErrorDetails) -> str:
    return ".".join(str(part) for part in error["loc"]) or "settings"


def _prepare(settings: config.Settings, seed_file: Path | None) -> None:
    """Bring the store's schema up to date and apply the seed file, once, before any worker serves; print what
    the seed changed."""
    from userpool.seed import SeedError

    try:
        changes = asyncio.run(_migrate_and_seed(settings, seed_file))
    except SeedError as exc:
        raise Refused(f"seed error in {exc}") from None
    for change in changes:
        print(f"userpool: {change}", flush=True)


async def _migrate_and_seed(settings: config.Settings, seed_file: Path | None) -> list[str]:
    from userpool import seed
    from userpool.app import secret_box
    from userpool.store import Store

    store = Store.open(settings.url, secret_box(settings))
    try:
        await store.migrate()
        return await seed.apply_file(store, settings, seed_file) if seed_file else []
    finally:
        await store.close()


def show_coverage(args: argparse.Namespace) -> int:
    from userpool import coverage

    print("\n".join(coverage.missing()) if args.missing else coverage.markdown(), end="\n" if args.missing else "")
    return 0


def migrate(args: argparse.Namespace) -> int:
    _prepare(_settings(args), None)
    return 0


def apply(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.config is None:
        raise Refused("apply needs --config FILE")
    _prepare(settings, args.config)
    return 0


def export(args: argparse.Namespace) -> int:
    import tomli_w

    text = tomli_w.dumps(asyncio.run(_exported(_settings(args))))
    if args.output:
        args.output.write_text(text)
    else:
        print(text, end="")
    return 0


async def _exported(settings: config.Settings) -> dict[str, object]:
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


def rotate_key(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _prepare(settings, args.config)
    asyncio.run(_rotate_key(settings.url, args.pool_id))
    return 0


async def _rotate_key(url: str, pool_id: str) -> None:
    import time

    from userpool.domain.records import StoredKey
    from userpool.domain.tokens import new_signing_key
    from userpool.store import Store

    store = Store.open(url)
    try:
        await store.migrate()
        if await store.get_pool(pool_id) is None:
            raise Refused(f"user pool {pool_id} does not exist", code=1)
        fresh = new_signing_key()
        key = StoredKey(fresh.kid, pool_id, fresh.private_pem, fresh.public_jwk, time.time())
        await store.add_signing_key(key, retire_others=True)
        print(f"userpool: pool {pool_id} now signs with key {key.kid}")
    finally:
        await store.close()


def serve(args: argparse.Namespace) -> int:
    settings = _settings(
        args,
        host=args.host,
        port=args.port,
        region=args.region,
        workers=args.workers,
        fixed_code=args.fixed_code,
        allow_fixed_code_anywhere=args.allow_fixed_code_anywhere,
    )
    from userpool import serving
    from userpool.app import WORKER_SETTINGS, build_app  # imported late: `userpool --help` stays fast

    try:  # before the store is touched: a setting that cannot work stops us with nothing opened
        app = build_app(settings)
    except (OSError, ValueError) as exc:  # e.g. a trigger target that cannot work, an unreadable key file
        raise Refused(f"configuration error: {exc}") from None
    _prepare(settings, args.config)
    _announce(settings)
    if settings.workers > 1:
        # Each worker process builds its own app from the same settings (see app.app_from_environment).
        os.environ[WORKER_SETTINGS] = settings.model_dump_json()
    serving.run(app, settings)
    return 0


def _announce(settings: config.Settings) -> None:
    """Say where the service listens, what it stores where, and how to try it."""
    where = settings.database_url or settings.data_dir / "userpool.db"
    base = f"http://{settings.host}:{settings.port}"
    email = f"SMTP {settings.smtp_host}" if settings.email_sender == "smtp" else "the outbox only"
    sms = {"outbox": "the outbox only", "sns": "SNS", "webhook": "webhook"}[settings.sms_sender]
    lines = [
        f"serving the Cognito user pools API at {base}",
        f"store {where}" + (f", {settings.workers} worker processes" if settings.workers > 1 else ""),
        "outbox "
        + (
            f"at {base}/_userpool/outbox, inbox page {base}/_userpool/inbox"
            if settings.outbox_exposed
            else "not exposed"
        ),
        f"email by {email}, SMS by {sms}",
        "try it (any access key works unless keys are configured):\n"
        f"  aws --endpoint-url {base} cognito-idp create-user-pool --pool-name demo --auto-verified-attributes email\n"
        f"  aws --endpoint-url {base} cognito-idp list-user-pools --max-results 10\n"
        f"  python -c \"import boto3; print(boto3.client('cognito-idp', endpoint_url='{base}', "
        "region_name='us-east-1').list_user_pools(MaxResults=10))\"",
    ]
    if settings.fixed_code:
        lines.append(f"WARNING: --fixed-code is on: every confirmation code is {settings.fixed_code}. Tests only!")
    for line in lines:
        print(f"userpool: {line}", flush=True)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": serve,
    "migrate": migrate,
    "apply": apply,
    "export": export,
    "rotate-key": rotate_key,
    "coverage": show_coverage,
}


if __name__ == "__main__":
    sys.exit(main())
