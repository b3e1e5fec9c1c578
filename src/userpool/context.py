"""What an operation is handed: the service's parts (``Context``) and the call being served (``Call``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from userpool.blocklist import PasswordBlocklist
from userpool.clock import Clock
from userpool.config import Settings
from userpool.delivery import Sender
from userpool.hashing import PasswordHashing
from userpool.observability import Metrics
from userpool.store import Store
from userpool.triggers import Triggers


class CodeGenerator(Protocol):
    """Makes a new code of ``digits`` digits (a server's fixed code, when it has one, whatever the length)."""

    def __call__(self, digits: int = 6) -> str: ...


@dataclass
class Context:
    settings: Settings
    store: Store
    clock: Clock
    hashing: PasswordHashing
    sender: Sender
    metrics: Metrics
    generate_code: CodeGenerator  # a new confirmation code: random, or the configured fixed code
    triggers: Triggers
    # Parsed RSA keys by ``kid`` (a kid's key material never changes, so any process may cache it).
    key_cache: dict[tuple[str, str], Any] = field(default_factory=dict)
    # Key work under way (a pool's first signing key, a kid's parse), so that concurrent requests wait for one job
    # instead of each doing it (``operations.shared.issuing``).
    key_flights: dict[tuple[str, str], Any] = field(default_factory=dict)
    # The offline list of common and breached passwords (threat protection's compromised-credentials check).
    blocklist: PasswordBlocklist = field(default_factory=PasswordBlocklist)
    # The key UpdateAuthEventFeedback's tokens are made with (``domain.auth_events.feedback_key`` of the server's
    # secret key, so every process on one store checks the same tokens); random when a context is made otherwise.
    feedback_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    # The key user import jobs' pre-signed upload URLs are signed with (``domain.imports.url_key`` of the secret key).
    import_url_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


@dataclass(frozen=True)
class Call:
    operation: str
    params: dict[str, Any]
    request_id: str
    source_ip: str | None
    user_agent: str
    # App clients (with their pools) this request has read, by id: the rate limits and the operation share one read.
    clients: dict[str, Any] = field(default_factory=dict)
