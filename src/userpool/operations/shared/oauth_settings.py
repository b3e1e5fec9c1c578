"""What the hosted UI's settings mean to other operations: an app client's OAuth settings checked against the
pool's resource servers and identity providers (Create/UpdateUserPoolClient), and the ``Domain``/``CustomDomain``
DescribeUserPool reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.context import Context
from userpool.domain import identity_providers as idp_rules
from userpool.domain import oauth as oauth_rules
from userpool.domain.records import Pool
from userpool.errors import InvalidParameterException


async def defined_scopes(ctx: Context, pool_id: str) -> set[str]:
    """Every custom scope (``<identifier>/<name>``) the pool's resource servers define."""
    servers = await ctx.store.pool_resource_servers(pool_id)
    return oauth_rules.custom_scopes({"Identifier": s.identifier, "Scopes": s.scopes} for s in servers)


async def check_client(ctx: Context, pool: Pool, config: Mapping[str, Any], has_secret: bool) -> None:
    """An app client's OAuth settings as Cognito checks them; custom scopes are looked up only when some are named."""
    named = [s for s in config.get("AllowedOAuthScopes") or () if s not in oauth_rules.STANDARD_SCOPES]
    defined = await defined_scopes(ctx, pool.id) if named else set()
    oauth_rules.check_client_oauth(config, has_secret, defined)
    providers = [n for n in config.get("SupportedIdentityProviders") or () if n != idp_rules.COGNITO]
    if providers:
        refused = idp_rules.client_providers_error(pool.id, await ctx.store.identity_provider_names(pool.id), providers)
        if refused is not None:
            raise InvalidParameterException(refused)


async def domain_fields(ctx: Context, pool_id: str) -> dict[str, str]:
    """``Domain`` (the prefix) and ``CustomDomain`` of DescribeUserPool, for the domains the pool has."""
    fields: dict[str, str] = {}
    for domain in await ctx.store.pool_domains(pool_id):
        fields["CustomDomain" if domain.custom else "Domain"] = domain.domain
    return fields
