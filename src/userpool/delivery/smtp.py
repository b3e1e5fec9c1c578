"""Email over SMTP (aiosmtplib): STARTTLS, implicit TLS or plain; optional login; a timeout on every step.

Each message is a proper MIME email: a UTF-8 text/plain part, plus a text/html alternative when the template is
HTML or the message carries a confirmation link; non-ASCII subjects are encoded per RFC 2047.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Literal

from userpool.clock import Clock
from userpool.delivery import DeliveryError, Message
from userpool.domain.masking import mask

log = logging.getLogger("userpool.delivery")

Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Security  # starttls: STARTTLS required; tls: TLS from the first byte; none: plain text
    username: str | None
    password: str | None
    timeout: float  # seconds, for connecting and for each reply
    validate_certs: bool
    ca_file: Path | None  # trust these CA certificates (PEM) instead of the system's


def build_email(message: Message, default_from: str, now: float) -> EmailMessage:
    """The MIME message for ``message``. Raises ``DeliveryError`` for an address no header can carry."""
    from_header = message.from_header or default_from
    email = EmailMessage()
    try:
        email["From"] = from_header
        email["To"] = message.destination
        if message.reply_to:
            email["Reply-To"] = message.reply_to
        email["Subject"] = message.subject or ""
    except (ValueError, IndexError) as exc:  # a malformed address or a header with a line break
        raise DeliveryError(f"cannot build the email headers: {exc}") from None
    email["Date"] = formatdate(now, usegmt=True)
    domain = parseaddr(from_header)[1].rpartition("@")[2] or "userpool.local"
    email["Message-ID"] = make_msgid(domain=domain)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    # Quoted-printable keeps the whole email 7-bit, so it passes servers without 8BITMIME too.
    email.set_content(message.body, charset="utf-8", cte="quoted-printable")
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return email


class SmtpSender:
    def __init__(self, server: SmtpServer, default_from: str, clock: Clock) -> None:
        import aiosmtplib  # imported here: only servers that send email over SMTP pay for it at start-up

        self._smtp = aiosmtplib
        self._server = server
        self._default_from = default_from
        self._clock = clock

    async def send(self, message: Message) -> None:
        server = self._server
        email = build_email(message, self._default_from, self._clock.now())
        envelope_sender = message.envelope_sender or parseaddr(email["From"])[1]
        try:
            await self._smtp.send(
                email,
                sender=envelope_sender,
                recipients=[message.destination],
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.security == "tls",
                start_tls=server.security == "starttls",
                timeout=server.timeout,
                validate_certs=server.validate_certs,
                cert_bundle=str(server.ca_file) if server.ca_file else None,
            )
        except (self._smtp.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(
                f"SMTP server {server.host}:{server.port}: {type(exc).__name__}: {exc}".rstrip(": ")
            ) from None
        log.info(
            "EMAIL message for user %s of pool %s sent to %s through %s:%s",
            message.username,
            message.pool_id,
            mask("EMAIL", message.destination),
            server.host,
            server.port,
        )

    async def aclose(self) -> None:
        return None
