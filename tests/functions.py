"""Trigger functions for tests: a loopback HTTP server that plays Lambda functions.

It serves each function two ways: as a plain HTTP endpoint (``POST /fn/<name>``, for the HTTP invoker) and through
the AWS Lambda Invoke API (``POST /2015-03-31/functions/<name or ARN>/invocations``, for boto3's ``lambda.invoke``:
a function error is answered with ``X-Amz-Function-Error: Unhandled`` and ``{"errorMessage", "errorType"}``).
Every event is recorded; what a function answers is set per function name by the test (default: the event back,
unchanged, as a function that changes nothing does).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INVOKE_PREFIX = "/2015-03-31/functions/"


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


@dataclass
class Reply:
    """What a function answers: ``body`` (None: the event, possibly changed by ``response``), after ``delay``."""

    response: dict[str, Any] | None = None
    error: str | None = None  # the function raised this message
    body: bytes | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Behaviour = Callable[[dict[str, Any]], Reply]


def answer(**response: Any) -> Behaviour:
    """The function sets these ``response`` fields and returns the event."""
    return lambda _event: Reply(response=response)


def fail(message: str) -> Behaviour:
    return lambda _event: Reply(error=message)


def slow(seconds: float) -> Behaviour:
    return lambda _event: Reply(delay=seconds)


def raw(body: bytes) -> Behaviour:
    return lambda _event: Reply(body=body)


@dataclass(frozen=True)
class Received:
    via: str  # "http" or "lambda"
    name: str
    event: dict[str, Any]


class FunctionServer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._behaviours: dict[str, Behaviour] = {}
        self._received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                path = urllib.parse.unquote(self.path)
                if path.startswith("/fn/"):
                    via, name = "http", path.removeprefix("/fn/")
                elif path.startswith(INVOKE_PREFIX) and path.endswith("/invocations"):
                    function = path.removeprefix(INVOKE_PREFIX).removesuffix("/invocations")
                    via, name = "lambda", function.rsplit(":function:", 1)[-1]
                else:
                    self.send_error(404)
                    return
                event = json.loads(body)
                reply = server._record(via, name, event)
                time.sleep(reply.delay)
                status, headers, payload = server._render(via, event, reply)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the caller gave up waiting (a timeout test)
                    pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> FunctionServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def url(self, name: str) -> str:
        return f"{self.endpoint}/fn/{name}"

    def on(self, name: str, behaviour: Behaviour) -> None:
        with self._lock:
            self._behaviours[name] = behaviour

    def reset(self) -> None:
        with self._lock:
            self._behaviours.clear()
            self._received.clear()

    def received(self, name: str) -> list[Received]:
        with self._lock:
            return [r for r in self._received if r.name == name]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r.event for r in self.received(name)]

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The events of ``name`` once at least ``count`` arrived (for functions invoked asynchronously)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(name)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{name} received {len(self.events(name))} event(s), expected {count}")

    def _record(self, via: str, name: str, event: dict[str, Any]) -> Reply:
        with self._lock:
            self._received.append(Received(via, name, json.loads(json.dumps(event))))
            behaviour = self._behaviours.get(name)
        return behaviour(event) if behaviour else Reply()

    @staticmethod
    def _render(via: str, event: dict[str, Any], reply: Reply) -> tuple[int, dict[str, str], bytes]:
        headers = {"content-type": "application/json", **reply.headers}
        if reply.error is not None:
            payload = json.dumps({"errorMessage": reply.error, "errorType": "Error"}).encode()
            if via == "lambda":
                return 200, {**headers, "X-Amz-Function-Error": "Unhandled"}, payload
            return 500, headers, payload
        if reply.body is not None:
            return reply.status, headers, reply.body
        if reply.response is not None:
            event = {**event, "response": {**(event.get("response") or {}), **reply.response}}
        return reply.status, headers, json.dumps(event).encode()


# ---- the same functions run in the server's process (``python:tests.functions:python_function``) ----------------
_active: list[FunctionServer] = []


def serve_in_process(server: FunctionServer | None) -> None:
    """Make ``server``'s behaviours and records those of ``python_function`` too (None: stop)."""
    _active.clear()
    if server is not None:
        _active.append(server)


def python_function(event: dict[str, Any], context: Any) -> Any:
    """A ``python:`` trigger target that plays the function its ARN names, with the behaviour a test set on the
    active ``FunctionServer`` (recorded there with ``via="python"``): raises for an error, sleeps for a delay,
    returns a raw body parsed as JSON when it is JSON (else as a string, which is not an answer)."""
    [server] = _active
    name = context.invoked_function_arn.rsplit(":function:", 1)[-1]
    reply = server._record("python", name, event)
    time.sleep(reply.delay)
    if reply.error is not None:
        raise RuntimeError(reply.error)
    if reply.body is not None:
        try:
            return json.loads(reply.body)
        except ValueError:
            return reply.body.decode("utf-8", "replace")
    if reply.response is not None:
        return {**event, "response": {**(event.get("response") or {}), **reply.response}}
    return event
