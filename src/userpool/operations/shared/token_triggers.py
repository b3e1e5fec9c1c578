"""The PreTokenGeneration trigger where tokens are made (``issuing._sign`` calls ``customise`` once, and
``issuing.issue_client_credentials`` calls ``customise_client_credentials`` for machine tokens): which step
the tokens end (the trigger source), the event's client metadata, and the answer applied to the claims.

``ClientMetadata`` reaches the function only from the operations Cognito passes it on from
(RespondToAuthChallenge, AdminRespondToAuthChallenge, GetTokensFromRefreshToken); InitiateAuth's goes to
PreAuthentication and UserMigration only.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from userpool.context import Call, Context
from userpool.domain import pre_token
from userpool.domain.records import Client, Pool, User
from userpool.triggers import Caller, Kind
from userpool.triggers import events as trigger_events

METADATA_OPERATIONS = frozenset({"RespondToAuthChallenge", "AdminRespondToAuthChallenge", "GetTokensFromRefreshToken"})
# The challenge answered last, when it decides the trigger source.
SOURCE_OF_CHALLENGE = {
    "NEW_PASSWORD_REQUIRED": trigger_events.TOKEN_NEW_PASSWORD,
    "DEVICE_PASSWORD_VERIFIER": trigger_events.TOKEN_AUTHENTICATE_DEVICE,
}


def token_source(call: Call | None, refreshing: bool) -> str:
    """The ``TokenGeneration_*`` source of tokens made for ``call``: a refresh, the answer to a new-password or
    device challenge, or any other sign-in (``TokenGeneration_Authentication``)."""
    if refreshing:
        return trigger_events.TOKEN_REFRESH
    challenge = call.params.get("ChallengeName") if call is not None else None
    return SOURCE_OF_CHALLENGE.get(str(challenge), trigger_events.TOKEN_AUTHENTICATION)


async def customise(
    ctx: Context,
    call: Call | None,
    pool: Pool,
    client: Client,
    user: User,
    claims_id: MutableMapping[str, Any],
    claims_access: MutableMapping[str, Any],
    *,
    refreshing: bool = False,
    source: str | None = None,
    user_groups: pre_token.Groups = pre_token.NO_GROUPS,
) -> None:
    """Run the pool's PreTokenGeneration function, if any, and change the claims as it answers (in place).
    ``user_groups`` (anything with ``groups``, ``roles``, ``preferred_role``) is the event's
    ``groupConfiguration``: none unless the caller passes the user's groups."""
    if not ctx.triggers.has(pool, Kind.PRE_TOKEN_GENERATION):
        return
    metadata = None
    if call is not None and call.operation in METADATA_OPERATIONS:
        metadata = call.params.get("ClientMetadata")
    answer = await ctx.triggers.pre_token_generation(
        pool,
        Caller(client.id, call.user_agent if call is not None else ""),
        user,
        source or token_source(call, refreshing),
        pre_token.group_configuration(user_groups),
        metadata,
        pre_token.scopes_of(claims_access),
    )
    pre_token.apply_overrides(claims_id, claims_access, answer)


async def customise_client_credentials(
    ctx: Context,
    pool: Pool,
    client: Client,
    claims_access: MutableMapping[str, Any],
    client_metadata: Mapping[str, str] | None,
    user_agent: str = "",
) -> None:
    """Run the pool's PreTokenGeneration function for a client-credentials access token
    (``TokenGeneration_ClientCredentials``), as Cognito does only for a ``V3_0`` function, and change the token's
    claims and scopes as it answers (in place). ``client_metadata``: the token request's ``aws_client_metadata``."""
    if not ctx.triggers.has(pool, Kind.PRE_TOKEN_GENERATION):
        return
    answer = await ctx.triggers.pre_token_generation_client_credentials(
        pool, Caller(client.id, user_agent), client_metadata, pre_token.scopes_of(claims_access)
    )
    pre_token.apply_overrides({}, claims_access, answer)
