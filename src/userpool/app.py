"""The composition root: build the Starlette application (and the parts it owns) from settings."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.blocklist import PasswordBlocklist
from userpool.clock import Clock
from userpool.config import Settings
from userpool.context import Context
from userpool.delivery.outbox import OutboxSender
from userpool.hashing import PasswordHashing
from userpool.protocol.model import ServiceModel
from userpool.protocol.wire import Endpoint
from userpool.store import Store
from userpool.store.sealing import SecretBox, decode_key, load_or_create_key

log = logging.getLogger("userpool")


def secret_box(settings: Settings) -> SecretBox:
    """The box that seals client secrets: the configured key, the configured key file (which must exist), or
    ``<data_dir>/secret.key`` (created on first start)."""
    if settings.secret_key is not None:
        return SecretBox(decode_key(settings.secret_key.get_secret_value()))
    if settings.secret_key_file is not None:
        return SecretBox(decode_key(settings.secret_key_file.read_text()))
    return SecretBox(load_or_create_key(settings.data_dir / "secret.key"))


def build_app(settings: Settings) -> Starlette:
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(settings.url, secret_box(settings))
    clock = Clock()
    hashing = PasswordHashing(settings.hash_workers, settings.hash_queue)
    ctx = Context(
        settings=settings,
        store=store,
        clock=clock,
        hashing=hashing,
        sender=OutboxSender(store, clock, keep=settings.outbox_exposed),
        blocklist=PasswordBlocklist(),
    )
    endpoint = Endpoint(ctx, ServiceModel())
    if not endpoint.authenticator.enforcing:
        log.warning(
            "no access keys configured: IAM-authorized operations accept any signature (local development); "
            "set USERPOOL_ACCESS_KEYS or [server.access_keys] to require SigV4"
        )

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def outbox(request: Request) -> Response:
        messages = await store.list_messages(
            request.query_params.get("userPoolId"), request.query_params.get("username")
        )
        return JSONResponse(
            {
                "messages": [
                    {
                        "id": m.id,
                        "userPoolId": m.pool_id,
                        "username": m.username,
                        "medium": m.medium,
                        "destination": m.destination,
                        "subject": m.subject,
                        "body": m.body,
                        "code": m.code,
                        "createdAt": m.created_at,
                    }
                    for m in messages
                ]
            }
        )

    async def move_clock(request: Request) -> Response:
        try:
            seconds = float((await request.json())["advance"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"message": 'Send {"advance": <seconds>}.'}, 400)
        clock.advance(seconds)
        return JSONResponse({"now": clock.now()})

    routes = [Route("/", endpoint.handle, methods=["POST"]), Route("/health", health, methods=["GET"])]
    if settings.outbox_exposed:
        routes.append(Route("/_userpool/outbox", outbox, methods=["GET"]))
    if settings.clock_control:
        routes.append(Route("/_userpool/clock", move_clock, methods=["POST"]))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await store.migrate()
        sealed = await store.seal_client_secrets()
        if sealed:
            log.info("sealed %d client secret(s) kept in plain text by an earlier version", sealed)
        try:
            yield
        finally:
            hashing.close()
            ctx.blocklist.close()
            await store.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.context = ctx
    return app
