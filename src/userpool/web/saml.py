"""``POST /saml2/idpresponse``: the pool's SAML assertion consumer service.

A SAML IdP's browser post (``SAMLResponse``, ``RelayState``) ends a sign-in in the app's code or tokens, as the
hosted UI's other doors do (``HostedUI._complete``):
- SP-initiated: the ``RelayState`` is the ``state`` of a sign-in the hosted UI sent to the IdP
  (``Federation.start``): taken once, within five minutes, by the browser it was bound to; the response must
  answer that sign-in's ``AuthnRequest``;
- IdP-initiated: the ``RelayState`` carries the app's authorize parameters (client, callback, scopes, provider),
  checked as ``/oauth2/authorize`` checks them; accepted only when the provider's ``IDPInit`` is true, and the
  response must be unsolicited.
The response is verified by ``saml_federation.verified_assertion`` (signature by the metadata's certificates,
destination, audience, times on the server's clock, single use), then ``Federation.finish`` (``web/federation.py``,
the OIDC door's own last step) finds or makes the user and answers the app. Every refusal is the error page with
the reason; nothing is created before the assertion is verified.
"""

from __future__ import annotations

import urllib.parse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.context import Context
from userpool.domain import identity_providers as idp_rules
from userpool.domain import saml_idp
from userpool.domain.records import IdentityProvider
from userpool.errors import ServiceError
from userpool.operations.shared import saml_federation
from userpool.web.hosted_ui import AuthRequest, HostedUI
from userpool.web.oauth import ErrorPage, RedirectError
from userpool.web.render import Templates

MAX_BODY = 3 * saml_idp.MAX_RESPONSE  # a form-encoded SAMLResponse grows by up to a third, the RelayState beside it
NO_RESPONSE = "The identity provider's post carries no SAMLResponse."


class AssertionConsumer:
    def __init__(self, ctx: Context, templates: Templates) -> None:
        self.ctx = ctx
        self.federation = HostedUI(ctx, templates).federation

    async def idp_response(self, request: Request) -> Response:
        ui = self.federation.ui
        try:
            form = await _form(request)
            saml_response = form.get("SAMLResponse")
            if not saml_response:
                raise ErrorPage("invalid_request", NO_RESPONSE)
            auth, provider, request_id = await self._sign_in(request, form.get("RelayState", ""))
            try:
                assertion = await saml_federation.verified_assertion(
                    self.ctx, auth.pool, provider.details, saml_response, request_id
                )
            except saml_idp.ResponseRefused as refused:
                raise ErrorPage("invalid_saml_response", str(refused)) from None
        except ErrorPage as error:
            return await self.federation._refused(request, error.detail, error.error, error.status)
        except ServiceError as error:  # the hashing pool is full (TooManyRequestsException), ...
            return await self.federation._refused(request, error.message, "server_busy", error.status)
        except RedirectError as error:
            return ui._error_redirect(error.redirect_uri, error.state, error, error.fragment)
        claims = assertion.claims()
        return await self.federation.finish(request, auth, provider, assertion.subject, claims, assertion.issuer)

    async def _sign_in(self, request: Request, relay_state: str) -> tuple[AuthRequest, IdentityProvider, str | None]:
        """The app's authorize request the post completes, its SAML provider, and the ``AuthnRequest`` id the
        response must answer (None: IdP-initiated, when the ``RelayState`` is the app's authorize parameters)."""
        ui = self.federation.ui
        try:
            query = urllib.parse.parse_qs(relay_state, keep_blank_values=True, max_num_fields=32)
        except ValueError:
            query = {}
        if "client_id" in query:
            auth = await ui._auth_request(query)
            provider = auth.provider
            if provider is None or provider.type != idp_rules.SAML:
                raise ErrorPage("invalid_request", "The RelayState names no SAML identity provider of this app.")
            if not saml_idp.flag(provider.details, "IDPInit"):
                message = f"The identity provider {provider.name} does not accept IdP-initiated sign-in."
                raise ErrorPage("invalid_request", message)
            return auth, provider, None
        taken = await self.federation.taken(request, relay_state)
        if isinstance(taken, str):
            raise ErrorPage("invalid_state", taken)
        auth = await ui._auth_request({k: [v] for k, v in taken.authorize_query.items()})
        found = await self.ctx.store.get_identity_provider(auth.pool.id, taken.provider_name)
        if found is None:
            raise ErrorPage("invalid_request", f"The identity provider {taken.provider_name} no longer exists.")
        if found.type != idp_rules.SAML:  # an OIDC sign-in's state posted here
            raise ErrorPage("invalid_request", f"{taken.provider_name} is not a SAML identity provider.")
        return auth, found, taken.nonce


async def _form(request: Request) -> dict[str, str]:
    """The posted form (``application/x-www-form-urlencoded``, at most ``MAX_BODY`` bytes, each field once)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise ErrorPage("invalid_request", NO_RESPONSE)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ErrorPage("invalid_request", "The SAML response is too large.", 413)
    try:
        parsed = urllib.parse.parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    except ValueError:
        raise ErrorPage("invalid_request", NO_RESPONSE) from None
    if any(len(values) != 1 for values in parsed.values()):
        raise ErrorPage("invalid_request", "A field was sent twice.")
    return {name: values[0] for name, values in parsed.items()}


def routes(ctx: Context, templates: Templates) -> list[Route]:
    consumer = AssertionConsumer(ctx, templates)
    return [Route(saml_idp.ACS_PATH, consumer.idp_response, methods=["POST"])]
