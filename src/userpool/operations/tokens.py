"""Tokens held by clients: GetTokensFromRefreshToken (new tokens), GlobalSignOut, AdminUserGlobalSignOut and
RevokeToken (revoking them). Tokens are made in ``shared.issuing``."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import secret_hash, texts
from userpool.domain.records import User
from userpool.errors import UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException
from userpool.operations.shared import issuing, lookups


async def get_tokens_from_refresh_token(ctx: Context, call: Call) -> dict[str, Any]:
    """GetTokensFromRefreshToken: new access and ID tokens (and, with rotation, a new refresh token).

    A client with a secret authenticates with ``ClientSecret`` itself (not a SecretHash). ``DeviceKey`` must name
    the confirmed device of the refresh token's sign-in while the pool tracks devices (``issuing.refresh``), and
    ``ClientMetadata`` has no PreTokenGeneration function to go to yet."""
    p = call.params
    client, pool = await lookups.client_and_pool(ctx.store, p["ClientId"], call)

    def check_secret(_: User) -> None:
        lookups.check_client_secret(client, p.get("ClientSecret"))

    return {
        "AuthenticationResult": await issuing.refresh(
            ctx, call, pool, client, p["RefreshToken"], check_secret, p.get("DeviceKey")
        )
    }


async def global_sign_out(ctx: Context, call: Call) -> dict[str, Any]:
    """Revoke every token of the caller: refresh tokens, and the access and ID tokens issued from them."""
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    await ctx.store.revoke_user_tokens(caller.user.id, ctx.clock.now())
    return {}


async def admin_user_global_sign_out(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await ctx.store.revoke_user_tokens(user.id, ctx.clock.now())
    return {}


async def revoke_token(ctx: Context, call: Call) -> dict[str, Any]:
    """Revoke a refresh token and every access and ID token issued from it.

    Unknown tokens are answered with success, as OAuth token revocation (RFC 7009) does; the exception messages
    here are not confirmed by any public source (unverified)."""
    p = call.params
    client = await ctx.store.get_client(p["ClientId"])
    if client is None:
        raise UnauthorizedException(texts.CLIENT_AUTHENTICATION_FAILED)
    sent_secret = p.get("ClientSecret")
    if client.secret is not None and (
        sent_secret is None or not secret_hash.secret_matches(client.secret_values, sent_secret)
    ):
        raise UnauthorizedException(texts.CLIENT_AUTHENTICATION_FAILED)
    if not client.settings.get("EnableTokenRevocation", True):
        raise UnsupportedOperationException("Token revocation is not enabled for this client.")
    token = p["Token"]
    if token.count(".") == 2:  # an access or ID token (a JWT): only refresh tokens are revoked
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    stored = await ctx.store.get_refresh_token(issuing.token_hash(token))
    if stored is None:
        return {}
    if stored.client_id != client.id:
        raise UnauthorizedException(texts.CLIENT_AUTHENTICATION_FAILED)
    await ctx.store.revoke_refresh_token(stored.token_hash, ctx.clock.now())
    return {}


OPERATIONS = {
    "GlobalSignOut": global_sign_out,
    "AdminUserGlobalSignOut": admin_user_global_sign_out,
    "RevokeToken": revoke_token,
    "GetTokensFromRefreshToken": get_tokens_from_refresh_token,
}
