"""What an operation is handed: the service's parts (``Context``) and the call being served (``Call``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from userpool.blocklist import PasswordBlocklist
from userpool.clock import Clock
from userpool.config import Settings
from userpool.delivery import Sender
from userpool.hashing import PasswordHashing
from userpool.store import Store


@dataclass
class Context:
    settings: Settings
    store: Store
    clock: Clock
    hashing: PasswordHashing
    sender: Sender
    # The offline list of common and breached passwords (threat protection's compromised-credentials check).
    blocklist: PasswordBlocklist = field(default_factory=PasswordBlocklist)


@dataclass(frozen=True)
class Call:
    operation: str
    params: dict[str, Any]
    request_id: str
    source_ip: str | None
    user_agent: str
