"""SAML 2.0 federation: GetSigningCertificate, the certificate of the key a pool signs SAML requests with.

The certificate (and its key, sealed in the store, which signs the pool's AuthnRequests to SAML identity providers)
is made on a pool's first request and answered unchanged ever after: one per pool, whichever of several racing
first requests wins (``operations.shared.saml_federation.signing_certificate``)."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.operations.shared import lookups, saml_federation


async def get_signing_certificate(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return {"Certificate": (await saml_federation.signing_certificate(ctx, pool.id)).certificate}


OPERATIONS = {
    "GetSigningCertificate": get_signing_certificate,
}
