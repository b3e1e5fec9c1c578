"""The hosted UI's administration: user pool domains (Create/Describe/Update/DeleteUserPoolDomain), resource servers
(Create/Describe/List/Update/DeleteResourceServer) and the pages' CSS and logo (Set/GetUICustomization).

A domain names the pool's hosted UI and OAuth 2.0 endpoints. Every pool's endpoints are served at this server's
public URL (the endpoints find the pool from ``client_id``), so ``DescribeUserPoolDomain`` reports that URL's host as
the distribution."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import time
import urllib.parse
from typing import Any

from userpool.context import Call, Context
from userpool.domain import oauth as oauth_rules
from userpool.domain import texts
from userpool.domain.records import PoolDomain, ResourceServer, UICustomization
from userpool.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from userpool.operations.shared import lookups
from userpool.store import Conflict, InvalidToken

S3_BUCKET = "aws-cognito-prod-userpool-assets"
NO_DOMAIN = "No such domain or user pool exists."  # (obs: DeleteUserPoolDomain of a domain the pool lacks)
NEEDS_DOMAIN = "There has to be an existing domain associated with this user pool or app client."  # (unverified)
MAX_IMAGE_BYTES = 100 * 1024
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def _version(domain: PoolDomain) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(domain.modified_at))


def _distribution(ctx: Context) -> str:
    return urllib.parse.urlsplit(ctx.settings.public_base_url).netloc


def _check_version(version: int | None) -> int:
    if version is None:
        return 1
    if version not in (1, 2):
        raise InvalidParameterException("ManagedLoginVersion must be 1 or 2.")  # (unverified)
    return version


# ---- domains -------------------------------------------------------------------------------------------------
async def create_user_pool_domain(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    config = p.get("CustomDomainConfig")
    name = p["Domain"]
    oauth_rules.check_domain(name, custom=config is not None)
    now = ctx.clock.now()
    domain = PoolDomain(
        domain=name,
        pool_id=pool.id,
        custom=config is not None,
        managed_login_version=_check_version(p.get("ManagedLoginVersion")),
        custom_domain_config=config,
        created_at=now,
        modified_at=now,
    )
    try:
        await ctx.store.create_domain(domain)
    except Conflict as conflict:
        raise InvalidParameterException(
            oauth_rules.DOMAIN_TAKEN if conflict.what == "domain" else oauth_rules.POOL_HAS_DOMAIN
        ) from None
    result: dict[str, Any] = {"ManagedLoginVersion": domain.managed_login_version}
    if domain.custom:
        result["CloudFrontDomain"] = _distribution(ctx)
    return result


async def describe_user_pool_domain(ctx: Context, call: Call) -> dict[str, Any]:
    """An unknown domain is an empty description (200), as Cognito answers it."""
    domain = await ctx.store.find_domain(call.params["Domain"])
    if domain is None:
        return {"DomainDescription": {}}
    description: dict[str, Any] = {
        "UserPoolId": domain.pool_id,
        "AWSAccountId": ctx.settings.account_id,
        "Domain": domain.domain,
        "S3Bucket": S3_BUCKET,
        "CloudFrontDistribution": _distribution(ctx),
        "Version": _version(domain),
        "Status": "ACTIVE",
        "ManagedLoginVersion": domain.managed_login_version,
    }
    if domain.custom_domain_config is not None:
        description["CustomDomainConfig"] = domain.custom_domain_config
    return {"DomainDescription": description}


async def _pool_domain(ctx: Context, call: Call) -> PoolDomain:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    domain = await ctx.store.find_domain(call.params["Domain"])
    if domain is None or domain.pool_id != pool.id:
        raise InvalidParameterException(NO_DOMAIN)
    return domain


async def update_user_pool_domain(ctx: Context, call: Call) -> dict[str, Any]:
    """Changes the managed login version and a custom domain's certificate; renaming is delete and create."""
    domain = await _pool_domain(ctx, call)
    version = _check_version(call.params.get("ManagedLoginVersion", domain.managed_login_version))
    config = call.params.get("CustomDomainConfig") if domain.custom else None
    if not await ctx.store.update_domain(domain.domain, version, config, ctx.clock.now()):
        raise InvalidParameterException(NO_DOMAIN)
    result: dict[str, Any] = {"ManagedLoginVersion": version}
    if domain.custom:
        result["CloudFrontDomain"] = _distribution(ctx)
    return result


async def delete_user_pool_domain(ctx: Context, call: Call) -> dict[str, Any]:
    domain = await _pool_domain(ctx, call)
    if not await ctx.store.delete_domain(domain.domain):
        raise InvalidParameterException(NO_DOMAIN)
    return {}


# ---- resource servers ----------------------------------------------------------------------------------------
def _server(server: ResourceServer) -> dict[str, Any]:
    return {
        "UserPoolId": server.pool_id,
        "Identifier": server.identifier,
        "Name": server.name,
        "Scopes": server.scopes,
    }


def _not_found(identifier: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(oauth_rules.RESOURCE_SERVER_NOT_FOUND.format(identifier=identifier))


async def create_resource_server(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    scopes = list(p.get("Scopes") or [])
    oauth_rules.check_resource_server_scopes(scopes)
    server = ResourceServer(pool.id, p["Identifier"], p["Name"], scopes, ctx.clock.now())
    try:
        await ctx.store.create_resource_server(server, oauth_rules.MAX_RESOURCE_SERVERS)
    except Conflict as conflict:
        if conflict.what == "limit":
            raise LimitExceededException("The user pool has reached its limit of resource servers.") from None
        raise InvalidParameterException(
            oauth_rules.RESOURCE_SERVER_EXISTS.format(identifier=server.identifier)
        ) from None
    return {"ResourceServer": _server(server)}


async def describe_resource_server(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    server = await ctx.store.get_resource_server(pool.id, call.params["Identifier"])
    if server is None:
        raise _not_found(call.params["Identifier"])
    return {"ResourceServer": _server(server)}


async def list_resource_servers(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    try:
        found, token = await ctx.store.list_resource_servers(
            pool.id, call.params.get("MaxResults", 50), call.params.get("NextToken")
        )
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {"ResourceServers": [_server(s) for s in found]}
    if token:
        result["NextToken"] = token
    return result


async def update_resource_server(ctx: Context, call: Call) -> dict[str, Any]:
    """Replaces the name and the whole scope list (omitted scopes: none)."""
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    scopes = list(p.get("Scopes") or [])
    oauth_rules.check_resource_server_scopes(scopes)
    current = await ctx.store.get_resource_server(pool.id, p["Identifier"])
    if current is None or not await ctx.store.update_resource_server(pool.id, p["Identifier"], p["Name"], scopes):
        raise _not_found(p["Identifier"])
    return {"ResourceServer": _server(dataclasses.replace(current, name=p["Name"], scopes=scopes))}


async def delete_resource_server(ctx: Context, call: Call) -> dict[str, Any]:
    """Its scopes stay named on app clients, inactive: tokens leave them out."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    if not await ctx.store.delete_resource_server(pool.id, call.params["Identifier"]):
        raise _not_found(call.params["Identifier"])
    return {}


# ---- UI customization ----------------------------------------------------------------------------------------
def image_type(image: bytes) -> str | None:
    """``png`` or ``jpeg`` by the file's magic bytes; None for anything else."""
    return next((kind for magic, kind in _IMAGE_TYPES.items() if image.startswith(magic)), None)


def logo_url(ctx: Context, customization: UICustomization) -> str:
    return f"{ctx.settings.public_base_url}/hosted-ui/{customization.pool_id}/{customization.client_id}/logo"


def _customization(ctx: Context, pool_id: str, client_id: str, found: UICustomization | None) -> dict[str, Any]:
    described: dict[str, Any] = {"UserPoolId": pool_id, "ClientId": found.client_id if found else client_id}
    if found is not None:
        described.update(
            {
                "CSSVersion": str(int(found.modified_at * 1000)),
                "LastModifiedDate": found.modified_at,
                "CreationDate": found.created_at,
            }
        )
        if found.css is not None:
            described["CSS"] = found.css
        if found.image is not None:
            described["ImageUrl"] = logo_url(ctx, found)
    return described


async def _client_scope(ctx: Context, call: Call) -> tuple[str, str]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client_id = call.params.get("ClientId") or "ALL"
    if client_id != "ALL":
        await lookups.require_client(ctx.store, client_id, pool.id)
    return pool.id, client_id


async def set_ui_customization(ctx: Context, call: Call) -> dict[str, Any]:
    pool_id, client_id = await _client_scope(ctx, call)
    if not await ctx.store.pool_domains(pool_id):
        raise InvalidParameterException(NEEDS_DOMAIN)
    image = None
    if call.params.get("ImageFile"):
        try:
            image = base64.b64decode(call.params["ImageFile"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterException("Invalid image file.") from None  # (unverified)
        if image_type(image) is None or len(image) > MAX_IMAGE_BYTES:
            raise InvalidParameterException("The image must be a PNG or JPEG file of at most 100 KB.")  # (unv.)
    now = ctx.clock.now()
    stored = await ctx.store.put_ui_customization(
        UICustomization(pool_id, client_id, call.params.get("CSS"), image, now, now)
    )
    return {"UICustomization": _customization(ctx, pool_id, client_id, stored)}


async def get_ui_customization(ctx: Context, call: Call) -> dict[str, Any]:
    """The client's own customization, else the pool's; just the ids when there is none."""
    pool_id, client_id = await _client_scope(ctx, call)
    found = await ctx.store.find_ui_customization(pool_id, client_id)
    return {"UICustomization": _customization(ctx, pool_id, client_id, found)}


OPERATIONS = {
    "CreateUserPoolDomain": create_user_pool_domain,
    "DescribeUserPoolDomain": describe_user_pool_domain,
    "UpdateUserPoolDomain": update_user_pool_domain,
    "DeleteUserPoolDomain": delete_user_pool_domain,
    "CreateResourceServer": create_resource_server,
    "DescribeResourceServer": describe_resource_server,
    "ListResourceServers": list_resource_servers,
    "UpdateResourceServer": update_resource_server,
    "DeleteResourceServer": delete_resource_server,
    "SetUICustomization": set_ui_customization,
    "GetUICustomization": get_ui_customization,
}
