"""The hosted UI: ``GET /oauth2/authorize``, the pages a person uses (``/login``, ``/signup``, ``/confirm``,
``/resendcode``, ``/forgotPassword``, ``/confirmForgotPassword``, the NEW_PASSWORD_REQUIRED step, the MFA steps
``/mfa``, ``/selectMfa`` and ``/mfaSetup``), ``GET /logout``, ``GET /error``, and each pool's or client's logo and CSS
(SetUICustomization).

Every page runs the API's own operation code (SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
ConfirmForgotPassword) through a ``Call`` made from the form; sign-in goes through ONE adapter (``sign_in`` and
``answer_new_password`` below), so the rules (lockout, PreventUserExistenceErrors, triggers, rate limits, events)
are the API's. MFA challenges (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP) are answered
through the same flow engine (``answer_challenge``), MFA_SETUP's authenticator through AssociateSoftwareToken's and
VerifySoftwareToken's own code. A challenge's ``Session`` (a bearer secret for the sign-in) never reaches a URL, a
log or the page: it travels in the signed, HttpOnly ``cognito-signin`` cookie bound to the client, with the
username and what the page shows; the forms that answer it are CSRF-checked.

An authorize request naming an identity provider (``identity_provider``, ``idp_identifier``, or a provider's button
on the login page) goes to ``web/federation.py``, which comes back through ``_complete`` as a native sign-in does.

Safety: a redirect goes only to a registered callback or sign-out URL (exact match), else an error page; every
form carries a CSRF token (an HMAC of the ``XSRF-TOKEN`` cookie); the hosted-UI session cookie (``cognito``) is
HttpOnly, SameSite=Lax, signed, ``Secure`` behind https, and stands for a row of ``web_sessions`` that logout
revokes; pages may not be framed; the sign-in pages' ``form-action`` allows the client's callback, which the
redirect after the form's post must reach (Chromium applies ``form-action`` to it).
"""

from __future__ import annotations

import base64
import dataclasses
import hmac
import json
import secrets
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from userpool.context import Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import identity_providers as idp_rules
from userpool.domain import ids, secret_hash, texts
from userpool.domain import mfa as mfa_rules
from userpool.domain import oauth as oauth_rules
from userpool.domain import pools as pool_rules
from userpool.domain import webauthn as webauthn_rules
from userpool.domain.records import AuthorizationCode, Client, IdentityProvider, Pool, User, WebSession
from userpool.domain.users import UserStatus
from userpool.errors import NotAuthorizedException, ServiceError, UserNotConfirmedException
from userpool.operations import auth as auth_operations
from userpool.operations import mfa as mfa_operations
from userpool.operations import oauth as oauth_operations
from userpool.operations import recovery, signup
from userpool.operations.shared import issuing, oauth_settings, throttle
from userpool.operations.shared.signin import strategies
from userpool.operations.shared.signin.sessions import SignIn
from userpool.web.federation import RESPONSE_PATH, Federation, provider_links
from userpool.web.forms import CSRF_COOKIE, SignedForms, page_key
from userpool.web.oauth import (
    ErrorPage,
    OAuthError,
    RedirectError,
    page_call,
    read_form,
    served_client,
    single_values,
)
from userpool.web.render import Templates

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # the challenge's name on the wire
ADMIN_PASSWORD = "ADMIN_USER_PASSWORD_AUTH"  # the flow the login form runs
USER_AUTH = "USER_AUTH"  # the flow its passkey button runs, preferring WEB_AUTHN
PASSKEY_SCRIPT = resources.files("userpool.web").joinpath("static/passkey.js").read_bytes()
SESSION_COOKIE = "cognito"
SIGNIN_COOKIE = "cognito-signin"  # the challenge a sign-in waits on (its Session): see ``Pending``
SIGNIN_SECONDS = 15 * 60  # the longest AuthSessionValidity; the Session's own expiry is the flow engine's
AUTHORIZE_KEYS = (
    *("response_type", "client_id", "redirect_uri", "state", "scope", "nonce", "code_challenge"),
    *("code_challenge_method", "identity_provider", "idp_identifier", "prompt", "lang", "login_hint"),
)
PROMPTS = {"none", "login", "select_account", "consent"}
MAX_FIELD = 256  # username, password, code, attribute values on the forms
MAX_CREDENTIAL = 8192  # the passkey step's assertion (JSON: an RSA signature and a user handle fit many times over)


@dataclass
class AuthRequest:
    """An authorize request, checked: its client and pool, and the values the pages carry along."""

    client: Client
    pool: Pool
    response_type: str
    redirect_uri: str
    state: str | None
    scopes: list[str]
    nonce: str | None
    challenge: str | None
    prompt: set[str]
    query: dict[str, str] = field(default_factory=dict)
    provider: IdentityProvider | None = None  # the identity provider the request names (federated sign-in)

    @property
    def query_string(self) -> str:
        return urllib.parse.urlencode(self.query)


@dataclass
class Field:
    name: str
    label: str
    type: str = "text"
    value: str = ""
    autocomplete: str = "off"
    required: bool = True


@dataclass(frozen=True)
class Pending:
    """A sign-in waiting on an MFA challenge, as the ``cognito-signin`` cookie carries it (signed, HttpOnly):
    the client it belongs to, the username to answer with, the challenge, its ``Session``, and what the page shows
    (the masked destination of a code, or the factors to choose from)."""

    client_id: str
    username: str
    challenge: str
    session: str
    shown: str = ""

    def encode(self) -> str:
        data = json.dumps([self.client_id, self.username, self.challenge, self.session, self.shown])
        return ids.base64url(data.encode())

    @classmethod
    def decode(cls, value: str) -> Pending | None:
        try:
            data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        except ValueError:
            return None
        if not isinstance(data, list) or len(data) != 5 or not all(isinstance(v, str) for v in data):
            return None
        return cls(*data)


def _redirect(location: str, headers: Mapping[str, str] | None = None) -> Response:
    return RedirectResponse(location, 302, headers={"Cache-Control": "no-store", **(headers or {})})


def _with(url: str, params: Mapping[str, str | None], fragment: bool = False) -> str:
    values = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return f"{url}#{values}"
    return f"{url}{'&' if '?' in url else '?'}{values}"


class HostedUI(SignedForms):
    def __init__(self, ctx: Context, templates: Templates) -> None:
        self.ctx = ctx
        self.templates = templates
        self.key = page_key(ctx, b"userpool hosted UI cookies")
        self.federation: Federation = Federation(self)

    # ---- cookies and CSRF: web/forms.py (SignedForms) ----------------------------------------------------------
    async def _web_session(self, request: Request, pool: Pool) -> tuple[WebSession, User] | None:
        """The hosted-UI session the browser's ``cognito`` cookie stands for, when it is this pool's and alive."""
        cookie = request.cookies.get(SESSION_COOKIE, "")
        token, _, signature = cookie.partition(".")
        if not token or not hmac.compare_digest(self._sign("session:" + token), signature):
            return None
        session = await self.ctx.store.get_web_session(issuing.token_hash(token))
        now = self.ctx.clock.now()
        if session is None or session.pool_id != pool.id or session.revoked_at is not None or session.expires_at <= now:
            return None
        user = await self.ctx.store.get_user(session.user_id)
        if user is None or not user.enabled or user.status not in (UserStatus.CONFIRMED, UserStatus.EXTERNAL_PROVIDER):
            return None
        return session, user

    async def _start_web_session(
        self, response: Response, request: Request, pool: Pool, user: User, auth_time: float
    ) -> None:
        token = secrets.token_urlsafe(32)
        now = self.ctx.clock.now()
        expires = now + oauth_rules.WEB_SESSION_SECONDS
        await self.ctx.store.add_web_session(
            WebSession(issuing.token_hash(token), pool.id, user.id, auth_time, now, expires)
        )
        value = f"{token}.{self._sign('session:' + token)}"
        self._set_cookie(response, request, SESSION_COOKIE, value, oauth_rules.WEB_SESSION_SECONDS)

    def _set_pending(self, response: Response, request: Request, pending: Pending) -> None:
        value = pending.encode()
        self._set_cookie(response, request, SIGNIN_COOKIE, f"{value}.{self._sign('signin:' + value)}", SIGNIN_SECONDS)

    def _pending(self, request: Request, auth: AuthRequest) -> Pending | None:
        """The challenge this browser's sign-in waits on, when the cookie is ours and of this client."""
        value, _, signature = request.cookies.get(SIGNIN_COOKIE, "").rpartition(".")
        if not value or not hmac.compare_digest(self._sign("signin:" + value), signature):
            return None
        pending = Pending.decode(value)
        return pending if pending is not None and pending.client_id == auth.client.id else None

    def _end_pending(self, response: Response, request: Request) -> Response:
        response.delete_cookie(SIGNIN_COOKIE, path="/", httponly=True, samesite="lax", secure=self._secure(request))
        return response

    # ---- rendering -------------------------------------------------------------------------------------------
    def _headers(self, auth: AuthRequest | None, script: bool = False) -> dict[str, str]:
        """The pages' headers; only the passkey step runs a script, the UI's own (``script-src 'self'``)."""
        targets = "'self'"
        if auth is not None:
            targets += " " + oauth_rules.csp_source(auth.redirect_uri)
            if auth.redirect_uri == self.federation.redirect_uri():
                # This pool is the identity provider of another pool here: the redirect after the form goes on from
                # that pool's /oauth2/idpresponse to its app, which Chromium checks against this page's form-action.
                targets += " http: https:"
        scripts = "script-src 'self'; " if script else ""
        return {
            "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
            f"{scripts}form-action {targets}; base-uri 'none'; frame-ancestors 'none'",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }

    async def _page(
        self, request: Request, auth: AuthRequest | None, view: str, status: int = 200, **values: Any
    ) -> Response:
        csrf, new_cookie = self._csrf(request)
        if auth is not None:
            found = await self.ctx.store.find_ui_customization(auth.pool.id, auth.client.id)
            if found is not None:
                base = f"/hosted-ui/{auth.pool.id}/{found.client_id}"
                values.setdefault("stylesheet", f"{base}/style.css?v={int(found.modified_at)}" if found.css else None)
                values.setdefault("logo", f"{base}/logo?v={int(found.modified_at)}" if found.image else None)
            values.setdefault("client_name", auth.client.name)
        values.setdefault("hidden", {})
        body = self.templates.environment.get_template("hosted.html").render(view=view, csrf=csrf, **values)
        response = HTMLResponse(body, status, headers=self._headers(auth, script=bool(values.get("script"))))
        if new_cookie is not None:
            self._set_cookie(response, request, CSRF_COOKIE, new_cookie, None)
        return response

    async def _error_page(self, request: Request, error: ErrorPage) -> Response:
        return await self._page(
            request, None, "error", error.status, title="Something went wrong", intro=error.detail, error=error.error
        )

    def _links(self, auth: AuthRequest, *names: str) -> list[tuple[str, str]]:
        q = auth.query_string
        known = {
            "login": ("Sign in", f"/login?{q}"),
            "signup": ("Sign up", f"/signup?{q}"),
            "forgot": ("Forgot your password?", f"/forgotPassword?{q}"),
            "confirm": ("Confirm an account", f"/confirm?{q}"),
        }
        return [known[n] for n in names]

    # ---- the authorize request -------------------------------------------------------------------------------
    async def _auth_request(self, query: Mapping[str, list[str]]) -> AuthRequest:
        """The checked authorize request (``/oauth2/authorize`` and every page carry its parameters). ``ErrorPage``
        while the client or redirect URI is not verified, ``RedirectError`` after."""
        try:
            params = single_values({k: v for k, v in query.items() if k in AUTHORIZE_KEYS})
        except OAuthError:
            raise ErrorPage("invalid_request", "A parameter was sent twice.") from None
        if any(len(v) > oauth_rules.MAX_PARAMETER for v in params.values()):
            raise ErrorPage("invalid_request", "A parameter is too long.")
        found = await served_client(self.ctx, params.get("client_id"))
        if found is None:
            raise ErrorPage("redirect_mismatch", "This app is not known here.")
        client, pool = found
        settings = client.settings
        redirect_uri = params.get("redirect_uri") or settings.get("DefaultRedirectURI")
        if not redirect_uri or redirect_uri not in (settings.get("CallbackURLs") or ()):
            raise ErrorPage("redirect_mismatch", "The redirect URI is not registered for this app.")
        auth = AuthRequest(client, pool, "", redirect_uri, params.get("state"), [], params.get("nonce"), None, set())
        auth.query = {k: v for k, v in params.items() if k in AUTHORIZE_KEYS}
        auth.query["redirect_uri"] = redirect_uri
        try:
            await self._check_request(auth, params)
        except RedirectError as error:
            error.redirect_uri, error.state = redirect_uri, auth.state
            error.fragment = params.get("response_type") == "token"
            raise
        return auth

    async def _check_request(self, auth: AuthRequest, params: Mapping[str, str]) -> None:
        """The rest of an authorize request, once its client and redirect URI are verified (``RedirectError``)."""
        settings, pool = auth.client.settings, auth.pool
        response_type = params.get("response_type")
        if response_type not in ("code", "token"):
            raise RedirectError("invalid_request" if not response_type else "unsupported_response_type")
        auth.response_type = response_type
        if not oauth_rules.oauth_enabled(settings, "code" if response_type == "code" else "implicit"):
            raise RedirectError("unauthorized_client")
        supported = settings.get("SupportedIdentityProviders") or []
        if not supported:
            raise RedirectError("unauthorized_client")
        auth.provider = await self._provider(auth, params.get("identity_provider"), params.get("idp_identifier"))
        method, challenge = params.get("code_challenge_method"), params.get("code_challenge")
        if method is not None or challenge is not None:
            if method != "S256" or challenge is None or not oauth_rules.PKCE_VALUE.match(challenge):
                raise RedirectError("invalid_request")
            auth.challenge = challenge
        auth.prompt = set((params.get("prompt") or "").split())
        if not auth.prompt <= PROMPTS or ("none" in auth.prompt and len(auth.prompt) > 1):
            raise RedirectError("invalid_request")
        try:
            requested = oauth_rules.parse_scopes(params.get("scope"))
            defined = (
                await oauth_settings.defined_scopes(self.ctx, pool.id)
                if any("/" in s for s in settings.get("AllowedOAuthScopes") or ())
                else set()
            )
            auth.scopes = oauth_rules.granted_scopes(requested, settings.get("AllowedOAuthScopes") or [], defined)
        except ValueError:
            raise RedirectError("invalid_scope") from None
        if not auth.scopes:
            raise RedirectError("invalid_scope")

    async def _provider(self, auth: AuthRequest, name: str | None, identifier: str | None) -> IdentityProvider | None:
        """The identity provider an authorize request names (``identity_provider``, else ``idp_identifier``), one
        the client supports; None for the pool's own users (``COGNITO``, or neither named)."""
        supported = auth.client.settings.get("SupportedIdentityProviders") or []
        if identifier is not None and name is None:
            provider = await self.ctx.store.find_identity_provider_by_identifier(auth.pool.id, identifier)
            if provider is None and "@" in identifier:  # an email address: its domain names the provider, as
                domain = identifier.rpartition("@")[2]  # Cognito's email-domain routing does (unverified here)
                provider = await self.ctx.store.find_identity_provider_by_identifier(auth.pool.id, domain)
        elif name is not None and name != idp_rules.COGNITO:
            provider = await self.ctx.store.get_identity_provider(auth.pool.id, name)
        else:
            if name == idp_rules.COGNITO and name not in supported:
                raise RedirectError("unauthorized_client")
            return None
        if provider is None or provider.name not in supported:
            raise RedirectError("invalid_request", "The identity provider is not supported by this app.")
        return provider

    def _error_redirect(self, auth_redirect: str, state: str | None, error: RedirectError, fragment: bool) -> Response:
        values = {"error": error.error, "error_description": error.description, "state": state}
        return _redirect(_with(auth_redirect, values, fragment))

    async def _checked(self, request: Request) -> AuthRequest | Response:
        """The request's authorize parameters checked, or the answer to give instead (error page or redirect)."""
        try:
            return await self._auth_request(dict(urllib.parse.parse_qs(request.url.query, keep_blank_values=True)))
        except ErrorPage as error:
            return await self._error_page(request, error)
        except RedirectError as error:
            return self._error_redirect(error.redirect_uri, error.state, error, error.fragment)

    # ---- GET /oauth2/authorize ------------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        if request.method == "HEAD":  # a link checker's probe must not sign anyone in
            return Response(status_code=200, headers=self._headers(None))
        checked = await self._checked(request)
        if isinstance(checked, Response):
            return checked
        auth = checked
        if auth.provider is not None:
            return await self.federation.start(request, auth, auth.provider)
        if "login" not in auth.prompt:
            found = await self._web_session(request, auth.pool)
            if found is not None:
                session, user = found
                result = await issuing.issue(
                    self.ctx, page_call(request, "Authorize", {}), auth.pool, auth.client, user,
                    grant=issuing.Grant(tuple(auth.scopes), auth.nonce, session.auth_time),
                )  # fmt: skip
                return await self._complete(request, auth, user, result)
        if "none" in auth.prompt:
            return self._error_redirect(auth.redirect_uri, auth.state, RedirectError("login_required"), False)
        return _redirect(f"/login?{auth.query_string}")

    async def _complete(self, request: Request, auth: AuthRequest, user: User, result: Mapping[str, Any]) -> Response:
        """The sign-in's answer to the app: a code, or (implicit) the tokens in the fragment. ``result`` is a
        sign-in's ``AuthenticationResult`` (its refresh token is the session the code stands for)."""
        now = self.ctx.clock.now()
        scopes = " ".join(auth.scopes)
        if auth.response_type == "token":
            stored = await self.ctx.store.get_refresh_token(issuing.token_hash(result["RefreshToken"]))
            assert stored is not None
            origin = dataclasses.replace(stored, scopes=scopes)
            tokens = await issuing.issue(
                self.ctx, page_call(request, "Authorize", {}), auth.pool, auth.client, user, origin=origin,
                grant=issuing.Grant(tuple(auth.scopes), auth.nonce),
            )  # fmt: skip
            values = {"access_token": tokens["AccessToken"]}
            if "IdToken" in tokens:
                values["id_token"] = tokens["IdToken"]
            values.update(token_type="Bearer", expires_in=str(tokens["ExpiresIn"]), state=auth.state)
            return _redirect(_with(auth.redirect_uri, values, fragment=True))
        code = str(uuid.uuid4())
        refresh_token = result["RefreshToken"]
        await self.ctx.store.add_authorization_code(
            AuthorizationCode(
                code_hash=issuing.token_hash(code),
                pool_id=auth.pool.id,
                client_id=auth.client.id,
                user_id=user.id,
                redirect_uri=auth.redirect_uri,
                scopes=scopes,
                nonce=auth.nonce,
                code_challenge=auth.challenge,
                refresh_token=refresh_token,
                created_at=now,
                expires_at=now + oauth_rules.CODE_SECONDS,
            ),
            issuing.token_hash(refresh_token),
        )
        return _redirect(_with(auth.redirect_uri, {"code": code, "state": auth.state}))

    def _handler(self, act: Any, show: Any = None) -> Any:
        """A page's route: its authorize parameters checked, then ``show`` (GET) or the CSRF-checked form to
        ``act`` (POST)."""

        async def handle(request: Request) -> Response:
            checked = await self._checked(request)
            if isinstance(checked, Response):
                return checked
            if request.method == "GET" and show is not None:
                return await show(request, checked)
            form = await self._form(request)
            if isinstance(form, Response):
                return form
            return await act(request, checked, form)

        return handle

    async def _show_confirm(self, request: Request, auth: AuthRequest) -> Response:
        return await self._confirm_page(request, auth, request.query_params.get("username", "")[:MAX_FIELD])

    async def _show_signup(self, request: Request, auth: AuthRequest) -> Response:
        return await self._signup_page(request, auth, {})

    # ---- sign-in: the ONE adapter to the API's sign-in flow ---------------------------------------------------
    async def sign_in(self, request: Request, auth: AuthRequest, username: str, password: str) -> dict[str, Any]:
        """ADMIN_USER_PASSWORD_AUTH through the API's own flow (``operations.auth``), for the client of the
        request whatever its ExplicitAuthFlows (the hosted UI is not governed by them), with its SecretHash made
        here. Answers the API's answer: ``AuthenticationResult`` or a challenge; raises the API's errors."""
        return await self._start(request, auth, ADMIN_PASSWORD, {"USERNAME": username, "PASSWORD": password})

    async def sign_in_with_passkey(self, request: Request, auth: AuthRequest, username: str) -> dict[str, Any]:
        """USER_AUTH preferring WEB_AUTHN through the same flow: the passkey challenge for a user who has one."""
        return await self._start(request, auth, USER_AUTH, {"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})

    async def _start(
        self, request: Request, auth: AuthRequest, flow: str, parameters: dict[str, str]
    ) -> dict[str, Any]:
        client = auth.client
        if client.secret is not None:
            parameters["SECRET_HASH"] = secret_hash.compute(client.secret, parameters["USERNAME"], client.id)
        call = page_call(
            request,
            "InitiateAuth",
            {"ClientId": client.id, "AuthFlow": flow, "AuthParameters": parameters},
        )
        await throttle.admit(self.ctx, call)
        flows = [*(client.settings.get("ExplicitAuthFlows") or []), "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH"]
        hosted = dataclasses.replace(client, settings={**client.settings, "ExplicitAuthFlows": flows})
        return await strategies.start(SignIn(self.ctx, call, auth.pool, hosted, admin=True), flow, parameters)

    async def answer_challenge(
        self, request: Request, auth: AuthRequest, name: str, username: str, session: str, responses: dict[str, str]
    ) -> dict[str, Any]:
        """RespondToAuthChallenge ``name`` through the API's own operation (the flow engine's ``answer``), with
        the client's SecretHash made here."""
        client = auth.client
        responses = {"USERNAME": username, **responses}
        if client.secret is not None:
            responses["SECRET_HASH"] = secret_hash.compute(client.secret, username, client.id)
        params = {"ClientId": client.id, "ChallengeName": name, "Session": session, "ChallengeResponses": responses}
        call = page_call(request, "RespondToAuthChallenge", params)
        await throttle.admit(self.ctx, call)
        return await auth_operations.respond_to_auth_challenge(self.ctx, call)

    async def answer_new_password(
        self,
        request: Request,
        auth: AuthRequest,
        username: str,
        session: str,
        password: str,
        attributes: dict[str, str],
    ) -> dict[str, Any]:
        """RespondToAuthChallenge NEW_PASSWORD_REQUIRED through the API's own operation."""
        responses = {"NEW_PASSWORD": password, **{f"userAttributes.{k}": v for k, v in attributes.items()}}
        return await self.answer_challenge(request, auth, NEW_PASSWORD_REQUIRED, username, session, responses)

    async def _authenticator(self, request: Request, name: str, params: dict[str, str]) -> dict[str, Any]:
        """AssociateSoftwareToken or VerifySoftwareToken with an MFA_SETUP ``Session``: the API's own code."""
        call = page_call(request, name, params)
        await throttle.admit(self.ctx, call)
        operation = {
            "AssociateSoftwareToken": mfa_operations.associate_software_token,
            "VerifySoftwareToken": mfa_operations.verify_software_token,
        }[name]
        return await operation(self.ctx, call)

    # ---- the pages ---------------------------------------------------------------------------------------------
    async def _form(self, request: Request) -> dict[str, str] | Response:
        """The posted form, CSRF-checked; an error page (nothing done) otherwise."""
        try:
            form = await read_form(request)
        except OAuthError:
            return await self._error_page(request, ErrorPage("invalid_request", "The form could not be read."))
        if not self._csrf_valid(request, form):
            return await self._error_page(
                request,
                ErrorPage("invalid_csrf", "This form has expired. Go back, reload the page and try again.", 403),
            )
        longest = {"credential": MAX_CREDENTIAL}
        if any(len(v) > longest.get(k, MAX_FIELD) for k, v in form.items() if k not in ("_csrf", "session")):
            return await self._error_page(request, ErrorPage("invalid_request", "A field is too long."))
        return form

    async def _run(self, request: Request, auth: AuthRequest, operation: Any, name: str, params: dict[str, Any]) -> Any:
        """An API operation of the client, as the JSON API runs it (its rate limits, then the operation)."""
        client = auth.client
        if client.secret is not None and "Username" in params:
            params["SecretHash"] = secret_hash.compute(client.secret, params["Username"], client.id)
        call = page_call(request, name, {"ClientId": client.id, **params})
        await throttle.admit(self.ctx, call)
        return await operation(self.ctx, call)

    def _note(self, request: Request) -> str | None:
        return {
            "confirmed": "Your account is confirmed. You can sign in now.",
            "reset": "Your password has been changed. You can sign in with it now.",
        }.get(request.query_params.get("note", ""))

    async def _login_page(
        self, request: Request, auth: AuthRequest, error: str | None = None, username: str = "", status: int = 200
    ) -> Response:
        login_hint = auth.query.get("login_hint", "")
        native = oauth_rules.hosted_ui_enabled(auth.client.settings)
        fields = [Field("username", "Username", value=username or login_hint, autocomplete="username"),
                  Field("password", "Password", "password", autocomplete="current-password")]  # fmt: skip
        return await self._page(
            request, auth, "login", status, title="Sign in", error=error, note=self._note(request),
            action=f"/login?{auth.query_string}", submit="Sign in", fields=fields if native else [],
            links=self._links(auth, "forgot", "signup") if native else [], providers=provider_links(auth),
            alternate="Sign in with a passkey" if native and webauthn_rules.enabled(auth.pool.settings) else None,
        )  # fmt: skip

    async def login(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username, password = form.get("username", "").strip(), form.get("password", "")
        if not oauth_rules.hosted_ui_enabled(auth.client.settings):
            return await self._login_page(request, auth, "Sign in with one of the providers below.", status=400)
        if form.get("passkey") and webauthn_rules.enabled(auth.pool.settings):
            return await self._passkey_sign_in(request, auth, username)
        if not username or not password:
            return await self._login_page(request, auth, "Enter your username and password.", username, 400)
        try:
            result = await self.sign_in(request, auth, username, password)
        except UserNotConfirmedException:
            return await self._confirm_page(request, auth, username, note="Confirm your account with the code we sent.")
        except ServiceError as error:
            return await self._login_page(request, auth, error.message, username, 400)
        return await self._after_sign_in(request, auth, username, result)

    async def _passkey_sign_in(self, request: Request, auth: AuthRequest, username: str) -> Response:
        """The login form's passkey button: the passkey step's page, for a user who has a passkey."""
        if not username:
            return await self._login_page(request, auth, "Enter your username.", username, 400)
        try:
            result = await self.sign_in_with_passkey(request, auth, username)
        except ServiceError as error:
            return await self._login_page(request, auth, error.message, username, 400)
        if result.get("ChallengeName") != webauthn_rules.FACTOR:
            return await self._login_page(request, auth, "This account has no passkey.", username, 400)
        return await self._after_sign_in(request, auth, username, result)

    async def _after_sign_in(
        self, request: Request, auth: AuthRequest, username: str, result: dict[str, Any]
    ) -> Response:
        """The flow's answer: tokens (a session cookie, then the code or tokens for the app), the new-password step,
        an MFA step's page, or a challenge this UI does not offer."""
        if "AuthenticationResult" in result:
            tokens = result["AuthenticationResult"]
            stored = await self.ctx.store.get_refresh_token(issuing.token_hash(tokens["RefreshToken"]))
            user = await self.ctx.store.get_user(stored.user_id) if stored is not None else None
            if stored is None or user is None:
                return await self._login_page(request, auth, "The sign-in could not be completed.", username, 400)
            response = await self._complete(request, auth, user, tokens)
            await self._start_web_session(response, request, auth.pool, user, stored.auth_time)
            return self._end_pending(response, request)
        name = result.get("ChallengeName")
        if name == NEW_PASSWORD_REQUIRED:
            return await self._new_password_page(request, auth, username, result)
        parameters = result.get("ChallengeParameters") or {}
        pending = Pending(auth.client.id, parameters.get("USER_ID_FOR_SRP") or username, name or "", "")
        pending = dataclasses.replace(pending, session=result.get("Session") or "")
        if name in mfa_rules.CODE_RESPONSES:
            shown = parameters.get("CODE_DELIVERY_DESTINATION", "")
            return await self._challenge_page(request, auth, dataclasses.replace(pending, shown=shown))
        if name == mfa_rules.SELECT:
            shown = " ".join(json.loads(parameters.get("MFAS_CAN_CHOOSE") or "[]"))
            return await self._challenge_page(request, auth, dataclasses.replace(pending, shown=shown))
        if name == webauthn_rules.FACTOR:
            shown = parameters.get("CREDENTIAL_REQUEST_OPTIONS", "")
            pending = dataclasses.replace(pending, username=parameters.get("USERNAME") or username, shown=shown)
            return await self._challenge_page(request, auth, pending)
        if name == mfa_rules.SETUP and mfa_rules.TOTP in json.loads(parameters.get("MFAS_CAN_SETUP") or "[]"):
            try:
                answer = await self._authenticator(request, "AssociateSoftwareToken", {"Session": pending.session})
            except ServiceError as error:
                return self._end_pending(await self._login_page(request, auth, error.message, username, 400), request)
            pending = dataclasses.replace(pending, session=answer["Session"])
            return await self._challenge_page(request, auth, pending, secret=answer["SecretCode"])
        return await self._login_page(
            request, auth, f"This account needs a sign-in step ({result.get('ChallengeName')}) this page does not "
            "offer yet.", username, 400,
        )  # fmt: skip

    # ---- the MFA steps -----------------------------------------------------------------------------------------
    async def _challenge_page(
        self, request: Request, auth: AuthRequest, pending: Pending, error: str | None = None, secret: str = ""
    ) -> Response:
        """The page of the challenge ``pending`` waits on (its cookie set): a code, a choice, or an authenticator
        to register."""
        values: dict[str, Any] = {"error": error, "links": self._links(auth, "login")}
        name, q = pending.challenge, auth.query_string
        if name == mfa_rules.SELECT:
            labels = {
                mfa_rules.SMS: "Text message (SMS)",
                mfa_rules.TOTP: "Authenticator app",
                mfa_rules.EMAIL: "Email",
                "EMAIL_MFA": "Email",
            }
            values.update(
                view="select-mfa", title="Choose how to get your code", action=f"/selectMfa?{q}", submit="Continue",
                intro="Your account has more than one way to prove it is you. Choose one.",
                choices=[(o, labels.get(o, o)) for o in pending.shown.split()],
            )  # fmt: skip
        elif name == webauthn_rules.FACTOR:
            values.update(
                view="passkey", title="Sign in with your passkey", action=f"/passkey?{q}", submit="Use my passkey",
                intro="Your browser will ask for the passkey you saved for this account.",
                passkey_options=pending.shown, hidden={"credential": ""}, script="/hosted-ui/passkey.js",
            )  # fmt: skip
        elif name == mfa_rules.SETUP:
            secret = secret or await self._pending_secret(pending)
            label = f"{auth.pool.name}:{pending.username}"
            uri = f"otpauth://totp/{urllib.parse.quote(label)}?" + urllib.parse.urlencode(
                {"secret": secret, "issuer": auth.pool.name}, quote_via=urllib.parse.quote
            )
            values.update(
                view="mfa-setup", title="Set up your authenticator app", action=f"/mfaSetup?{q}", submit="Verify",
                intro="Your account needs an authenticator app. Add this key to it (or the otpauth link, in an app "
                "that takes one), then enter the code it shows.",
                secret=secret, otpauth=uri,
                fields=[Field("code", "Code from your authenticator app", autocomplete="one-time-code")],
            )  # fmt: skip
        else:
            where = "your authenticator app" if name == mfa_rules.TOTP else pending.shown or "you"
            label = f"Enter the code from {where}" if name == mfa_rules.TOTP else f"Enter the code we sent to {where}"
            values.update(
                view="mfa-code", title="Enter your code", action=f"/mfa?{q}", submit="Sign in",
                fields=[Field("code", label, autocomplete="one-time-code")],
            )  # fmt: skip
        response = await self._page(request, auth, status=400 if error else 200, **values)
        self._set_pending(response, request, pending)
        return response

    async def _pending_secret(self, pending: Pending) -> str:
        """The authenticator secret AssociateSoftwareToken gave the setup session's user (shown again after a
        wrong code)."""
        session = await self.ctx.store.get_session(issuing.token_hash(pending.session))
        settings = await self.ctx.store.get_mfa_settings(session.user_id) if session and session.user_id else None
        return (settings.totp_pending_secret if settings is not None else None) or ""

    async def _answer_pending(
        self, request: Request, auth: AuthRequest, challenge: tuple[str, ...], step: Any
    ) -> Response:
        """A form answering the pending challenge: ``step(pending)`` runs it through the API's code and answers
        the flow's next answer. No pending challenge of the kind, or a refused session: back to the login form with
        Cognito's text; any other refusal: the same page with it."""
        pending = self._pending(request, auth)
        if pending is None or pending.challenge not in challenge:
            return self._end_pending(await self._login_page(request, auth, texts.INVALID_SESSION, status=400), request)
        try:
            result = await step(pending)
        except NotAuthorizedException as error:
            page = await self._login_page(request, auth, error.message, pending.username, 400)
            return self._end_pending(page, request)
        except ServiceError as error:
            return await self._challenge_page(request, auth, pending, error.message)
        if isinstance(result, Response):
            return result
        return await self._after_sign_in(request, auth, pending.username, result)

    async def mfa_code(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        code = form.get("code", "").strip()

        async def step(pending: Pending) -> Any:
            if not code:
                return await self._challenge_page(request, auth, pending, "Enter the code.")
            responses = {mfa_rules.CODE_RESPONSES[pending.challenge][0]: code}
            return await self.answer_challenge(
                request, auth, pending.challenge, pending.username, pending.session, responses
            )

        return await self._answer_pending(request, auth, tuple(mfa_rules.CODE_RESPONSES), step)

    async def select_mfa(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        chosen = form.get("mfa", "")

        async def step(pending: Pending) -> Any:
            if chosen not in pending.shown.split():
                return await self._challenge_page(request, auth, pending, "Choose how to get your code.")
            return await self.answer_challenge(
                request, auth, mfa_rules.SELECT, pending.username, pending.session, {"ANSWER": chosen}
            )

        return await self._answer_pending(request, auth, (mfa_rules.SELECT,), step)

    async def passkey(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        """The passkey step's form: the browser's assertion (``credential``, put there by ``passkey.js``) answers
        WEB_AUTHN."""
        credential = form.get("credential", "")

        async def step(pending: Pending) -> Any:
            if not credential:
                return await self._challenge_page(request, auth, pending, "Your browser gave no passkey. Try again.")
            return await self.answer_challenge(
                request, auth, webauthn_rules.FACTOR, pending.username, pending.session, {"CREDENTIAL": credential}
            )

        return await self._answer_pending(request, auth, (webauthn_rules.FACTOR,), step)

    async def passkey_script(self, request: Request) -> Response:
        return Response(
            PASSKEY_SCRIPT,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
        )

    async def mfa_setup(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        """The authenticator's first code: VerifySoftwareToken with the setup session, then MFA_SETUP answered with
        the session it gives."""
        code = form.get("code", "").strip()

        async def step(pending: Pending) -> Any:
            if not code:
                return await self._challenge_page(request, auth, pending, "Enter the code from your app.")
            verified = await self._authenticator(
                request, "VerifySoftwareToken", {"Session": pending.session, "UserCode": code}
            )
            session = verified["Session"]
            return await self.answer_challenge(request, auth, mfa_rules.SETUP, pending.username, session, {})

        return await self._answer_pending(request, auth, (mfa_rules.SETUP,), step)

    async def _new_password_page(
        self, request: Request, auth: AuthRequest, username: str, challenge: dict[str, Any], error: str | None = None
    ) -> Response:
        required = json.loads(challenge.get("ChallengeParameters", {}).get("requiredAttributes") or "[]")
        names = [n.removeprefix("userAttributes.") for n in required]
        return await self._page(
            request, auth, "new-password", 400 if error else 200, title="Change your password", error=error,
            intro="Your administrator gave you a temporary password. Choose your own to continue.",
            action=f"/newPassword?{auth.query_string}", submit="Change password",
            hidden={"session": challenge.get("Session", ""), "username": username,
                    "required": " ".join(names)},
            fields=[Field("password", "New password", "password", autocomplete="new-password"),
                    *(Field(f"attr_{n}", n.replace("_", " ").capitalize()) for n in names)],
        )  # fmt: skip

    async def new_password(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username, session = form.get("username", ""), form.get("session", "")
        names = form.get("required", "").split()
        attributes = {n: form.get(f"attr_{n}", "") for n in names if form.get(f"attr_{n}")}
        challenge = {
            "Session": session,
            "ChallengeParameters": {"requiredAttributes": _json_list([f"userAttributes.{n}" for n in names])},
        }
        if not username or not session or not form.get("password"):
            return await self._new_password_page(request, auth, username, challenge, "Enter a new password.")
        try:
            result = await self.answer_new_password(request, auth, username, session, form["password"], attributes)
        except ServiceError as error:
            if "session" in error.message.lower():
                return await self._login_page(request, auth, error.message, username, 400)
            return await self._new_password_page(request, auth, username, challenge, error.message)
        return await self._after_sign_in(request, auth, username, result)

    # ---- sign-up, confirmation, resend ------------------------------------------------------------------------
    def _signup_fields(self, pool: Pool, form: Mapping[str, str]) -> list[Field]:
        kinds = pool.settings.get("UsernameAttributes") or []
        fields = []
        if "email" in kinds:
            fields.append(Field("username", "Email", "email", form.get("username", ""), "email"))
        elif "phone_number" in kinds:
            fields.append(Field("username", "Phone number", "tel", form.get("username", ""), "tel"))
        else:
            fields.append(Field("username", "Username", value=form.get("username", ""), autocomplete="username"))
        required = attribute_rules.missing_required(pool.settings["SchemaAttributes"], {})
        wanted = [
            n
            for n in ("email", "phone_number")
            if n not in kinds and (n in required or n in (pool.settings.get("AutoVerifiedAttributes") or ()))
        ]
        wanted += [n for n in required if n not in wanted and n not in kinds]
        for name in wanted:
            kind = {"email": "email", "phone_number": "tel"}.get(name, "text")
            fields.append(
                Field(
                    f"attr_{name}",
                    name.replace("_", " ").capitalize(),
                    kind,
                    form.get(f"attr_{name}", ""),
                    kind if kind != "text" else "off",
                )
            )
        fields.append(Field("password", "Password", "password", autocomplete="new-password"))
        return fields

    async def _signup_page(
        self, request: Request, auth: AuthRequest, form: Mapping[str, str], error: str | None = None
    ) -> Response:
        policy = pool_rules.password_policy(auth.pool.settings)
        intro = f"Passwords need at least {policy.get('MinimumLength', 8)} characters."
        return await self._page(
            request, auth, "signup", 400 if error else 200, title="Sign up", error=error, intro=intro,
            action=f"/signup?{auth.query_string}", submit="Sign up", fields=self._signup_fields(auth.pool, form),
            links=self._links(auth, "login", "confirm"),
        )  # fmt: skip

    async def sign_up(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username = form.get("username", "").strip()
        if not username or not form.get("password"):
            return await self._signup_page(request, auth, form, "Enter a username and a password.")
        kinds = auth.pool.settings.get("UsernameAttributes") or []
        attributes = {
            k.removeprefix("attr_"): v.strip() for k, v in form.items() if k.startswith("attr_") and v.strip()
        }
        for kind in kinds:
            if ("@" in username) == (kind == "email"):
                attributes.setdefault(kind, username)
        params = {
            "Username": username,
            "Password": form["password"],
            "UserAttributes": [{"Name": k, "Value": v} for k, v in attributes.items()],
        }
        try:
            answer = await self._run(request, auth, signup.sign_up, "SignUp", params)
        except ServiceError as error:
            return await self._signup_page(request, auth, form, error.message)
        if answer.get("UserConfirmed"):
            return _redirect(f"/login?{auth.query_string}&note=confirmed")
        destination = (answer.get("CodeDeliveryDetails") or {}).get("Destination")
        note = f"We sent a code to {destination}." if destination else "We sent you a code."
        return await self._confirm_page(request, auth, username, note=note)

    async def _confirm_page(
        self, request: Request, auth: AuthRequest, username: str = "", error: str | None = None, note: str | None = None
    ) -> Response:
        return await self._page(
            request, auth, "confirm", 400 if error else 200, title="Confirm your account", error=error, note=note,
            action=f"/confirm?{auth.query_string}", submit="Confirm account",
            fields=[Field("username", "Username", value=username, autocomplete="username"),
                    Field("code", "Verification code", autocomplete="one-time-code")],
            extra_form={"action": f"/resendcode?{auth.query_string}", "label": "Send a new code",
                        "hidden": {"username": username}},
            links=self._links(auth, "login"),
        )  # fmt: skip

    async def confirm(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username, code = form.get("username", "").strip(), form.get("code", "").strip()
        if not username or not code:
            return await self._confirm_page(request, auth, username, "Enter your username and the code.")
        params = {"Username": username, "ConfirmationCode": code}
        try:
            await self._run(request, auth, signup.confirm_sign_up, "ConfirmSignUp", params)
        except ServiceError as error:
            return await self._confirm_page(request, auth, username, error.message)
        return _redirect(f"/login?{auth.query_string}&note=confirmed")

    async def resend(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username = form.get("username", "").strip()
        if not username:
            return await self._confirm_page(request, auth, "", "Enter your username to get a new code.")
        try:
            await self._run(
                request, auth, signup.resend_confirmation_code, "ResendConfirmationCode", {"Username": username}
            )
        except ServiceError as error:
            return await self._confirm_page(request, auth, username, error.message)
        return await self._confirm_page(request, auth, username, note="We sent you a new code.")

    # ---- forgotten password ------------------------------------------------------------------------------------
    async def _forgot_page(
        self, request: Request, auth: AuthRequest, username: str = "", error: str | None = None
    ) -> Response:
        return await self._page(
            request, auth, "forgot", 400 if error else 200, title="Forgot your password?", error=error,
            intro="Enter your username and we will send you a code to reset your password.",
            action=f"/forgotPassword?{auth.query_string}", submit="Reset my password",
            fields=[Field("username", "Username", value=username, autocomplete="username")],
            links=self._links(auth, "login"),
        )  # fmt: skip

    async def _reset_page(
        self, request: Request, auth: AuthRequest, username: str, error: str | None = None, note: str | None = None
    ) -> Response:
        return await self._page(
            request, auth, "reset", 400 if error else 200, title="Reset your password", error=error, note=note,
            action=f"/confirmForgotPassword?{auth.query_string}", submit="Change password",
            hidden={"username": username},
            fields=[Field("code", "Code", autocomplete="one-time-code"),
                    Field("password", "New password", "password", autocomplete="new-password")],
            links=self._links(auth, "login"),
        )  # fmt: skip

    async def forgot_password(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username = form.get("username", "").strip()
        if not username:
            return await self._forgot_page(request, auth, "", "Enter your username.")
        try:
            answer = await self._run(request, auth, recovery.forgot_password, "ForgotPassword", {"Username": username})
        except ServiceError as error:
            return await self._forgot_page(request, auth, username, error.message)
        destination = (answer.get("CodeDeliveryDetails") or {}).get("Destination")
        return await self._reset_page(
            request, auth, username, note=f"We sent a code to {destination}." if destination else None
        )

    async def confirm_forgot_password(self, request: Request, auth: AuthRequest, form: dict[str, str]) -> Response:
        username, code, password = form.get("username", ""), form.get("code", "").strip(), form.get("password", "")
        if not username or not code or not password:
            return await self._reset_page(request, auth, username, "Enter the code and a new password.")
        params = {"Username": username, "ConfirmationCode": code, "Password": password}
        try:
            await self._run(request, auth, recovery.confirm_forgot_password, "ConfirmForgotPassword", params)
        except ServiceError as error:
            return await self._reset_page(request, auth, username, error.message)
        return _redirect(f"/login?{auth.query_string}&note=reset")

    # ---- GET /logout, GET /error, customization ----------------------------------------------------------------
    async def logout(self, request: Request) -> Response:
        """``logout_uri`` (a registered sign-out URL) wins over ``redirect_uri`` (a callback URL: back to the sign-in
        page with the authorize parameters); either way the session ends, in the store and in the browser."""
        if request.method == "HEAD":  # a link checker's probe must not sign anyone out
            return Response(status_code=200, headers=self._headers(None))
        query = request.query_params
        if any(len(v) > oauth_rules.MAX_PARAMETER for v in query.values()):
            return await self._error_page(request, ErrorPage("invalid_request", "A parameter is too long."))
        found = await served_client(self.ctx, query.get("client_id"))
        if found is None:
            detail = (
                "Required String parameter 'client_id' is not present"
                if not query.get("client_id")
                else "This app is not known here."
            )
            return await self._error_page(request, ErrorPage("invalid_request", detail))
        client, _ = found
        logout_uri, redirect_uri = query.get("logout_uri"), query.get("redirect_uri")
        if logout_uri is not None:
            if logout_uri not in (client.settings.get("LogoutURLs") or ()):
                return await self._error_page(
                    request, ErrorPage("redirect_mismatch", "The sign-out URL is not registered for this app.")
                )
            target = logout_uri
        elif redirect_uri is not None:
            if redirect_uri not in (client.settings.get("CallbackURLs") or ()) or not query.get("response_type"):
                return await self._error_page(
                    request, ErrorPage("redirect_mismatch", "The redirect URI is not registered for this app.")
                )
            keys = ("client_id", "response_type", "redirect_uri", "scope", "state", "nonce")
            target = "/login?" + urllib.parse.urlencode({k: query[k] for k in keys if k in query})
        else:
            return await self._error_page(
                request, ErrorPage("invalid_request", "logout_uri or redirect_uri is required.")
            )
        cookie = request.cookies.get(SESSION_COOKIE, "")
        token, _, signature = cookie.partition(".")
        if token and hmac.compare_digest(self._sign("session:" + token), signature):
            await self.ctx.store.revoke_web_session(issuing.token_hash(token), self.ctx.clock.now())
        response = _redirect(target)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=self._secure(request))
        return response

    async def error(self, request: Request) -> Response:
        error = request.query_params.get("error", "invalid_request")[:64]
        detail = {"redirect_mismatch": "The app's sign-in link is not valid: its redirect URI is not registered."}
        return await self._error_page(request, ErrorPage(error, detail.get(error, "The request is not valid.")))

    async def _customization(self, request: Request) -> Any:
        pool_id, client_id = request.path_params["pool_id"], request.path_params["client_id"]
        if len(pool_id) > 55 or len(client_id) > 128:
            return None
        found = await self.ctx.store.find_ui_customization(pool_id, client_id)
        return found if found is not None and found.client_id == client_id else None

    async def logo(self, request: Request) -> Response:
        found = await self._customization(request)
        if found is None or found.image is None:
            return Response(status_code=404)
        kind = oauth_operations.image_type(found.image) or "png"
        return Response(
            found.image,
            media_type=f"image/{kind}",
            headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
        )

    async def stylesheet(self, request: Request) -> Response:
        found = await self._customization(request)
        if found is None or found.css is None:
            return Response(status_code=404)
        return Response(
            found.css,
            media_type="text/css",
            headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
        )


def _json_list(values: list[str]) -> str:
    return json.dumps(values)


def routes(ctx: Context, templates: Templates) -> list[Route]:
    ui = HostedUI(ctx, templates)
    return [
        Route("/oauth2/authorize", ui.authorize, methods=["GET"]),
        Route(RESPONSE_PATH, ui.federation.idp_response, methods=["GET"]),
        Route("/login", ui._handler(ui.login, ui._login_page), methods=["GET", "POST"]),
        Route("/newPassword", ui._handler(ui.new_password), methods=["POST"]),
        Route("/mfa", ui._handler(ui.mfa_code), methods=["POST"]),
        Route("/selectMfa", ui._handler(ui.select_mfa), methods=["POST"]),
        Route("/mfaSetup", ui._handler(ui.mfa_setup), methods=["POST"]),
        Route("/passkey", ui._handler(ui.passkey), methods=["POST"]),
        Route("/hosted-ui/passkey.js", ui.passkey_script, methods=["GET"]),
        Route("/signup", ui._handler(ui.sign_up, ui._show_signup), methods=["GET", "POST"]),
        Route("/confirm", ui._handler(ui.confirm, ui._show_confirm), methods=["GET", "POST"]),
        Route("/resendcode", ui._handler(ui.resend), methods=["POST"]),
        Route("/forgotPassword", ui._handler(ui.forgot_password, ui._forgot_page), methods=["GET", "POST"]),
        Route("/confirmForgotPassword", ui._handler(ui.confirm_forgot_password), methods=["POST"]),
        Route("/logout", ui.logout, methods=["GET"]),
        Route("/error", ui.error, methods=["GET"]),
        Route("/hosted-ui/{pool_id}/{client_id}/logo", ui.logo, methods=["GET"]),
        Route("/hosted-ui/{pool_id}/{client_id}/style.css", ui.stylesheet, methods=["GET"]),
    ]
