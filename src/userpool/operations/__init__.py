"""One plain async function per API operation, registered by the operation's name.

Each module directly in this package is an *operation module*: it lists its operations in ``OPERATIONS`` and
imports no other operation module. What operations share lives in ``operations.shared``, a module for each thing
it does, which registers no operation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any

from userpool.context import Call, Context
from userpool.operations import (
    account,
    admin_users,
    attributes,
    auth,
    auth_events,
    clients,
    devices,
    groups,
    identity_providers,
    imports,
    mfa,
    oauth,
    pools,
    recovery,
    risk,
    saml,
    sessions,
    signup,
    tags,
    tokens,
    users,
)

Operation = Callable[[Context, Call], Awaitable[dict[str, Any]]]

REGISTRY: Mapping[str, Operation] = MappingProxyType(
    {
        **pools.OPERATIONS,
        **clients.OPERATIONS,
        **signup.OPERATIONS,
        **users.OPERATIONS,
        **auth.OPERATIONS,
        **tokens.OPERATIONS,
        **account.OPERATIONS,
        **recovery.OPERATIONS,
        **admin_users.OPERATIONS,
        **risk.OPERATIONS,
        **sessions.OPERATIONS,
        **auth_events.OPERATIONS,
        **saml.OPERATIONS,
        **groups.OPERATIONS,
        **attributes.OPERATIONS,
        **tags.OPERATIONS,
        **mfa.OPERATIONS,
        **oauth.OPERATIONS,
        **devices.OPERATIONS,
        **imports.OPERATIONS,
        **identity_providers.OPERATIONS,
    }
)
