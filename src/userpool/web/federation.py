"""Federated sign-in through the hosted UI: ``/oauth2/authorize`` (``identity_provider``, ``idp_identifier`` or a
provider's button on the login page) sends the browser to the provider; the provider sends it back to
``GET /oauth2/idpresponse``, where the code is redeemed, the provider's ID token verified, the federated user found
or created (``operations.shared.federation.federated_user``: the same step the SAML door calls) and the app given
its code or tokens exactly as for a native user (``HostedUI._complete``).

Toward the provider: our own ``state`` (random, HMAC-signed, kept in the store by its hash with the app's authorize
request, the ``nonce`` and the PKCE verifier; five minutes; used once) bound to the browser by the HttpOnly
``cognito-federation`` cookie (signed; the store keeps its hash), a ``nonce`` the ID token must carry, and PKCE
S256. Every failure after the provider is an error page saying what failed, with nothing created; a provider's
own ``error`` (the person declined) goes back to the app as OAuth's error redirect.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from userpool.domain import identity_providers as idp_rules
from userpool.domain import oauth as oauth_rules
from userpool.domain.records import FederationRequest, IdentityProvider, User
from userpool.errors import ServiceError
from userpool.operations.shared import federation, issuing, saml_federation, upstream
from userpool.web.oauth import ErrorPage, RedirectError, page_call

if TYPE_CHECKING:
    from userpool.web.hosted_ui import AuthRequest, HostedUI

BROWSER_COOKIE = "cognito-federation"
RESPONSE_PATH = "/oauth2/idpresponse"
MAX_VALUE = 4096  # code and state from the provider


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Federation:
    """The federated half of the hosted UI: it sends browsers to providers and takes them back."""

    def __init__(self, ui: HostedUI) -> None:
        self.ui = ui
        self.ctx = ui.ctx

    def redirect_uri(self) -> str:
        """Our redirect URI at every provider (Cognito's ``https://<domain>/oauth2/idpresponse``)."""
        return self.ctx.settings.public_base_url + RESPONSE_PATH

    async def start(self, request: Request, auth: AuthRequest, provider: IdentityProvider) -> Response:
        """Send the browser to ``provider`` for the app's authorize request ``auth`` (a SAML provider: to its
        single sign-on service with an AuthnRequest, the ``state`` as its RelayState)."""
        if provider.type == idp_rules.SAML:
            request_id = saml_federation.new_request_id()
            state, browser = await self._begin(auth, provider, request_id, "")
            try:
                target = await saml_federation.sign_in_url(self.ctx, auth.pool, provider.details, state, request_id)
            except ServiceError:  # the hashing pool is full: the app is told, as for any server error
                return self.ui._error_redirect(auth.redirect_uri, auth.state, RedirectError("server_error"))
            return self._sent(request, target, browser)
        try:
            where = await upstream.endpoints(self.ctx, provider)
        except upstream.UpstreamError as error:
            return self.ui._error_redirect(auth.redirect_uri, auth.state, RedirectError("invalid_request", str(error)))
        nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
        state, browser = await self._begin(auth, provider, nonce, verifier)
        target = upstream.authorize_url(
            provider,
            where,
            self.redirect_uri(),
            state,
            nonce,
            oauth_rules.pkce_challenge(verifier),
            auth.query.get("login_hint"),
        )
        return self._sent(request, target, browser)

    async def _begin(self, auth: AuthRequest, provider: IdentityProvider, nonce: str, verifier: str) -> tuple[str, str]:
        """A signed ``state`` for a sign-in through ``provider``, the sign-in kept under its hash (five minutes,
        used once) with the browser value it is bound to; answers the state and that browser value."""
        token = secrets.token_urlsafe(32)
        state = f"{token}.{self.ui._sign('federation-state:' + token)}"
        browser = secrets.token_urlsafe(32)
        now = self.ctx.clock.now()
        query = {k: v for k, v in auth.query.items() if k not in ("identity_provider", "idp_identifier")}
        await self.ctx.store.add_federation_request(
            FederationRequest(
                state_hash=_hash(state),
                pool_id=auth.pool.id,
                provider_name=provider.name,
                browser_hash=_hash(browser),
                authorize_query=query,
                nonce=nonce,
                code_verifier=verifier,
                created_at=now,
                expires_at=now + idp_rules.STATE_SECONDS,
            )
        )
        return state, browser

    def _sent(self, request: Request, target: str, browser: str) -> Response:
        """The redirect to the provider, with the browser cookie: HttpOnly, signed, ``SameSite=None`` and
        ``Secure`` over https (a SAML IdP comes back with a cross-site POST, which a ``Lax`` cookie would not ride
        on), ``Lax`` over plain http (local use), where browsers refuse ``SameSite=None``."""
        response = Response(status_code=302, headers={"Location": target, "Cache-Control": "no-store"})
        value = f"{browser}.{self.ui._sign('federation-browser:' + browser)}"
        secure = self.ui._secure(request)
        response.set_cookie(
            BROWSER_COOKIE,
            value,
            max_age=idp_rules.STATE_SECONDS,
            path="/",
            httponly=True,
            samesite="none" if secure else "lax",
            secure=secure,
        )
        return response

    async def _refused(
        self, request: Request, detail: str, error: str = "invalid_request", status: int = 400
    ) -> Response:
        response = await self.ui._error_page(request, ErrorPage(error, detail, status))
        response.delete_cookie(BROWSER_COOKIE, path="/", httponly=True, samesite="lax", secure=self.ui._secure(request))
        return response

    async def taken(self, request: Request, state: str) -> FederationRequest | str:
        """The sign-in this browser's ``state`` (OIDC's ``state``, SAML's ``RelayState``) stands for, or why it is
        refused. A state of ours is taken (used) before the browser is checked, so one shown to another browser is
        spent."""
        token, _, signature = state.partition(".")
        if not token or len(state) > MAX_VALUE:
            return "The sign-in response carries no valid state. Start signing in again."
        if not hmac.compare_digest(self.ui._sign("federation-state:" + token), signature):
            return "The state of this sign-in response was not issued by this service. Start signing in again."
        taken = await self.ctx.store.take_federation_request(_hash(state), self.ctx.clock.now())
        if taken is None:
            return "This sign-in has expired or was already completed. Start signing in again."
        browser, _, browser_signature = request.cookies.get(BROWSER_COOKIE, "").partition(".")
        signed = bool(browser) and hmac.compare_digest(
            self.ui._sign("federation-browser:" + browser), browser_signature
        )
        if not signed or not hmac.compare_digest(taken.browser_hash, _hash(browser)):
            return "This sign-in was not started in this browser. Start signing in again."
        return taken

    async def idp_response(self, request: Request) -> Response:
        """``GET /oauth2/idpresponse``: the provider's answer for a sign-in we sent it."""
        taken = await self.taken(request, request.query_params.get("state", ""))
        if isinstance(taken, str):
            return await self._refused(request, taken, "invalid_state")
        try:
            auth = await self.ui._auth_request({k: [v] for k, v in taken.authorize_query.items()})
        except ErrorPage as error:
            return await self._refused(request, error.detail, error.error, error.status)
        except RedirectError as error:
            return self.ui._error_redirect(error.redirect_uri, error.state, error, error.fragment)
        provider = await self.ctx.store.get_identity_provider(auth.pool.id, taken.provider_name)
        if provider is None:
            return await self._refused(request, f"The identity provider {taken.provider_name} no longer exists.")
        declined = request.query_params.get("error")
        if declined is not None:
            description = request.query_params.get("error_description", "")[:256] or None
            error = "access_denied" if declined == "access_denied" else "invalid_request"
            return self.ui._error_redirect(auth.redirect_uri, auth.state, RedirectError(error, description), False)
        code = request.query_params.get("code", "")
        if not code or len(code) > MAX_VALUE:
            return await self._refused(request, "The identity provider sent no authorization code.")
        try:
            where = await upstream.endpoints(self.ctx, provider)
            answer = await upstream.redeem(self.ctx, provider, where, code, self.redirect_uri(), taken.code_verifier)
            claims = await upstream.verified_claims(self.ctx, provider, where, answer, taken.nonce)
        except upstream.UpstreamError as error:
            return await self._refused(request, f"Sign-in with {provider.name} failed: {error}")
        subject = idp_rules.subject_of(provider.type, claims)
        if subject is None:
            return await self._refused(request, f"Sign-in with {provider.name} failed: the user has no subject.")
        return await self.finish(request, auth, provider, subject, claims, where.issuer)

    async def finish(
        self,
        request: Request,
        auth: AuthRequest,
        provider: IdentityProvider,
        subject: str,
        claims: Mapping[str, Any],
        issuer: str | None,
    ) -> Response:
        """A verified identity of ``provider`` signed in to the app: the federated user found or made (its
        triggers), the app's code or tokens, the hosted-UI session; an error page when a trigger refuses."""
        call = page_call(request, "Authorize", {"ClientId": auth.client.id})
        try:
            user = await federation.federated_user(self.ctx, call, auth.pool, provider, subject, claims, issuer=issuer)
        except ServiceError as error:
            return await self._refused(request, error.message)
        return await self.signed_in(request, auth, user)

    async def signed_in(self, request: Request, auth: AuthRequest, user: User) -> Response:
        """The end of any federated sign-in (OIDC, social, SAML): the tokens (``TokenGeneration_HostedAuth``), a
        hosted-UI session, and the app's code or tokens, as for a native user."""
        call = page_call(request, "Authorize", {"ClientId": auth.client.id})
        try:
            result = await issuing.issue(
                self.ctx, call, auth.pool, auth.client, user, grant=issuing.Grant(tuple(auth.scopes), auth.nonce)
            )
        except ServiceError as error:
            return await self._refused(request, error.message)
        response = await self.ui._complete(request, auth, user, result)
        await self.ui._start_web_session(response, request, auth.pool, user, self.ctx.clock.now())
        response.delete_cookie(BROWSER_COOKIE, path="/", httponly=True, samesite="lax", secure=self.ui._secure(request))
        return response


def provider_links(auth: AuthRequest) -> list[tuple[str, str]]:
    """The login page's buttons: one per provider the app supports besides the pool's own users."""
    names = [n for n in auth.client.settings.get("SupportedIdentityProviders") or () if n != idp_rules.COGNITO]
    query = {k: v for k, v in auth.query.items() if k not in ("identity_provider", "idp_identifier")}
    return [
        (name, "/oauth2/authorize?" + urllib.parse.urlencode({**query, "identity_provider": name})) for name in names
    ]
