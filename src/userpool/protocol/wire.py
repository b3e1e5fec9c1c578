"""AWS JSON 1.1 over HTTP: from a ``POST /`` to an operation call and back, errors encoded in one place."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from userpool.context import Call, Context
from userpool.domain import texts
from userpool.errors import (
    InternalErrorException,
    RequestEntityTooLargeException,
    RequestTimeoutException,
    SerializationException,
    ServiceError,
    UnknownOperationException,
    UnsupportedOperationException,
)
from userpool.observability import REQUEST_ID, RequestRecord
from userpool.operations import REGISTRY, Operation
from userpool.operations.shared import lookups, throttle
from userpool.protocol.auth import Authenticator, SignedRequest
from userpool.protocol.limits import RequestLimits, check_depth
from userpool.protocol.model import ServiceModel
from userpool.protocol.sources import ClientAddress
from userpool.store.cached import SERVED_FROM_CACHE

log = logging.getLogger("userpool.protocol")
CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
HEADER_MESSAGE_LIMIT = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONG_DIGITS = re.compile(rb"[0-9]{19}")


def encode(payload: dict[str, Any], request_id: str, status: int = 200) -> Response:
    body = orjson.dumps(payload)  # compact UTF-8, as AWS answers; several times faster than json.dumps on big lists
    return Response(body, status, {"x-amzn-RequestId": request_id}, media_type=CONTENT_TYPE)


def encode_error(error: ServiceError, request_id: str) -> Response:
    response = encode({"__type": error.type_name, "message": error.message, **error.extra}, request_id, error.status)
    response.headers["x-amzn-ErrorType"] = f"{error.type_name}:"
    # A header carries one short line of Latin-1 without control characters or surrounding spaces (HTTP servers
    # and clients refuse anything else); the body has the message exactly.
    header_message = _CONTROL.sub(" ", error.message)[:HEADER_MESSAGE_LIMIT].strip()
    response.headers["x-amzn-ErrorMessage"] = header_message.encode("latin-1", "backslashreplace").decode("latin-1")
    return response


async def _read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The whole body, at most ``limit`` bytes, received within ``seconds`` (slow senders are cut off)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestEntityTooLargeException(f"Request body exceeds the limit of {limit} bytes.")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestEntityTooLargeException(f"Request body exceeds the limit of {limit} bytes.")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeoutException(f"The request body was not received within {seconds:g} seconds.") from None
    return b"".join(chunks)


def _decode(body: bytes, max_depth: int) -> Any:
    if not body.strip():
        return {}
    check_depth(body, max_depth)
    try:
        # orjson accepts only valid UTF-8 and JSON without lone surrogates, NaN or infinities, and reads what it
        # accepts as json.loads does, except integers beyond 64 bits (floats): a body with a run of 19 digits, or
        # one orjson refuses, is read the slow way (and refused with the same errors as before).
        if not _LONG_DIGITS.search(body):
            return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:
        params = json.loads(body.decode("utf-8"))
        # A \\uD800-style escape decodes to half a UTF-16 pair, which no UTF-8 text (or database) can hold.
        json.dumps(params, ensure_ascii=False).encode("utf-8")
        return params
    except UnicodeError:
        raise SerializationException("The request body is not valid UTF-8.") from None
    except RecursionError:
        raise SerializationException("The request body is nested too deeply.") from None
    except ValueError:
        raise SerializationException("The request body is not valid JSON.") from None


def _without_nulls(value: Any) -> Any:
    """The request with every ``null`` member dropped: AWS's JSON protocols treat ``null`` as absent, and so do
    validation and every operation (which may then rely on ``params.get(name, default)``)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _subject(call: Call) -> tuple[str | None, str | None]:
    """The pool and the user a request names, as far as the request itself tells (no store read): the pool by
    ``UserPoolId`` or the app client this request already read, the user by ``Username`` or the ``USERNAME`` of its
    authentication parameters or challenge answers. Never a password, code or token."""
    params = call.params if isinstance(call.params, dict) else {}
    pool_id = params.get("UserPoolId")
    found = call.clients.get(params.get("ClientId")) if isinstance(params.get("ClientId"), str) else None
    if not isinstance(pool_id, str) and found is not None and found[1] is not None:
        pool_id = found[1].id
    username = params.get("Username")
    for holder in ("AuthParameters", "ChallengeResponses"):
        if not isinstance(username, str) and isinstance(params.get(holder), dict):
            username = params[holder].get("USERNAME")
    return (
        pool_id if isinstance(pool_id, str) else None,
        username[:128] if isinstance(username, str) else None,
    )


class Endpoint:
    """The ``POST /`` endpoint: target header → validation → operation → output shape."""

    def __init__(self, ctx: Context, model: ServiceModel) -> None:
        self.ctx = ctx
        self.model = model
        settings = ctx.settings
        self.authenticator = Authenticator(
            {k: v.get_secret_value() for k, v in settings.access_keys.items()}, settings.region
        )
        self.limits = RequestLimits(model, settings.max_attributes, settings.max_client_metadata_bytes)
        self.addresses = ClientAddress(settings.trusted_proxies)

    def _operation_name(self, request: Request) -> str:
        target = request.headers.get("x-amz-target")
        if not target:
            raise UnknownOperationException("Missing X-Amz-Target header.")
        prefix, _, name = target.partition(".")
        if prefix + "." != TARGET_PREFIX or not self.model.has_operation(name):
            raise UnknownOperationException(f"Unknown operation {target}.")
        return name

    async def run(self, implementation: Operation, call: Call) -> dict[str, Any]:
        """An operation as the API runs it once the request is read (and, for IAM operations, authenticated): the
        input checked against the model, ``null`` members dropped, the limits and rate limits, the operation, its
        answer filtered to the output shape."""
        self.model.validate_input(call.operation, call.params)
        call = dataclasses.replace(call, params=_without_nulls(call.params))
        self.limits.check(call.operation, call.params)
        # App clients and pools may come from the store's cache here (``store/cached.py``); a failure after one was
        # deleted by another process answers its not-found error.
        cached = SERVED_FROM_CACHE.set(True)
        try:
            await throttle.admit(self.ctx, call)
            result = await implementation(self.ctx, call)
        except ServiceError:
            raise
        except Exception:
            await lookups.gone_meanwhile(self.ctx.store, call.params)
            raise
        finally:
            SERVED_FROM_CACHE.reset(cached)
        return self.model.serialize_output(call.operation, result)

    async def invoke(self, call: Call, observe: bool = True) -> dict[str, Any]:
        """The console's door: ``call`` run as the API runs it (``run``); a refusal is raised as the ``ServiceError``
        the API would answer. Observed (counted and shown in the activity view, door "console") unless a page only
        reads with it."""
        started = time.perf_counter()
        outcome, message = "ok", None
        try:
            implementation = REGISTRY.get(call.operation)
            if implementation is None:
                raise UnsupportedOperationException(f"userpool does not implement {call.operation} yet.")
            return await self.run(implementation, call)
        except ServiceError as error:
            outcome, message = error.type_name, error.message
            raise
        except Exception:
            outcome, message = "InternalErrorException", texts.INTERNAL_ERROR
            raise
        finally:
            if observe:
                elapsed = time.perf_counter() - started
                self._observe("console", call, call.operation, call.request_id, outcome, message, elapsed)

    def _observe(
        self,
        door: str,
        call: Call | None,
        operation: str,
        request_id: str,
        outcome: str,
        message: str | None,
        elapsed: float,
    ) -> None:
        """Count an answered request in the metrics and the activity view, and log it at debug level."""
        self.ctx.metrics.observe_request(operation, outcome, elapsed)
        pool_id, username = _subject(call) if call is not None else (None, None)
        self.ctx.metrics.recent.add(
            RequestRecord(
                self.ctx.clock.now(), request_id, door, operation, pool_id, username, outcome, message, elapsed * 1000
            )
        )
        log.debug("%s %s %.1f ms", operation, outcome, elapsed * 1000)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The endpoint as an ASGI application: ``app.Service`` hands it each ``POST /`` directly."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        operation, call, message = "-", None, None
        try:
            operation = self._operation_name(request)
            implementation = REGISTRY.get(operation)
            if implementation is None:
                raise UnsupportedOperationException(f"userpool does not implement {operation} yet.")
            settings = self.ctx.settings
            body = await _read_body(request, settings.max_body_bytes, settings.body_read_timeout)
            if self.authenticator.enforcing and not self.model.is_unauthenticated(operation):
                self.authenticator.authenticate(
                    SignedRequest(request.method, str(request.url), request.headers, body), self.ctx.clock.now()
                )
            params = _decode(body, settings.max_json_depth)
            call = Call(
                operation=operation,
                params=params,
                request_id=request_id,
                source_ip=self.addresses.of(request),
                user_agent=request.headers.get("user-agent", ""),
            )
            response = encode(await self.run(implementation, call), request_id)
            outcome = "ok"
        except ServiceError as error:
            response = encode_error(error, request_id)
            outcome, message = error.type_name, error.message
        except Exception:
            log.exception("request %s (%s) failed", request_id, operation)
            response = encode_error(InternalErrorException(texts.INTERNAL_ERROR), request_id)
            outcome, message = "InternalErrorException", texts.INTERNAL_ERROR
        self._observe("api", call, operation, request_id, outcome, message, time.perf_counter() - started)
        return response
