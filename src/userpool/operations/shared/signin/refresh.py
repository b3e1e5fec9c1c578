"""The refresh strategy: ``REFRESH_TOKEN_AUTH`` (``REFRESH_TOKEN``). New tokens from a refresh token; never
challenged (no MFA, no new password)."""

from __future__ import annotations

from typing import Any

from userpool.domain import secret_hash
from userpool.domain.records import User
from userpool.operations.shared import issuing, lookups
from userpool.operations.shared.signin.sessions import SignIn, required


async def start(s: SignIn, params: dict[str, str], session: str | None = None) -> dict[str, Any]:
    client = s.client
    token = required(params, "REFRESH_TOKEN")

    def check_secret_hash(user: User) -> None:
        if client.secret is None:
            return
        sent = params.get("SECRET_HASH")
        # The hash may be made with the stored username (the sub in email/phone pools) or the name the user
        # signed in with.
        named = params.get("USERNAME")
        if sent is None or not any(
            secret_hash.verify_any(client.secret_values, name, client.id, sent)
            for name in {user.username, named}
            if name
        ):
            lookups.check_secret_hash(client, user.username, sent)

    return {
        "ChallengeParameters": {},
        # A refresh token of a sign-in from a tracked device works only with that device's key.
        "AuthenticationResult": await issuing.refresh(
            s.ctx, s.call, s.pool, client, token, check_secret_hash, params.get("DEVICE_KEY")
        ),
    }
