"""The admin console (``/_userpool/console``): pools, app clients, groups, users and their messages, the actions an
admin takes on a user, and the latest requests of this process.

One rule, two doors: every page reads and every action writes through the API's own operations (``invoke``: the
wire layer's ``Endpoint.invoke``, which validates the input against the model, applies the rate limits, runs the
operation and filters its answer to the output shape), so a refusal is the API's error, shown on the form with its
type and message. The console keeps no rule of its own.

Access (``ConsoleAccess``): served on a loopback address (to requests naming a loopback host, so a rebound DNS name
reaches nothing), or anywhere once a credential is configured (``console_password`` and/or the access keys), which
then signs a person in. The session is a row in the store (``console_sessions``, by the SHA-256 of a random token)
and a signed, HttpOnly, SameSite=Strict cookie carrying the token, that expires, under a key derived from the
credential used (changing the password or removing the key revokes every cookie made with it); each request reads the
row, and signing out deletes it, so a copied cookie is refused at once on every process; every form
carries a CSRF token (``web.forms``); the pages may not be framed. Every action is logged with who took it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from userpool.context import Call, Context
from userpool.domain import secret_hash
from userpool.domain.records import ConsoleSession
from userpool.errors import ServiceError
from userpool.observability import RequestRecord
from userpool.operations.shared import issuing
from userpool.web.console_views import (
    ACTIONS,
    DONE,
    Action,
    client_view,
    pool_view,
    search_filter,
    sign_in_view,
    user_view,
    when,
)
from userpool.web.forms import CSRF_COOKIE, SignedForms, page_key
from userpool.web.oauth import OAuthError, page_call, read_form
from userpool.web.render import Templates

log = logging.getLogger("userpool.console")
PREFIX = "/_userpool/console"
SESSION_COOKIE = "userpool-console"
SESSION_SECONDS = 12 * 3600
PASSWORD = "console-password"  # who signed in with the console password (an access key signs in as its id)
PAGE_SIZE = 50  # users per page (ListUsers allows 60)
LIST_LIMIT = 60  # pools, clients and groups shown (the API's largest page)
ACTIVITY_LIMIT = 200
MESSAGES_SHOWN = 10
MAX_FIELD = 2048
SIGN_INS_PER_HOUR = 20  # sign-in attempts per address per hour, counted in the store (every process shares them)
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
TOO_MANY_SIGN_INS = "Too many sign-in attempts from this address. Try again in an hour."
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


class Invoke(Protocol):
    """Runs an operation as the API does (``protocol.wire.Endpoint.invoke``)."""

    def __call__(self, call: Call, observe: bool = True) -> Awaitable[dict[str, Any]]: ...


class Refused(Exception):
    """A request the console will not serve: the page says why."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(title)
        self.status, self.title, self.detail = status, title, detail


class ConsoleAccess(SignedForms):
    """Who a request comes from: "local" on an open loopback console, else the credential its cookie was signed
    in with."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.key = page_key(ctx, b"userpool console")
        settings = ctx.settings
        self.credentials: dict[str, str] = {k: v.get_secret_value() for k, v in settings.access_keys.items()}
        if settings.console_password is not None:
            self.credentials[PASSWORD] = settings.console_password.get_secret_value()
        self.open = not settings.console_sign_in
        self.hosts = LOOPBACK_NAMES | {settings.host}

    def _session_key(self, who: str) -> bytes | None:
        secret = self.credentials.get(who)
        if secret is None:
            return None
        fingerprint = hashlib.sha256(secret.encode()).hexdigest()
        return hmac.new(self.key, f"session:{who}:{fingerprint}".encode(), hashlib.sha256).digest()

    def _session_signature(self, key: bytes, value: str) -> str:
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    def _cookie_session(self, request: Request) -> tuple[str, str] | None:
        """Who the session cookie names and its token's hash, when the cookie is signed under that credential's key
        and unexpired (not yet checked against the store)."""
        value, _, signature = request.cookies.get(SESSION_COOKIE, "").rpartition(".")
        parts = value.split(".")
        if len(parts) != 3:
            return None
        encoded, expires, token = parts
        try:
            who = base64.urlsafe_b64decode(encoded.encode()).decode()
            alive = float(expires) > self.ctx.clock.now()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        key = self._session_key(who)
        if (
            key is None
            or not alive
            or not token
            or not hmac.compare_digest(self._session_signature(key, value), signature)
        ):
            return None
        return who, issuing.token_hash(token)

    async def who(self, request: Request) -> str | None:
        """The person a request comes from, or None (sign in first): on a console with sign-in, the cookie's
        session must be in the store (one point read), unexpired and of the same person."""
        if self.open:
            if request.url.hostname not in self.hosts:
                raise Refused(403, "Not served here", "The console answers only requests to a loopback address.")
            return "local"
        found = self._cookie_session(request)
        if found is None:
            return None
        who, id_hash = found
        session = await self.ctx.store.get_console_session(id_hash)
        if session is None or session.who != who or session.expires_at <= self.ctx.clock.now():
            return None
        return who

    def signed_in(self, form: Mapping[str, str]) -> str | None:
        """Who the login form's credential is, when it is right (compared in constant time)."""
        key_id = form.get("access_key_id", "").strip()
        sent = form.get("secret_access_key", "") if key_id else form.get("password", "")
        who = key_id if key_id else PASSWORD
        expected = self.credentials.get(who) if who != PASSWORD or not key_id else None
        if not sent or expected is None:
            hmac.compare_digest(sent.encode(), sent.encode())  # the same work either way
            return None
        return who if hmac.compare_digest(expected.encode(), sent.encode()) else None

    async def start_session(self, response: Response, request: Request, who: str) -> None:
        """A new session in the store (by its token's hash) and its cookie: who, when it expires and the token,
        signed under the credential's key."""
        key = self._session_key(who)
        assert key is not None  # ``signed_in`` found the credential
        token = secrets.token_urlsafe(32)
        now = self.ctx.clock.now()
        expires = int(now + SESSION_SECONDS)
        await self.ctx.store.add_console_session(ConsoleSession(issuing.token_hash(token), who, now, expires))
        encoded = base64.urlsafe_b64encode(who.encode()).decode()
        value = f"{encoded}.{expires}.{token}"
        cookie = f"{value}.{self._session_signature(key, value)}"
        self._set_cookie(response, request, SESSION_COOKIE, cookie, SESSION_SECONDS, samesite="strict")

    async def end_session(self, response: Response, request: Request) -> None:
        """Delete the cookie's session from the store (a copy of the cookie is refused from now on, by every
        process) and the cookie from the browser."""
        found = self._cookie_session(request)
        if found is not None:
            await self.ctx.store.delete_console_session(found[1])
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=self._secure(request))


def _record(record: RequestRecord) -> dict[str, Any]:
    return {
        "time": when(record.at),
        "clock": datetime.fromtimestamp(record.at, UTC).strftime("%H:%M:%S"),
        "at": record.at,
        "door": record.door,
        "operation": record.operation,
        "poolId": record.pool_id,
        "username": record.username,
        "outcome": record.outcome,
        "message": record.message,
        "milliseconds": round(record.milliseconds, 1),
    }


def _url(path: str, **query: str | None) -> str:
    values = {k: v for k, v in query.items() if v}
    return f"{PREFIX}{path}" + (f"?{urllib.parse.urlencode(values)}" if values else "")


class Console:
    def __init__(self, ctx: Context, templates: Templates, invoke: Invoke) -> None:
        self.ctx = ctx
        self.templates = templates
        self.invoke = invoke
        self.access = ConsoleAccess(ctx)

    # ---- plumbing --------------------------------------------------------------------------------------------
    async def _read(self, request: Request, operation: str, **params: Any) -> dict[str, Any]:
        """What a read-only operation answers (not shown in the activity view: the console's own page views)."""
        return await self.invoke(page_call(request, operation, params), observe=False)

    def _page(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        csrf, new_cookie = self.access._csrf(request)
        body = self.templates.environment.get_template(f"console/{template}").render(
            csrf=csrf,
            prefix=PREFIX,
            sign_in=not self.access.open,
            inbox=self.ctx.settings.outbox_exposed,
            **values,
        )
        response = HTMLResponse(body, status, headers=HEADERS)
        if new_cookie is not None:
            self.access._set_cookie(response, request, CSRF_COOKIE, new_cookie, None)
        return response

    def _refused(self, request: Request, refused: Refused) -> Response:
        return self._page(request, "refused.html", refused.status, title=refused.title, detail=refused.detail)

    def _page_route(self, show: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """A page's route: the person signed in (else the login page), then ``show``."""

        async def handle(request: Request) -> Response:
            try:
                who = await self.access.who(request)
                if who is None:
                    return RedirectResponse(_url("/login", next=request.url.path), 303, headers=HEADERS)
                return await show(request, who)
            except Refused as refused:
                return self._refused(request, refused)
            except ServiceError as error:
                return self._refused(request, Refused(error.status, error.type_name, error.message))

        return handle

    async def _form(self, request: Request) -> dict[str, str]:
        """The posted form, CSRF-checked and of bounded size; ``Refused`` (nothing done) otherwise."""
        try:
            form = await read_form(request)
        except OAuthError:
            raise Refused(400, "The form could not be read", "Send it from the console's page.") from None
        if not self.access._csrf_valid(request, form):
            raise Refused(403, "This form has expired", "Go back, reload the page and try again.")
        if any(len(v) > MAX_FIELD for v in form.values()):
            raise Refused(400, "A field is too long", f"Fields hold at most {MAX_FIELD} characters.")
        return form

    # ---- signing in ------------------------------------------------------------------------------------------
    async def login_page(self, request: Request) -> Response:
        try:
            if await self.access.who(request) is not None:
                return RedirectResponse(_url(""), 303, headers=HEADERS)
        except Refused as refused:
            return self._refused(request, refused)
        return self._page(request, "login.html", next=request.query_params.get("next", ""))

    async def login(self, request: Request) -> Response:
        try:
            form = await self._form(request)
        except Refused as refused:
            return self._refused(request, refused)
        if self.access.open:
            return RedirectResponse(_url(""), 303, headers=HEADERS)
        address = request.client.host if request.client else "-"
        now = self.ctx.clock.now()
        window = int(now // 3600) * 3600
        if await self.ctx.store.count_hit("console:sign-in", address, window, window + 3600, now) > SIGN_INS_PER_HOUR:
            log.warning("console sign-in refused from %s: too many attempts", address)
            return self._page(request, "login.html", 429, login_error=TOO_MANY_SIGN_INS, next=form.get("next", ""))
        who = self.access.signed_in(form)
        if who is None:
            log.warning("console sign-in refused from %s", address)
            return self._page(
                request, "login.html", 401, login_error="Those credentials are not right.", next=form.get("next", "")
            )
        log.info("console sign-in by %s from %s", who, address)
        target = form.get("next", "")
        target = target if target.startswith(PREFIX + "/") or target == PREFIX else PREFIX
        response = RedirectResponse(target, 303, headers=HEADERS)
        await self.access.start_session(response, request, who)
        return response

    async def logout(self, request: Request) -> Response:
        try:
            await self._form(request)
            who = await self.access.who(request)
        except Refused as refused:
            return self._refused(request, refused)
        response = RedirectResponse(_url("/login") if not self.access.open else _url(""), 303, headers=HEADERS)
        if who is not None:
            log.info("console sign-out by %s", who)
        await self.access.end_session(response, request)
        return response

    # ---- pages -----------------------------------------------------------------------------------------------
    async def pools(self, request: Request, who: str) -> Response:
        token = request.query_params.get("token") or None
        listed = await self._read(
            request, "ListUserPools", MaxResults=LIST_LIMIT, **({"NextToken": token} if token else {})
        )
        pools = []
        for summary in listed.get("UserPools", []):
            described = await self._read(request, "DescribeUserPool", UserPoolId=summary["Id"])
            pool = described["UserPool"]
            pools.append(
                {
                    "id": pool["Id"],
                    "name": pool["Name"],
                    "users": pool.get("EstimatedNumberOfUsers", 0),
                    "created": when(pool.get("CreationDate")),
                    "mfa": pool.get("MfaConfiguration", "OFF"),
                    "domain": pool.get("Domain"),
                }
            )
        return self._page(
            request, "pools.html", who=who, section="pools", pools=pools, next_token=listed.get("NextToken")
        )

    async def pool(self, request: Request, who: str) -> Response:
        pool_id = request.path_params["pool_id"]
        try:
            described = (await self._read(request, "DescribeUserPool", UserPoolId=pool_id))["UserPool"]
        except ServiceError as error:
            raise Refused(404, "No such pool", error.message) from None
        clients = []
        listed = await self._read(request, "ListUserPoolClients", UserPoolId=pool_id, MaxResults=LIST_LIMIT)
        for summary in listed.get("UserPoolClients", []):
            client = await self._read(
                request, "DescribeUserPoolClient", UserPoolId=pool_id, ClientId=summary["ClientId"]
            )
            clients.append(client_view(client["UserPoolClient"]))
        groups = (await self._read(request, "ListGroups", UserPoolId=pool_id, Limit=LIST_LIMIT)).get("Groups", [])
        servers = (await self._read(request, "ListResourceServers", UserPoolId=pool_id, MaxResults=50)).get(
            "ResourceServers", []
        )
        mfa = await self._read(request, "GetUserPoolMfaConfig", UserPoolId=pool_id)
        return self._page(
            request,
            "pool.html",
            who=who,
            section="pools",
            pool=pool_view(described, mfa),
            clients=clients,
            more_clients=bool(listed.get("NextToken")),
            groups=[{**g, "created": when(g.get("CreationDate"))} for g in groups],
            servers=servers,
        )

    async def users(self, request: Request, who: str, error: ServiceError | None = None, status: int = 200) -> Response:
        pool_id = request.path_params["pool_id"]
        query = request.query_params
        search, raw_filter, token = query.get("q", "").strip(), query.get("filter", "").strip(), query.get("token")
        try:
            pool = (await self._read(request, "DescribeUserPool", UserPoolId=pool_id))["UserPool"]
        except ServiceError as refused:
            raise Refused(404, "No such pool", refused.message) from None
        params: dict[str, Any] = {"UserPoolId": pool_id, "Limit": PAGE_SIZE}
        used_filter = raw_filter or search_filter(search)
        if used_filter:
            params["Filter"] = used_filter
        if token:
            params["PaginationToken"] = token
        users: list[dict[str, Any]] = []
        next_token = None
        try:
            listed = await self._read(request, "ListUsers", **params)
            users = [user_view(u, u.get("Attributes", [])) for u in listed.get("Users", [])]
            next_token = listed.get("PaginationToken")
        except ServiceError as refused:
            error, status = error or refused, refused.status
        return self._page(
            request,
            "users.html",
            status,
            who=who,
            section="pools",
            pool={"id": pool["Id"], "name": pool["Name"], "users": pool.get("EstimatedNumberOfUsers", 0)},
            users=users,
            q=search,
            filter=raw_filter,
            used_filter=used_filter,
            next_url=_url(f"/pools/{pool_id}/users", q=search, filter=raw_filter, token=next_token)
            if next_token
            else None,
            first_url=_url(f"/pools/{pool_id}/users", q=search, filter=raw_filter) if token else None,
            error=error,
            done=DONE.get(query.get("done", "")),
        )

    async def user(
        self,
        request: Request,
        who: str,
        username: str | None = None,
        error: ServiceError | None = None,
        status: int = 200,
        signed_in: dict[str, Any] | None = None,
    ) -> Response:
        pool_id = request.path_params["pool_id"]
        username = request.query_params.get("username", "") if username is None else username
        try:
            pool = (await self._read(request, "DescribeUserPool", UserPoolId=pool_id))["UserPool"]
            found = await self._read(request, "AdminGetUser", UserPoolId=pool_id, Username=username)
        except ServiceError as refused:
            raise Refused(404, "No such user", refused.message) from None
        name = found["Username"]
        groups = await self._read(
            request, "AdminListGroupsForUser", UserPoolId=pool_id, Username=name, Limit=LIST_LIMIT
        )
        devices = await self._read(request, "AdminListDevices", UserPoolId=pool_id, Username=name, Limit=LIST_LIMIT)
        pool_groups = await self._read(request, "ListGroups", UserPoolId=pool_id, Limit=LIST_LIMIT)
        clients = await self._read(request, "ListUserPoolClients", UserPoolId=pool_id, MaxResults=LIST_LIMIT)
        messages = []
        if self.ctx.settings.outbox_exposed:
            stored = await self.ctx.store.list_messages(pool_id, name, limit=MESSAGES_SHOWN)
            messages = [
                {"medium": m.medium, "destination": m.destination, "subject": m.subject, "when": when(m.created_at)}
                for m in reversed(stored)
            ]
        member_of = {g["GroupName"] for g in groups.get("Groups", [])}
        return self._page(
            request,
            "user.html",
            status,
            who=who,
            section="pools",
            pool={"id": pool["Id"], "name": pool["Name"]},
            user=user_view(found, found.get("UserAttributes", [])),
            mfa={"preferred": found.get("PreferredMfaSetting"), "factors": found.get("UserMFASettingList", [])},
            groups=[{**g, "created": when(g.get("CreationDate"))} for g in groups.get("Groups", [])],
            other_groups=[g["GroupName"] for g in pool_groups.get("Groups", []) if g["GroupName"] not in member_of],
            devices=[
                {
                    "key": d["DeviceKey"],
                    "name": next(
                        (a["Value"] for a in d.get("DeviceAttributes", []) if a["Name"] == "device_name"), None
                    ),
                    "last": when(d.get("DeviceLastAuthenticatedDate")),
                }
                for d in devices.get("Devices", [])
            ],
            clients=[{"id": c["ClientId"], "name": c["ClientName"]} for c in clients.get("UserPoolClients", [])],
            messages=messages,
            outbox=self.ctx.settings.outbox_exposed,
            signed_in=signed_in,
            error=error,
            done=DONE.get(request.query_params.get("done", "")),
        )

    async def confirm_delete(self, request: Request, who: str, username: str | None = None) -> Response:
        """The confirmation step before a deletion (also the answer to a deletion posted without it)."""
        pool_id = request.path_params["pool_id"]
        username = request.query_params.get("username", "") if username is None else username
        try:
            found = await self._read(request, "AdminGetUser", UserPoolId=pool_id, Username=username)
        except ServiceError as refused:
            raise Refused(404, "No such user", refused.message) from None
        return self._page(request, "delete.html", who=who, section="pools", pool_id=pool_id, username=found["Username"])

    async def activity(self, request: Request, who: str) -> Response:
        pool_id = request.query_params.get("pool") or None
        errors_only = request.query_params.get("errors") == "1"
        records = self.ctx.metrics.recent.latest(ACTIVITY_LIMIT, pool_id, errors_only)
        totals = sorted(
            (operation, sum(outcomes.values()), outcomes.get("ok", 0), {k: v for k, v in outcomes.items() if k != "ok"})
            for operation, outcomes in self.ctx.metrics.totals().items()
        )
        return self._page(
            request,
            "activity.html",
            who=who,
            section="activity",
            records=[_record(r) for r in records],
            totals=totals,
            pool_id=pool_id or "",
            errors_only=errors_only,
            limit=ACTIVITY_LIMIT,
            feed_url=_url("/activity.json", pool=pool_id, errors="1" if errors_only else None),
        )

    async def activity_feed(self, request: Request) -> Response:
        """The activity view's rows as JSON, for its refreshing script."""
        try:
            if await self.access.who(request) is None:
                return JSONResponse({"message": "Sign in to the console."}, 401, headers=HEADERS)
        except Refused as refused:
            return JSONResponse({"message": refused.detail}, refused.status, headers=HEADERS)
        pool_id = request.query_params.get("pool") or None
        records = self.ctx.metrics.recent.latest(ACTIVITY_LIMIT, pool_id, request.query_params.get("errors") == "1")
        return JSONResponse({"requests": [_record(r) for r in records]}, headers=HEADERS)

    async def script(self, request: Request) -> Response:
        body = self.templates.environment.get_template("console/console.js").render()
        return Response(body, media_type="text/javascript", headers=HEADERS)

    # ---- actions ---------------------------------------------------------------------------------------------
    async def act(self, request: Request) -> Response:
        """A user action: the form CSRF-checked, the person signed in, then the API's operation(s); the page again
        with AWS's error when one is raised, else a redirect to the user's (or, after a deletion, the users') page."""
        pool_id = request.path_params["pool_id"]
        action = ACTIONS.get(request.path_params["action"])
        try:
            form = await self._form(request)
            who = await self.access.who(request)
            if who is None:
                raise Refused(403, "Sign in first", "Your console session has ended: sign in again.")
            if action is None:
                raise Refused(404, "No such action", "Go back to the user's page.")
            if action.name == "delete" and form.get("confirmed") != "yes":
                return await self.confirm_delete(request, who, form.get("username", ""))
        except Refused as refused:
            return self._refused(request, refused)
        username = form.get("username", "")
        try:
            answer = await self._run(request, action, pool_id, form)
        except ServiceError as error:
            self._log(who, request, action, pool_id, username, error.type_name)
            # The page the form was on, with the error (the users' page for a creation).
            try:
                if action.name == "create":
                    return await self.users(request, who, error=error, status=error.status)
                return await self.user(request, who, username, error=error, status=error.status)
            except Refused as refused:
                return self._refused(request, refused)
        self._log(who, request, action, pool_id, username, "ok")
        if action.name == "test-sign-in":  # the answer on the page (a redirect would lose it)
            try:
                return await self.user(request, who, username, signed_in=sign_in_view(answer))
            except Refused as refused:
                return self._refused(request, refused)
        if action.name == "delete":
            return RedirectResponse(_url(f"/pools/{pool_id}/users", done="deleted"), 303, headers=HEADERS)
        return RedirectResponse(
            _url(f"/pools/{pool_id}/user", username=username, done=action.name), 303, headers=HEADERS
        )

    async def _run(self, request: Request, action: Action, pool_id: str, form: Mapping[str, str]) -> dict[str, Any]:
        """The action's API calls in turn; the last one's answer."""
        answer: dict[str, Any] = {}
        for operation, params in await action.calls(pool_id, form, self._client_secret_hash(request, pool_id)):
            answer = await self.invoke(page_call(request, operation, params))
        return answer

    def _client_secret_hash(self, request: Request, pool_id: str) -> Callable[[str, str], Awaitable[str | None]]:
        """The SecretHash a client-side operation (ResendConfirmationCode) needs for a confidential client."""

        async def compute(client_id: str, username: str) -> str | None:
            described = await self._read(request, "DescribeUserPoolClient", UserPoolId=pool_id, ClientId=client_id)
            secret = described["UserPoolClient"].get("ClientSecret")
            return secret_hash.compute(secret, username, client_id) if secret else None

        return compute

    def _log(self, who: str, request: Request, action: Action, pool_id: str, username: str, outcome: str) -> None:
        address = request.client.host if request.client else "-"
        log.info(
            "console action %s by %s from %s: pool %s user %r: %s",
            action.name,
            who,
            address,
            pool_id,
            username,
            outcome,
        )


def routes(ctx: Context, templates: Templates, invoke: Invoke) -> list[Route]:
    if not ctx.settings.console_on:
        return []
    console = Console(ctx, templates, invoke)
    page = console._page_route
    return [
        Route(PREFIX, page(console.pools), methods=["GET"]),
        Route(f"{PREFIX}/login", console.login_page, methods=["GET"]),
        Route(f"{PREFIX}/login", console.login, methods=["POST"]),
        Route(f"{PREFIX}/logout", console.logout, methods=["POST"]),
        Route(f"{PREFIX}/activity", page(console.activity), methods=["GET"]),
        Route(f"{PREFIX}/activity.json", console.activity_feed, methods=["GET"]),
        Route(f"{PREFIX}/console.js", console.script, methods=["GET"]),
        Route(PREFIX + "/pools/{pool_id}", page(console.pool), methods=["GET"]),
        Route(PREFIX + "/pools/{pool_id}/users", page(console.users), methods=["GET"]),
        Route(PREFIX + "/pools/{pool_id}/user", page(console.user), methods=["GET"]),
        Route(PREFIX + "/pools/{pool_id}/user/delete", page(console.confirm_delete), methods=["GET"]),
        Route(PREFIX + "/pools/{pool_id}/actions/{action}", console.act, methods=["POST"]),
    ]
