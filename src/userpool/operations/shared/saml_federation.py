"""SAML 2.0 federation, the pool as service provider: the pool's signing certificate (GetSigningCertificate's,
and the key AuthnRequests are signed with), a SAML provider's ``ProviderDetails`` with its metadata fetched from
``MetadataURL``, the URL that sends a browser to the IdP, and the assertion of a posted response verified and
spent (each assertion id is taken once, in the store, whichever process sees it). The rules are
``domain.saml_idp``'s; the page that receives responses is ``web/saml.py``."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping

import httpx

from userpool.context import Context
from userpool.domain import saml, saml_idp, texts
from userpool.domain.records import Pool, SigningCertificate
from userpool.errors import InvalidParameterException, ResourceNotFoundException

USER_AGENT = "userpool-saml"
REPLAY_SCOPE = "saml_assertion"  # the counter scope that spends assertion ids


async def signing_certificate(ctx: Context, pool_id: str) -> SigningCertificate:
    """The pool's signing certificate, made on first use (RSA generation runs in the hashing pool, never on the
    event loop). Two first requests may both make one: the store keeps the first stored, and both answer it."""
    found = await ctx.store.get_signing_certificate(pool_id)
    if found is not None:
        return found
    now = ctx.clock.now()
    fresh = await ctx.hashing.run(saml.new_signing_certificate, pool_id, now)
    kept = await ctx.store.add_signing_certificate(
        SigningCertificate(
            pool_id=pool_id, certificate=fresh.certificate, private_key=fresh.private_pem, created_at=now
        )
    )
    if kept is None:  # the pool was deleted meanwhile
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))
    return kept


def acs_url(ctx: Context) -> str:
    """The assertion consumer service URL to give an IdP: ``<public base URL>/saml2/idpresponse``."""
    return ctx.settings.public_base_url + saml_idp.ACS_PATH


async def metadata_document(ctx: Context, details: Mapping[str, str]) -> str | None:
    """The metadata at a SAML provider's ``MetadataURL``, fetched now (Create and Update; its details are then
    checked with it by ``saml_idp.check_details``); None when the details name no URL alone."""
    url = details.get("MetadataURL")
    if not url or details.get("MetadataFile"):
        return None
    saml_idp.check_metadata_url(url)
    return await fetch_metadata(url, ctx.settings.federation_timeout)


async def fetch_metadata(url: str, seconds: float) -> str:
    """The metadata document at ``url`` (no redirects, at most ``saml_idp.MAX_METADATA`` bytes, within
    ``seconds``: the server's ``federation_timeout``)."""
    unreachable = InvalidParameterException(saml_idp.METADATA_UNREACHABLE.format(url=url))
    try:
        async with httpx.AsyncClient(timeout=seconds, follow_redirects=False) as client:
            async with client.stream("GET", url, headers={"User-Agent": USER_AGENT}) as response:
                if response.status_code != 200:
                    raise unreachable
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > saml_idp.MAX_METADATA:
                        raise unreachable
    except httpx.HTTPError:
        raise unreachable from None
    return body.decode("utf-8", "replace")


def new_request_id() -> str:
    """A fresh ``AuthnRequest`` ID (an XML NCName: it starts with ``_``)."""
    return "_" + secrets.token_hex(20)


async def sign_in_url(ctx: Context, pool: Pool, details: Mapping[str, str], relay_state: str, request_id: str) -> str:
    """Where to send the browser to sign in at the IdP (the HTTP-Redirect binding) with the ``AuthnRequest``
    ``request_id`` (the response must answer it). Signed with the pool's key when the provider's ``details`` have
    ``RequestSigningAlgorithm``."""
    metadata = saml_idp.metadata_of(details)
    request = saml_idp.authn_request(request_id, ctx.clock.now(), metadata.sso_url, acs_url(ctx), pool.id)
    key = None
    if details.get("RequestSigningAlgorithm"):
        key = (await signing_certificate(ctx, pool.id)).private_key
    return await ctx.hashing.run(saml_idp.redirect_url, metadata.sso_url, request, relay_state, key)


async def verified_assertion(
    ctx: Context, pool: Pool, details: Mapping[str, str], saml_response: str, request_id: str | None
) -> saml_idp.Assertion:
    """The assertion of a posted response to the provider of ``details`` after every check of
    ``saml_idp.verify_response`` (``request_id``: the AuthnRequest it must answer; None for an IdP-initiated
    response), and spent: an assertion id seen before is refused (``ResponseRefused``)."""
    metadata = saml_idp.metadata_of(details)
    expected = saml_idp.Expected(
        acs_url=acs_url(ctx),
        audience=saml_idp.sp_entity_id(pool.id),
        issuer=metadata.entity_id,
        certificates=metadata.certificates,
        in_response_to=request_id,
        now=ctx.clock.now(),
    )
    assertion = await ctx.hashing.run(saml_idp.verify_response, saml_response, expected)
    key = hashlib.sha256(f"{pool.id}\n{assertion.issuer}\n{assertion.id}".encode()).hexdigest()
    until = assertion.not_on_or_after + saml_idp.SKEW_SECONDS
    if await ctx.store.count_hit(REPLAY_SCOPE, key, 0, until, expected.now) != 1:
        raise saml_idp.ResponseRefused("The SAML assertion was used already.")
    return assertion
