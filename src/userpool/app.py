"""The composition root: build the Starlette application (and the parts it owns) from settings."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.blocklist import PasswordBlocklist
from userpool.clock import Clock
from userpool.config import Settings
from userpool.context import Context
from userpool.delivery import Sender
from userpool.delivery.outbox import OutboxSender
from userpool.delivery.router import MediumRouter
from userpool.delivery.sms import SnsSender, WebhookSender
from userpool.delivery.smtp import DEFAULT_PORTS, SmtpSender, SmtpServer
from userpool.domain import codes
from userpool.hashing import PasswordHashing
from userpool.observability import CONTENT_TYPE as METRICS_CONTENT_TYPE
from userpool.observability import Metrics, configure_logging
from userpool.protocol.model import ServiceModel
from userpool.protocol.wellknown import WellKnown
from userpool.protocol.wire import Endpoint
from userpool.store import Store
from userpool.store.sealing import SecretBox, decode_key, load_or_create_key
from userpool.triggers import Triggers
from userpool.web.pages import Pages

log = logging.getLogger("userpool")
# `userpool serve --workers N` hands each worker process its settings in this environment variable.
WORKER_SETTINGS = "USERPOOL_WORKER_SETTINGS"


def app_from_environment() -> Starlette:
    """The app of one worker process of `userpool serve --workers N`."""
    settings = Settings.model_validate_json(os.environ[WORKER_SETTINGS])
    configure_logging(settings.log_level, settings.log_json)
    return build_app(settings)


def build_sender(settings: Settings, store: Store, clock: Clock) -> MediumRouter:
    """The senders the settings choose for each medium, the outbox beside them."""
    outbox = OutboxSender(store, clock, keep=settings.outbox_exposed)
    email: Sender = outbox
    if settings.email_sender == "smtp":
        assert settings.smtp_host is not None  # Settings.check
        server = SmtpServer(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_security],
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=settings.smtp_timeout,
            validate_certs=settings.smtp_validate_certs,
            ca_file=settings.smtp_ca_file,
        )
        email = SmtpSender(server, settings.email_from, clock)
    sms: Sender = outbox
    if settings.sms_sender == "sns":
        sms = SnsSender(settings.sns_region or settings.region, settings.sns_endpoint_url, settings.sms_timeout)
    elif settings.sms_sender == "webhook":
        assert settings.sms_webhook_url is not None  # Settings.check
        sms = WebhookSender(settings.sms_webhook_url, settings.sms_timeout)
    return MediumRouter({"EMAIL": email, "SMS": sms}, outbox)


def secret_box(settings: Settings) -> SecretBox:
    """The box that seals client secrets: the configured key, the configured key file (which must exist), or
    ``<data_dir>/secret.key`` (created on first start)."""
    if settings.secret_key is not None:
        return SecretBox(decode_key(settings.secret_key.get_secret_value()))
    if settings.secret_key_file is not None:
        return SecretBox(decode_key(settings.secret_key_file.read_text()))
    return SecretBox(load_or_create_key(settings.data_dir / "secret.key"))


def build_app(settings: Settings) -> Starlette:
    triggers = Triggers(settings)  # first: a trigger setting that cannot work stops us before anything is opened
    settings.check()
    store = Store.open(settings.url, secret_box(settings))
    clock = Clock()
    hashing = PasswordHashing(settings.hash_workers, settings.hash_queue)
    sender = build_sender(settings, store, clock)
    metrics = Metrics()
    metrics.hashes_in_flight.set_function(lambda: hashing.in_flight)
    ctx = Context(
        settings=settings,
        store=store,
        clock=clock,
        hashing=hashing,
        sender=sender,
        metrics=metrics,
        generate_code=(lambda: fixed) if (fixed := settings.fixed_code) else codes.generate,
        triggers=triggers,
        blocklist=PasswordBlocklist(),
    )
    if settings.fixed_code:
        log.warning("FIXED CODE: every confirmation code is %s; never use this outside tests", settings.fixed_code)
    endpoint = Endpoint(ctx, ServiceModel())
    pages = Pages(ctx)
    if not endpoint.authenticator.enforcing:
        log.warning(
            "no access keys configured: IAM-authorized operations accept any signature (local development); "
            "set USERPOOL_ACCESS_KEYS or [server.access_keys] to require SigV4"
        )

    async def health(_: Request) -> Response:
        """Liveness: the process answers."""
        return JSONResponse({"status": "ok"})

    async def ready(_: Request) -> Response:
        """Readiness: the store answers too."""
        if await store.healthy():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "store unavailable"}, 503)

    async def metrics_page(_: Request) -> Response:
        return Response(metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

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
                        "link": m.link,
                        "createdAt": m.created_at,
                    }
                    for m in messages
                ]
            }
        )

    async def move_clock(request: Request) -> Response:
        usage = 'Send {"advance": <seconds>} and/or {"freeze": true | false}.'
        try:
            body = await request.json()
            seconds = float(body.get("advance", 0))
            freeze = body.get("freeze")
        except (ValueError, AttributeError, TypeError):
            return JSONResponse({"message": usage}, 400)
        if (freeze is not None and not isinstance(freeze, bool)) or not ({"advance", "freeze"} & body.keys()):
            return JSONResponse({"message": usage}, 400)
        if freeze is not None:
            clock.freeze(freeze)
        clock.advance(seconds)
        return JSONResponse({"now": clock.now()})

    well_known = WellKnown(ctx)
    routes = [
        Route("/", endpoint.handle, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
        Route("/confirmUser", pages.confirm_user, methods=["GET"]),
        Route("/{pool_id}/.well-known/jwks.json", well_known.jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", well_known.openid_configuration, methods=["GET"]),
    ]
    if settings.outbox_exposed:
        routes.append(Route("/_userpool/outbox", outbox, methods=["GET"]))
        routes.append(Route("/_userpool/inbox", pages.inbox, methods=["GET"]))
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
            await triggers.close()
            hashing.close()
            await sender.aclose()
            ctx.blocklist.close()
            await store.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.context = ctx
    return app
