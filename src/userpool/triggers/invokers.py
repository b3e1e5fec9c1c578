"""How a trigger function is reached: one small ``Invoker`` protocol and three ways to call a function.

- ``LambdaApiInvoker``: the AWS Lambda Invoke API through boto3 (``InvocationType=RequestResponse``), against AWS
  or any endpoint that serves it (LocalStack, the Lambda runtime interface emulator, ...).
- ``HttpInvoker``: ``POST`` the event as JSON to a URL; the JSON answer is the result.
- ``PythonInvoker``: a ``module:function`` Lambda handler called in this process as ``handler(event, context)``,
  sync (in a thread, so it cannot block the event loop) or async.

An invoker returns the function's answer as bytes (read later by ``responses``) or raises ``FunctionError`` (the
function ran and failed: Cognito's ``UserLambdaValidationException``) or ``InvocationFailed`` (it could not be
run or did not answer in time: ``UnexpectedLambdaException``).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

log = logging.getLogger("userpool.triggers")

SOCKET_TIMEOUT = "Socket timeout while invoking Lambda function."
# How Cognito words a function it cannot reach is not public; this follows its "<Trigger> invocation failed due
# to error <reason>" form (unverified).
UNREACHABLE = "Unable to reach the Lambda function."


class FunctionError(Exception):
    """The function ran and raised (Lambda's ``FunctionError``); ``message`` is its ``errorMessage``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvocationFailed(Exception):
    """The function could not be run or did not answer. ``reason`` completes Cognito's
    ``<Trigger> invocation failed due to error <reason>``; ``retryable`` failures are tried again."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Invoker(Protocol):
    async def invoke(self, payload: bytes, time_limit: float) -> bytes: ...


def _error_message(body: bytes) -> str | None:
    """``errorMessage`` of a Lambda error payload, if the body is one."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeError):
        return None
    if isinstance(value, dict) and "errorMessage" in value:
        return str(value["errorMessage"])
    return None


# --- the Lambda Invoke API ---------------------------------------------------------------------------------------
class LambdaApiInvoker:
    """``lambda.invoke`` on ``function`` (an ARN or name) through a boto3 client made for one endpoint."""

    def __init__(self, client: Any, function: str, executor: ThreadPoolExecutor) -> None:
        self._client = client
        self._function = function
        self._executor = executor

    @staticmethod
    def make_client(region: str, endpoint_url: str | None, timeout: float) -> Any:
        """A Lambda client whose socket timeouts are one attempt's budget; the caller does the retrying.

        With a custom endpoint (a local emulator such as LocalStack) credentials come from the environment or the
        shared AWS files only, never from the container or instance metadata services, and fixed local ones are
        used when there are none (emulators accept any). Without one, the full AWS credential chain applies."""
        # Imported here: boto3 and botocore's session cost a few hundred milliseconds of start-up, and only
        # servers with Lambda Invoke API triggers need them.
        import boto3
        import botocore.session
        from botocore.config import Config as BotoConfig

        core = botocore.session.get_session()
        if endpoint_url:
            resolver = core.get_component("credential_provider")
            for method in ("container-role", "iam-role"):
                resolver.remove(method)
        session = boto3.session.Session(botocore_session=core, region_name=region)
        config = BotoConfig(
            connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1, "mode": "standard"}
        )
        extra: dict[str, str] = {}
        if endpoint_url and session.get_credentials() is None:
            extra = {"aws_access_key_id": "userpool", "aws_secret_access_key": "userpool"}
        return session.client("lambda", endpoint_url=endpoint_url, config=config, **extra)

    def _invoke(self, payload: bytes) -> bytes:
        try:
            answer = self._client.invoke(FunctionName=self._function, InvocationType="RequestResponse", Payload=payload)
        except (ReadTimeoutError, ConnectTimeoutError):
            raise InvocationFailed(SOCKET_TIMEOUT, retryable=True) from None
        except EndpointConnectionError:
            raise InvocationFailed(UNREACHABLE, retryable=True) from None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code") or "ServiceException"
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            raise InvocationFailed(f"{code}.", retryable=status >= 500 or status == 429) from None
        except BotoCoreError as exc:
            raise InvocationFailed(f"{type(exc).__name__}.", retryable=False) from None
        body = answer["Payload"].read()
        if answer.get("FunctionError"):
            message = _error_message(body)
            raise FunctionError(message if message is not None else answer["FunctionError"])
        return body

    async def invoke(self, payload: bytes, time_limit: float) -> bytes:
        # The client's socket timeouts, made from the same setting, bound the call (a thread cannot be cancelled).
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._invoke, payload)


# --- HTTP ----------------------------------------------------------------------------------------------------
class HttpInvoker:
    """``POST`` the event to ``url``. A 2xx answer is the function's result. An error answer (any status with an
    ``X-Amz-Function-Error`` header, or a non-2xx one) whose JSON body has ``errorMessage`` is the function
    failing; any other non-2xx answer is a failed invocation (tried again when 5xx or 429)."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client = client
        self._url = url

    async def invoke(self, payload: bytes, time_limit: float) -> bytes:
        try:
            answer = await self._client.post(
                self._url, content=payload, headers={"content-type": "application/json"}, timeout=time_limit
            )
        except httpx.TimeoutException:
            raise InvocationFailed(SOCKET_TIMEOUT, retryable=True) from None
        except httpx.TransportError:
            raise InvocationFailed(UNREACHABLE, retryable=True) from None
        failed = answer.headers.get("x-amz-function-error") or not answer.is_success
        if failed:
            message = _error_message(answer.content)
            if message is not None:
                raise FunctionError(message)
            status = answer.status_code
            raise InvocationFailed(f"HTTP {status}.", retryable=status >= 500 or status == 429)
        return answer.content


# --- in-process Python ------------------------------------------------------------------------------------------
@dataclass
class LambdaContext:
    """The parts of the Lambda ``context`` object handlers commonly use."""

    function_name: str
    invoked_function_arn: str
    deadline: float
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def load_handler(target: str) -> Callable[..., Any]:
    """``package.module:function`` → the function. Raises ValueError with a clear message."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"{target!r} is not of the form 'module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import {module_name!r} for trigger {target!r}: {exc}") from None
    handler: Any = module
    for part in attribute.split("."):
        handler = getattr(handler, part, None)
    if not callable(handler):
        raise ValueError(f"{target!r}: {module_name} has no callable {attribute!r}")
    return handler


class PythonInvoker:
    """Call ``handler(event, context)`` in this process. The handler gets its own copy of the event (it may
    change it and return it, as Lambda handlers do); what it returns is serialised to JSON like Lambda does."""

    def __init__(self, handler: Callable[..., Any], name: str, arn: str, executor: ThreadPoolExecutor) -> None:
        self._handler = handler
        self._name = name
        self._arn = arn
        self._executor = executor

    async def _run(self, event: Any, context: LambdaContext) -> Any:
        if inspect.iscoroutinefunction(self._handler):
            return await self._handler(event, context)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._executor, self._handler, event, context)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def invoke(self, payload: bytes, time_limit: float) -> bytes:
        event = json.loads(payload)
        context = LambdaContext(self._name, self._arn, time.monotonic() + time_limit)
        try:
            result = await asyncio.wait_for(self._run(event, context), time_limit)
        except TimeoutError:
            # A sync handler's thread runs on to its end; its answer is dropped.
            raise InvocationFailed(SOCKET_TIMEOUT, retryable=True) from None
        except Exception as exc:  # the function failed: Lambda reports str(exception) as errorMessage
            raise FunctionError(str(exc)) from None
        try:
            return json.dumps(result).encode("utf-8")
        except (TypeError, ValueError):
            log.warning("trigger %s returned a value that is not JSON-serialisable", self._name)
            return b"\x00not json"
