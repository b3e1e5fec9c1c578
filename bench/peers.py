"""Loopback peers the single-purpose benchmark scripts start: an SMTP server that accepts every message, an HTTP
endpoint that answers every POST with ``200 {"ok": true}`` (an SMS webhook), and trigger functions that always
fail (over plain HTTP and through the Lambda Invoke API). They answer at once and keep nothing, so what is measured
is the service's own cost. (The test suite's peers, which record what they receive, live in ``tests/``.)"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from userpool.testing import free_port

INVOKE_PREFIX = "/2015-03-31/functions/"


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


class SmtpSink:
    """aiosmtpd on 127.0.0.1, accepting every message and keeping none."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class _HttpPeer:
    """A threading HTTP server on 127.0.0.1 whose every POST gets ``answer(path)``: (status, headers, body)."""

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def __init__(self) -> None:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, body = peer.answer(self.path)
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Any:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class WebhookSink(_HttpPeer):
    """An SMS webhook that accepts everything."""

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, b'{"ok": true}'


class FailingFunctions(_HttpPeer):
    """Every trigger function fails: ``POST /fn/<name>`` answers 500 with the error; the Invoke API
    (``POST /2015-03-31/functions/<name or ARN>/invocations``) answers 200 with ``X-Amz-Function-Error: Unhandled``,
    as AWS Lambda does for a function that raised."""

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        payload = json.dumps({"errorMessage": "no", "errorType": "Error"}).encode()
        if path.startswith(INVOKE_PREFIX):
            return 200, {"X-Amz-Function-Error": "Unhandled"}, payload
        return 500, {}, payload

    @property
    def endpoint(self) -> str:
        return self.url

    def function_url(self, name: str) -> str:
        return f"{self.url}/fn/{name}"
