"""The OAuth 2.0 endpoints a program calls: ``POST /oauth2/token`` (authorization_code, refresh_token,
client_credentials), ``GET|POST /oauth2/userInfo`` and ``POST /oauth2/revoke``.

They answer OAuth's JSON errors (``{"error": ...}``) with Cognito's statuses, never a traceback. The pool is found
from ``client_id`` (userInfo: from the access token), and a pool's endpoints exist only once it has a domain, as in
Cognito. Refreshing and revoking run GetTokensFromRefreshToken's and RevokeToken's own code; the tokens of every
grant are made by ``operations.shared.issuing``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.context import Call, Context
from userpool.domain import oauth as oauth_rules
from userpool.domain import secret_hash
from userpool.domain import tokens as token_rules
from userpool.domain.records import Client, Pool
from userpool.errors import (
    NotAuthorizedException,
    RefreshTokenReuseException,
    ServiceError,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
    UserNotFoundException,
)
from userpool.operations import tokens
from userpool.operations.shared import issuing, lookups, oauth_settings

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
USERINFO_HEADERS = {
    "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
    "Pragma": "no-cache",
    "Expires": "0",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
BAD_USERINFO_REQUEST = 'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
BAD_USERINFO_TOKEN = (
    'error="invalid_token", error_description="Access token is expired, disabled, or deleted, '
    'or the user has globally signed out."'
)


class ErrorPage(Exception):
    """A request that must not be redirected anywhere: shown as the error page."""

    def __init__(self, error: str, detail: str, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.detail, self.status = error, detail, status


class RedirectError(Exception):
    """An error for a verified redirect URI: ``<redirect_uri>?error=...&state=...`` (the fragment for the implicit
    grant); ``_auth_request`` fills in where it goes."""

    def __init__(self, error: str, description: str | None = None) -> None:
        super().__init__(error)
        self.error, self.description = error, description
        self.redirect_uri, self.state, self.fragment = "", None, False


class OAuthError(Exception):
    """An OAuth 2.0 error answer: ``{"error": ...}`` and its status."""

    def __init__(self, error: str, status: int = 400, description: str | None = None) -> None:
        super().__init__(error)
        self.error, self.status, self.description = error, status, description

    def response(self) -> Response:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return JSONResponse(body, self.status, headers=NO_STORE, media_type="application/json;charset=UTF-8")


def page_call(request: Request, operation: str, params: dict[str, Any]) -> Call:
    """The ``Call`` a web request makes of an operation: its address (the peer: the JSON API's trusted-proxy
    reading lives in ``protocol``) and User-Agent."""
    return Call(
        operation=operation,
        params=params,
        request_id=str(uuid.uuid4()),
        source_ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent", ""),
    )


async def read_form(request: Request) -> dict[str, str]:
    """A form body (``application/x-www-form-urlencoded``, required), each parameter once and of bounded size;
    ``invalid_request`` otherwise."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise OAuthError("invalid_request")
    return single_values(urllib.parse.parse_qs(body.decode("utf-8", "replace"), max_num_fields=64))


def single_values(parsed: Mapping[str, list[str]]) -> dict[str, str]:
    if any(len(values) != 1 for values in parsed.values()):
        raise OAuthError("invalid_request")  # RFC 6749 3.1/3.2: a parameter is sent once
    values = {name: values[0] for name, values in parsed.items()}
    if any(len(v) > oauth_rules.MAX_PARAMETER * 4 for v in values.values()):
        raise OAuthError("invalid_request")
    return values


async def served_client(ctx: Context, client_id: str | None) -> tuple[Client, Pool] | None:
    """The app client and its pool, when the pool serves OAuth (it has a domain); None otherwise."""
    if not client_id or len(client_id) > 128:
        return None
    found = await lookups.found_client(ctx.store, client_id)
    if found is None or found[1] is None:
        return None
    client, pool = found
    if not await ctx.store.pool_domains(pool.id):
        return None
    return client, pool


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, ValueError):
        raise OAuthError("invalid_client", 400) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", 400)
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


async def authenticated_client(
    ctx: Context, request: Request, form: Mapping[str, str], status: int = 400
) -> tuple[Client, Pool, str | None]:
    """The client a token-endpoint request authenticates as: HTTP Basic (``client_secret_basic``) or ``client_id``
    and ``client_secret`` in the body (``client_secret_post``); a public client sends its ``client_id`` alone. A
    Basic header wins, and a body naming another client is refused. ``invalid_client`` otherwise."""
    basic = _basic(request.headers.get("authorization", ""))
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if basic is not None:
        if (client_id is not None and client_id != basic[0]) or (secret is not None and secret != basic[1]):
            raise OAuthError("invalid_client", status)
        client_id, secret = basic
    found = await served_client(ctx, client_id)
    if found is None:
        raise OAuthError("invalid_client", status)
    client, pool = found
    if client.secret is None:
        if secret:
            raise OAuthError("invalid_client", status)
    elif secret is None or not secret_hash.secret_matches(client.secret_values, secret):
        raise OAuthError("invalid_client", status)
    return client, pool, secret


def client_metadata(value: str | None) -> dict[str, str] | None:
    """A token request's ``aws_client_metadata`` (JSON, URL-encoded as any form value): an object of strings for
    the PreTokenGeneration function of a client-credentials grant; ``invalid_request`` otherwise (unverified)."""
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        raise OAuthError("invalid_request") from None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise OAuthError("invalid_request")
    return parsed


def token_answer(result: Mapping[str, Any], refresh_token: str | None = None) -> Response:
    body: dict[str, Any] = {}
    if "IdToken" in result:
        body["id_token"] = result["IdToken"]
    body["access_token"] = result["AccessToken"]
    refresh = refresh_token or result.get("RefreshToken")
    if refresh:
        body["refresh_token"] = refresh
    body["expires_in"] = result["ExpiresIn"]
    body["token_type"] = "Bearer"
    return JSONResponse(body, headers=NO_STORE, media_type="application/json;charset=UTF-8")


class OAuthEndpoints:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def token(self, request: Request) -> Response:
        try:
            form = await read_form(request)
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request")
            if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
                raise OAuthError("unsupported_grant_type")
            client, pool, secret = await authenticated_client(self.ctx, request, form)
            if grant_type == "client_credentials":
                return await self._client_credentials(request, client, pool, form)
            if grant_type == "refresh_token":
                return await self._refresh(request, client, form, secret)
            return await self._code(request, client, pool, form)
        except OAuthError as error:
            return error.response()
        except ServiceError as error:  # a refusal with no OAuth counterpart (throttling, a trigger's failure)
            log.info("token endpoint: %s", error.type_name)
            return OAuthError("invalid_request").response()

    async def _client_credentials(
        self, request: Request, client: Client, pool: Pool, form: Mapping[str, str]
    ) -> Response:
        if not oauth_rules.oauth_enabled(client.settings, "client_credentials"):
            raise OAuthError("invalid_grant")  # (obs) rather than unauthorized_client
        try:
            requested = oauth_rules.parse_scopes(form.get("scope"))
            defined = await oauth_settings.defined_scopes(self.ctx, pool.id)
            scopes = oauth_rules.granted_scopes(requested, client.settings.get("AllowedOAuthScopes") or [], defined)
        except ValueError:
            raise OAuthError("invalid_scope") from None
        if not scopes:
            raise OAuthError("invalid_scope")
        metadata = client_metadata(form.get("aws_client_metadata"))
        user_agent = request.headers.get("user-agent", "")
        result = await issuing.issue_client_credentials(self.ctx, pool, client, scopes, metadata, user_agent)
        return token_answer(result)

    async def _refresh(self, request: Request, client: Client, form: Mapping[str, str], secret: str | None) -> Response:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError("invalid_request")
        params = {"ClientId": client.id, "RefreshToken": token}
        if secret is not None:
            params["ClientSecret"] = secret
        call = page_call(request, "GetTokensFromRefreshToken", params)
        try:
            answer = await tokens.get_tokens_from_refresh_token(self.ctx, call)
        except (NotAuthorizedException, RefreshTokenReuseException, UserNotFoundException):
            raise OAuthError("invalid_grant") from None
        return token_answer(answer["AuthenticationResult"])

    async def _code(self, request: Request, client: Client, pool: Pool, form: Mapping[str, str]) -> Response:
        code, redirect_uri = form.get("code"), form.get("redirect_uri")
        if not code or not redirect_uri:
            raise OAuthError("invalid_request")
        if not oauth_rules.oauth_enabled(client.settings, "code"):
            raise OAuthError("unauthorized_client")
        verifier = form.get("code_verifier")
        now = self.ctx.clock.now()
        refusal: list[str] = []

        def accept(found: Any) -> bool:
            """The code's bindings; a refused exchange leaves the code as it was."""
            if found.client_id != client.id or found.expires_at <= now:
                refusal.append("invalid_grant")
            elif found.redirect_uri != redirect_uri:
                refusal.append("unauthorized_client")  # (obs: a redirect_uri differing from the authorize call)
            elif not oauth_rules.pkce_matches(verifier, found.code_challenge):
                refusal.append("invalid_grant")
            return not refusal

        taken, outcome = await self.ctx.store.take_authorization_code(issuing.token_hash(code), now, accept)
        if outcome == "used" and taken is not None and taken.client_id == client.id:
            # A code used twice: the tokens the first use got are revoked (RFC 6749 4.1.2).
            await self.ctx.store.revoke_refresh_token(issuing.token_hash(taken.refresh_token), now)
        if outcome != "taken" or taken is None:
            raise OAuthError(refusal[0] if refusal else "invalid_grant")
        user = await self.ctx.store.get_user(taken.user_id)
        stored = await self.ctx.store.get_refresh_token(issuing.token_hash(taken.refresh_token))
        if user is None or not user.enabled or stored is None or stored.revoked_at is not None:
            raise OAuthError("invalid_grant")
        call = page_call(request, "Token", {})
        result = await issuing.issue(
            self.ctx, call, pool, client, user, origin=stored, grant=issuing.Grant((), taken.nonce)
        )
        return token_answer(result, taken.refresh_token)

    async def user_info(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 16384:
            return Response(status_code=400, headers={**USERINFO_HEADERS, "WWW-Authenticate": BAD_USERINFO_REQUEST})
        try:
            caller = await issuing.authenticate(self.ctx, token.strip(), scope=oauth_rules.OPENID)
        except (NotAuthorizedException, UserNotFoundException):
            return Response(status_code=401, headers={**USERINFO_HEADERS, "WWW-Authenticate": BAD_USERINFO_TOKEN})
        client = await self.ctx.store.get_client(caller.client_id)
        readable = caller.user.attributes
        if client is not None:
            readable = token_rules.readable(readable, client.settings.get("ReadAttributes"))
        scopes = str(caller.claims.get("scope", "")).split()
        body = oauth_rules.user_info(caller.user.username, readable, scopes)
        return JSONResponse(body, headers=USERINFO_HEADERS, media_type="application/json;charset=UTF-8")

    async def revoke(self, request: Request) -> Response:
        """RevokeToken's own code: 200 with an empty body, also for a token that is unknown or revoked already."""
        try:
            form = await read_form(request)
            token = form.get("token")
            client, _, secret = await authenticated_client(self.ctx, request, form, status=401)
            if not token:
                raise OAuthError("invalid_request")
            params = {"ClientId": client.id, "Token": token}
            if secret is not None:
                params["ClientSecret"] = secret
            await tokens.revoke_token(self.ctx, page_call(request, "RevokeToken", params))
        except OAuthError as error:
            return error.response()
        except UnauthorizedException:
            return OAuthError("invalid_client", 401).response()
        except UnsupportedOperationException:
            return OAuthError("invalid_request").response()
        except UnsupportedTokenTypeException:
            return OAuthError("unsupported_token_type").response()
        return Response(status_code=200, headers=NO_STORE)


def routes(ctx: Context) -> list[Route]:
    endpoints = OAuthEndpoints(ctx)
    return [
        Route("/oauth2/token", endpoints.token, methods=["POST"]),
        Route("/oauth2/userInfo", endpoints.user_info, methods=["GET", "POST"]),
        Route("/oauth2/revoke", endpoints.revoke, methods=["POST"]),
    ]
