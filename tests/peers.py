"""Real peers the delivery tests start on loopback: an SMTP server (aiosmtpd), a server that accepts connections and
never answers, an SMS webhook and an SNS ``Publish`` endpoint (both plain HTTP servers)."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.server import free_port


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes  # as it came over the wire

    def part(self, subtype: str) -> str | None:
        """The decoded text/<subtype> part, if the email has one (line ends as \n)."""
        found = self.message.get_body(preferencelist=(subtype,))
        if found is None or found.get_content_subtype() != subtype:
            return None
        return str(found.get_content()).replace("\r\n", "\n")


@dataclass
class _Handler:
    mails: list[Mail] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message, raw))  # type: ignore[arg-type]
        self.received.set()
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; optional login (``credentials``), STARTTLS (``tls_context``) or TLS from the first
    byte (``implicit_tls``)."""

    def __init__(
        self,
        port: int | None = None,
        credentials: tuple[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        self.port = port or free_port()
        self.handler = _Handler()
        self.auth_attempts: list[str] = []
        options: dict[str, Any] = {}
        if credentials is not None:
            options.update(authenticator=self._authenticator(credentials), auth_required=True)
            options["auth_require_tls"] = tls_context is not None
        if tls_context is not None:
            options.update(tls_context=tls_context, require_starttls=True)
        if implicit_tls is not None:
            options["ssl_context"] = implicit_tls
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

    def _authenticator(self, credentials: tuple[str, str]) -> Callable[..., AuthResult]:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if not isinstance(data, LoginPassword):
                return AuthResult(success=False, handled=False)
            self.auth_attempts.append(data.login.decode())
            ok = (data.login.decode(), data.password.decode()) == credentials
            return AuthResult(success=ok, handled=False)

        return authenticate

    @property
    def mails(self) -> list[Mail]:
        return self.handler.mails

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class SilentServer:
    """Accepts TCP connections and never says a word (an SMTP server that hangs)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._socket = socket.create_server(("127.0.0.1", self.port))
        self._socket.settimeout(0.1)
        self._accepted: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._accepted.append(connection)

    def start(self) -> SilentServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._socket.close()
        for connection in self._accepted:
            connection.close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (openssl), for an SMTP server with STARTTLS."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


class HttpPeer:
    """A small HTTP server on 127.0.0.1 that records every POST and answers with ``respond(recorded)``:
    ``(status, content type, body)``. ``respond`` may be swapped while it runs."""

    def __init__(self, respond: Callable[[Recorded], tuple[int, str, bytes]], port: int | None = None) -> None:
        self.respond = respond
        self.requests: list[Recorded] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                peer.requests.append(recorded)
                status, content_type, body = peer.respond(recorded)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port or 0), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpPeer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def webhook_ok(recorded: Recorded) -> tuple[int, str, bytes]:
    return 200, "application/json", b'{"ok": true}'


def json_of(recorded: Recorded) -> Any:
    return json.loads(recorded.body)


def sns_publish(recorded: Recorded) -> tuple[int, str, bytes]:
    """SNS's query protocol: a form-encoded ``Action=Publish`` answered with ``<PublishResponse>``."""
    form = form_of(recorded)
    if form.get("Action") != "Publish":
        return 400, "text/xml", _sns_error("InvalidAction", f"Unknown action {form.get('Action')}")
    body = (
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
        f"<PublishResult><MessageId>{uuid.uuid4()}</MessageId></PublishResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</PublishResponse>"
    )
    return 200, "text/xml", body.encode()


def sns_refuses(recorded: Recorded) -> tuple[int, str, bytes]:
    return 400, "text/xml", _sns_error("InvalidParameter", "Invalid parameter: PhoneNumber Reason: blocked")


def _sns_error(code: str, message: str) -> bytes:
    return (
        '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()


def form_of(recorded: Recorded) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(recorded.body.decode(), keep_blank_values=True))
