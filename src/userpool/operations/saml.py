"""SAML 2.0 federation: GetSigningCertificate, the certificate of the key a pool signs SAML requests with.

The certificate (and its key, sealed in the store for the SAML federation to come) is made on a pool's first
request and answered unchanged ever after: one per pool, whichever of several racing first requests wins."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import saml, texts
from userpool.domain.records import SigningCertificate
from userpool.errors import ResourceNotFoundException
from userpool.operations.shared import lookups


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


async def get_signing_certificate(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return {"Certificate": (await signing_certificate(ctx, pool.id)).certificate}


OPERATIONS = {
    "GetSigningCertificate": get_signing_certificate,
}
