"""Federation's administration: a pool's identity providers (Create/Describe/List/Update/DeleteIdentityProvider,
GetIdentityProviderByIdentifier) and linked identities (AdminLinkProviderForUser, AdminDisableProviderForUser).

A provider's ``ProviderDetails`` are checked per type by ``domain.identity_providers``; an OIDC provider's endpoints
not given are found by discovery from ``oidc_issuer`` when it is created or updated (and kept, as Cognito shows
them). Its secrets (``client_secret``, Apple's ``private_key``) are sealed at rest by the store."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import identity_providers as idp_rules
from userpool.domain import pools as pool_rules
from userpool.domain import texts, usernames
from userpool.domain.records import IdentityProvider, ProviderLink
from userpool.domain.users import UserStatus
from userpool.errors import (
    DuplicateProviderException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    UnsupportedIdentityProviderException,
    UserNotFoundException,
)
from userpool.operations.shared import lookups, saml_federation, upstream
from userpool.store import Conflict, InvalidToken

DESTINATION_PROVIDER = "Cognito"
MERGING = "Merging is not currently supported, provide a SourceUser that does not exist in the user pool."  # (unv.)


def _described(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "UserPoolId": provider.pool_id,
        "ProviderName": provider.name,
        "ProviderType": provider.type,
        "ProviderDetails": idp_rules.described_details(provider),
        "AttributeMapping": provider.attribute_mapping,
        "IdpIdentifiers": provider.idp_identifiers,
        "LastModifiedDate": provider.modified_at,
        "CreationDate": provider.created_at,
    }


async def _details(ctx: Context, kind: str, details: dict[str, str]) -> dict[str, str]:
    metadata = await saml_federation.metadata_document(ctx, details) if kind == idp_rules.SAML else None
    checked = idp_rules.check_details(kind, details, metadata, ctx.clock.now())
    if kind == idp_rules.OIDC:
        checked = await upstream.complete_oidc_details(ctx, checked)
    return checked


async def _provider(ctx: Context, pool_id: str, name: str) -> IdentityProvider:
    provider = await ctx.store.get_identity_provider(pool_id, name)
    if provider is None:
        raise ResourceNotFoundException(idp_rules.NOT_FOUND.format(name=name))
    return provider


def _identifier_taken(identifiers: list[str]) -> InvalidParameterException:
    return InvalidParameterException(idp_rules.IDENTIFIER_TAKEN.format(identifier=", ".join(identifiers)))


async def create_identity_provider(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    kind, name = p["ProviderType"], p["ProviderName"]
    idp_rules.check_name(name, kind)
    schema = pool.settings.get("SchemaAttributes") or []
    mapping = {**idp_rules.default_mapping(kind), **idp_rules.check_mapping(schema, p.get("AttributeMapping") or {})}
    identifiers = idp_rules.check_identifiers(p.get("IdpIdentifiers") or [])
    if await ctx.store.get_identity_provider(pool.id, name) is not None:  # before discovery; the insert decides
        raise DuplicateProviderException(idp_rules.DUPLICATE.format(name=name))
    details = await _details(ctx, kind, dict(p["ProviderDetails"]))
    now = ctx.clock.now()
    provider = IdentityProvider(pool.id, name, kind, details, mapping, identifiers, now, now)
    try:
        await ctx.store.create_identity_provider(provider, idp_rules.MAX_PROVIDERS)
    except Conflict as conflict:
        if conflict.what == "limit":
            raise LimitExceededException(idp_rules.TOO_MANY) from None
        if conflict.what == "name":
            raise DuplicateProviderException(idp_rules.DUPLICATE.format(name=name)) from None
        raise _identifier_taken(identifiers) from None
    return {"IdentityProvider": _described(provider)}


async def describe_identity_provider(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return {"IdentityProvider": _described(await _provider(ctx, pool.id, call.params["ProviderName"]))}


async def get_identity_provider_by_identifier(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    identifier = call.params["IdpIdentifier"]
    provider = await ctx.store.find_identity_provider_by_identifier(pool.id, identifier)
    if provider is None:
        raise ResourceNotFoundException(idp_rules.IDENTIFIER_NOT_FOUND.format(identifier=identifier))
    return {"IdentityProvider": _described(provider)}


async def list_identity_providers(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    try:
        found, token = await ctx.store.list_identity_providers(pool.id, p.get("MaxResults", 60), p.get("NextToken"))
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    providers = [
        {
            "ProviderName": f.name,
            "ProviderType": f.type,
            "LastModifiedDate": f.modified_at,
            "CreationDate": f.created_at,
        }
        for f in found
    ]
    result: dict[str, Any] = {"Providers": providers}
    if token is not None:
        result["NextToken"] = token
    return result


async def update_identity_provider(ctx: Context, call: Call) -> dict[str, Any]:
    """What is sent replaces what was there; what is not sent stays (``ProviderDetails`` as a whole, so a Describe's
    details can be sent back)."""
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    provider = await _provider(ctx, pool.id, p["ProviderName"])
    details = provider.details
    if "ProviderDetails" in p:
        details = await _details(ctx, provider.type, dict(p["ProviderDetails"]))
    mapping = provider.attribute_mapping
    if "AttributeMapping" in p:
        schema = pool.settings.get("SchemaAttributes") or []
        mapping = {**idp_rules.default_mapping(provider.type), **idp_rules.check_mapping(schema, p["AttributeMapping"])}
    identifiers = provider.idp_identifiers
    if "IdpIdentifiers" in p:
        identifiers = idp_rules.check_identifiers(p["IdpIdentifiers"])
    updated = IdentityProvider(
        pool.id, provider.name, provider.type, details, mapping, identifiers, provider.created_at, ctx.clock.now()
    )
    try:
        if not await ctx.store.update_identity_provider(updated):
            raise ResourceNotFoundException(idp_rules.NOT_FOUND.format(name=provider.name))
    except Conflict:
        raise _identifier_taken(identifiers) from None
    return {"IdentityProvider": _described(updated)}


async def delete_identity_provider(ctx: Context, call: Call) -> dict[str, Any]:
    """Refused while an app client names the provider in its SupportedIdentityProviders (unverified: Cognito's
    ``UnsupportedIdentityProviderException`` is documented for this operation, its text is not)."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    name = call.params["ProviderName"]
    await _provider(ctx, pool.id, name)
    token: str | None = None
    while True:
        clients, token = await ctx.store.list_clients(pool.id, 60, token)
        for client in clients:
            if name in (client.settings.get("SupportedIdentityProviders") or ()):
                raise UnsupportedIdentityProviderException(
                    idp_rules.PROVIDER_IN_USE.format(name=name, client_id=client.id)
                )
        if token is None:
            break
    if not await ctx.store.delete_identity_provider(pool.id, name):
        raise ResourceNotFoundException(idp_rules.NOT_FOUND.format(name=name))
    return {}


# ---- linked identities -----------------------------------------------------------------------------------------
async def admin_link_provider_for_user(ctx: Context, call: Call) -> dict[str, Any]:
    """Link a provider identity that has not signed in yet to an existing native user: its later sign-ins are
    that user's, whose ``identities`` gains the entry."""
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    destination, source = p["DestinationUser"], p["SourceUser"]
    if destination.get("ProviderName") != DESTINATION_PROVIDER:
        raise InvalidParameterException(idp_rules.LINK_DESTINATION)
    user = await lookups.require_user(ctx.store, pool, destination.get("ProviderAttributeValue") or "")
    if user.status == UserStatus.EXTERNAL_PROVIDER:
        raise InvalidParameterException(idp_rules.LINK_DESTINATION)
    provider = await ctx.store.get_identity_provider(pool.id, source.get("ProviderName") or "")
    if provider is None:
        raise InvalidParameterException(idp_rules.LINK_SOURCE_NOT_PROVIDER.format(name=source.get("ProviderName")))
    attribute, value = source.get("ProviderAttributeName") or "", source.get("ProviderAttributeValue") or ""
    if not attribute or not value:
        raise InvalidParameterException("SourceUser needs a ProviderAttributeName and ProviderAttributeValue.")
    if provider.type in idp_rules.SOCIAL and attribute != idp_rules.SUBJECT:
        raise InvalidParameterException(idp_rules.LINK_SOCIAL_SUBJECT)
    if attribute == idp_rules.SUBJECT:
        key = usernames.fold(
            idp_rules.federated_username(provider.name, value), pool_rules.case_sensitive(pool.settings)
        )
        if await ctx.store.find_user(pool.id, key) is not None:
            raise InvalidParameterException(MERGING)
    now = ctx.clock.now()
    try:
        await ctx.store.add_provider_link(
            ProviderLink(pool.id, provider.name, attribute[:64], value[:2048], user.id, now), idp_rules.MAX_LINKS
        )
    except Conflict as conflict:
        if conflict.what == "limit":
            raise LimitExceededException(idp_rules.LINK_TOO_MANY) from None
        if conflict.what == "user":
            raise UserNotFoundException(texts.USER_NOT_FOUND) from None
        raise InvalidParameterException(idp_rules.LINK_TAKEN) from None
    entry = idp_rules.identity(provider, value, int(now * 1000), provider.details.get("oidc_issuer"), primary=False)
    identities = idp_rules.with_identity(user.attributes.get("identities"), entry)
    await ctx.store.update_attributes(user.id, {"identities": identities}, now)
    return {}


async def admin_disable_provider_for_user(ctx: Context, call: Call) -> dict[str, Any]:
    """Remove a linked identity: its next sign-in makes a user of its own. ``Cognito`` (a native user's password
    sign-in) is not supported here."""
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    target = p["User"]
    name = target.get("ProviderName") or ""
    if name == DESTINATION_PROVIDER:
        raise InvalidParameterException("Disabling the Cognito provider of a native user is not supported here.")
    provider = await _provider(ctx, pool.id, name)
    attribute, value = target.get("ProviderAttributeName") or "", target.get("ProviderAttributeValue") or ""
    removed = await ctx.store.delete_provider_link(pool.id, provider.name, attribute, value)
    if removed is None:
        raise UserNotFoundException(texts.USER_NOT_FOUND)  # no such link (unverified)
    user = await ctx.store.get_user(removed.user_id)
    if user is not None:
        kept = idp_rules.without_identity(user.attributes.get("identities"), provider.name, value)
        now = ctx.clock.now()
        if kept is None:
            await ctx.store.update_attributes(user.id, {}, now, remove=["identities"])
        else:
            await ctx.store.update_attributes(user.id, {"identities": kept}, now)
    return {}


OPERATIONS = {
    "CreateIdentityProvider": create_identity_provider,
    "DescribeIdentityProvider": describe_identity_provider,
    "ListIdentityProviders": list_identity_providers,
    "UpdateIdentityProvider": update_identity_provider,
    "DeleteIdentityProvider": delete_identity_provider,
    "GetIdentityProviderByIdentifier": get_identity_provider_by_identifier,
    "AdminLinkProviderForUser": admin_link_provider_for_user,
    "AdminDisableProviderForUser": admin_disable_provider_for_user,
}
