"""The composition root: build the Starlette application (and the parts it owns) from settings."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from userpool import web
from userpool.blocklist import PasswordBlocklist
from userpool.clock import Clock
from userpool.config import Settings
from userpool.context import Context
from userpool.delivery import Sender
from userpool.delivery.outbox import OutboxSender
from userpool.delivery.router import MediumRouter
from userpool.delivery.sms import SnsSender, WebhookSender
from userpool.delivery.smtp import DEFAULT_PORTS, SmtpSender, SmtpServer
from userpool.domain import auth_events, codes, imports, passwords
from userpool.hashing import PasswordHashing
from userpool.observability import Metrics, configure_logging
from userpool.operations.shared.import_runner import ImportRunner
from userpool.protocol.model import ServiceModel
from userpool.protocol.wire import Endpoint
from userpool.store import Store
from userpool.store.sealing import SecretBox, decode_key, load_or_create_key
from userpool.triggers import Triggers

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


def secret_key(settings: Settings) -> bytes:
    """The server's secret key: the configured key, the configured key file (which must exist), or
    ``<data_dir>/secret.key`` (created on first start)."""
    if settings.secret_key is not None:
        return decode_key(settings.secret_key.get_secret_value())
    if settings.secret_key_file is not None:
        return decode_key(settings.secret_key_file.read_text())
    return load_or_create_key(settings.data_dir / "secret.key")


def secret_box(settings: Settings) -> SecretBox:
    """The box that seals client secrets, with the server's secret key."""
    return SecretBox(secret_key(settings))


def build_context(settings: Settings) -> Context:
    """The service's parts, opened from the settings; ``lifespan`` closes them."""
    triggers = Triggers(settings)  # first: a trigger setting that cannot work stops us before anything is opened
    settings.check()
    key = secret_key(settings)
    store = Store.open(settings.url, SecretBox(key), settings.config_cache_seconds)
    clock = Clock()
    hashing = PasswordHashing(
        settings.hash_workers, settings.hash_queue, settings.password_hash_memory_kib, settings.password_hash_iterations
    )
    metrics = Metrics()
    metrics.hashes_in_flight.set_function(lambda: hashing.in_flight)
    ctx = Context(
        settings=settings,
        store=store,
        clock=clock,
        hashing=hashing,
        sender=build_sender(settings, store, clock),
        metrics=metrics,
        generate_code=(lambda digits=6: fixed) if (fixed := settings.fixed_code) else codes.generate,
        triggers=triggers,
        blocklist=PasswordBlocklist(),
        feedback_key=auth_events.feedback_key(key),
        import_url_key=imports.url_key(key),
    )
    if settings.fixed_code:
        log.warning("FIXED CODE: every confirmation code is %s; never use this outside tests", settings.fixed_code)
    if passwords.below_owasp(settings.password_hash_memory_kib, settings.password_hash_iterations):
        log.warning(
            "WEAK PASSWORD HASHING: argon2id at %d KiB and %d iteration(s) is below OWASP's recommendations; "
            "never use this outside tests",
            settings.password_hash_memory_kib,
            settings.password_hash_iterations,
        )
    return ctx


def api_endpoint(ctx: Context) -> Endpoint:
    """The AWS JSON 1.1 endpoint (``POST /``)."""
    endpoint = Endpoint(ctx, ServiceModel())
    if not endpoint.authenticator.enforcing:
        log.warning(
            "no access keys configured: IAM-authorized operations accept any signature (local development); "
            "set USERPOOL_ACCESS_KEYS or [server.access_keys] to require SigV4"
        )
    return endpoint


@contextlib.asynccontextmanager
async def lifespan(ctx: Context, _: Starlette) -> AsyncIterator[None]:
    """Bring the store's schema up to date before serving; close every part of ``ctx`` after."""
    await ctx.store.migrate()
    sealed = await ctx.store.seal_client_secrets()
    if sealed:
        log.info("sealed %d client secret(s) kept in plain text by an earlier version", sealed)
    sealed = await ctx.store.seal_signing_keys()
    if sealed:
        log.info("sealed %d token signing key(s) kept in plain text by an earlier version", sealed)
    # What start-up made (the botocore model, SQLAlchemy's tables, the modules: some 130,000 objects) lives as long
    # as the server. Frozen, the collector's full passes no longer walk it: each walk stopped the process for ~100 ms
    # on these machines, the p99 of a busy server. Thawed at shutdown (a process may run more servers, as tests do).
    gc.freeze()
    runner = ImportRunner(ctx)
    running = asyncio.create_task(runner.run(), name="userpool-import-runner")
    try:
        yield
    finally:
        gc.unfreeze()
        await runner.stop(running)
        await ctx.triggers.close()
        ctx.hashing.close()
        await ctx.sender.aclose()
        ctx.blocklist.close()
        await ctx.store.close()


class Service(Starlette):
    """The app: Starlette's routes, except that the API's requests (``POST /``, nearly all the traffic) go straight
    to the endpoint, past Starlette's error middleware and router: the endpoint answers every error itself."""

    def __init__(self, endpoint: Endpoint, **options: Any) -> None:
        super().__init__(**options)
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/":
            scope["app"] = self
            await self.endpoint(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def build_app(settings: Settings) -> Starlette:
    """The service: the AWS JSON 1.1 endpoint and the routes of ``web``, over the parts of ``build_context``."""
    ctx = build_context(settings)
    endpoint = api_endpoint(ctx)
    # The route is there for the router's answers to other methods on ``/`` (405); ``Service`` serves its POSTs.
    routes = [Route("/", endpoint.handle, methods=["POST"]), *web.routes(ctx, endpoint.invoke)]
    app = Service(endpoint, routes=routes, lifespan=functools.partial(lifespan, ctx))
    app.state.context = ctx
    return app
