"""The pool's public documents: ``GET /<poolId>/.well-known/jwks.json`` and ``.../openid-configuration``.

They live where Cognito serves them relative to the issuer (``https://cognito-idp.<region>.amazonaws.com/<poolId>``),
so libraries that derive the JWKS URL from ``iss`` (PyJWT's ``PyJWKClient``, aws-jwt-verify, pycognito) find them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.context import Context
from userpool.operations.shared import issuing


class WellKnown:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _pool(self, request: Request) -> str | None:
        pool_id = request.path_params["pool_id"]
        pool = await self.ctx.store.get_pool(pool_id)
        return pool.id if pool else None

    async def jwks(self, request: Request) -> Response:
        pool_id = await self._pool(request)
        if pool_id is None:
            return JSONResponse({"message": "User pool does not exist."}, 404)
        keys = await issuing.published_keys(self.ctx, pool_id)
        return JSONResponse({"keys": keys}, headers={"Cache-Control": "public, max-age=300"})

    async def openid_configuration(self, request: Request) -> Response:
        pool_id = await self._pool(request)
        if pool_id is None:
            return JSONResponse({"message": "User pool does not exist."}, 404)
        issuer = self.ctx.settings.issuer(pool_id)
        base = self.ctx.settings.public_base_url  # every pool's hosted UI and OAuth 2.0 endpoints (web/oauth.py)
        return JSONResponse(
            {
                "authorization_endpoint": f"{base}/oauth2/authorize",
                "end_session_endpoint": f"{base}/logout",
                "revocation_endpoint": f"{base}/oauth2/revoke",
                "token_endpoint": f"{base}/oauth2/token",
                "userinfo_endpoint": f"{base}/oauth2/userInfo",
                "issuer": issuer,
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["code", "token"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "token_use",
                    "cognito:username",
                    "email",
                    "email_verified",
                    "phone_number",
                    "phone_number_verified",
                ],
            }
        )


def routes(ctx: Context) -> list[Route]:
    well_known = WellKnown(ctx)
    return [
        Route("/{pool_id}/.well-known/jwks.json", well_known.jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", well_known.openid_configuration, methods=["GET"]),
    ]
