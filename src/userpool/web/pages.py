"""``GET /confirmUser``: the link of CONFIRM_WITH_LINK emails.

The page confirms through ``operations.signup.confirm_with_code``, the code path of ConfirmSignUp, and answers each
outcome with its own page and HTTP status, chosen by the error's type (never by its message).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.context import Context
from userpool.domain.users import UserStatus
from userpool.errors import (
    AliasExistsException,
    CodeMismatchException,
    ExpiredCodeException,
    LimitExceededException,
    NotAuthorizedException,
    ResourceNotFoundException,
    ServiceError,
    UserNotConfirmable,
    UserNotFoundException,
)
from userpool.operations import signup
from userpool.operations.shared import lookups
from userpool.web.render import SECURITY_HEADERS, Templates

MAX_PARAMETER = 2048  # ConfirmationCode's model limit; longer values are no link we sent


@dataclass(frozen=True)
class Outcome:
    name: str  # the page's data-outcome, for tests and scripts
    status: int
    tone: str  # ok, info, warn, bad
    title: str
    detail: str


CONFIRMED = Outcome(
    "confirmed",
    200,
    "ok",
    "Your registration has been confirmed",
    "Your email address is verified. You can now sign in.",
)
ALREADY_CONFIRMED = Outcome(
    "already-confirmed", 409, "info", "Your registration was already confirmed", "Nothing more to do: you can sign in."
)
EXPIRED = Outcome(
    "expired",
    410,
    "warn",
    "This confirmation link has expired",
    "Links are valid for 24 hours. Ask the app to send you a new one.",
)
CODE_MISMATCH = Outcome(
    "code-mismatch",
    400,
    "bad",
    "This confirmation link is not valid",
    "Its code does not match. If you asked for a new link, use the newest one.",
)
TOO_MANY = Outcome(
    "too-many-attempts", 429, "warn", "Too many attempts", "Ask the app to send you a new confirmation link."
)
INCOMPLETE = Outcome(
    "incomplete",
    400,
    "bad",
    "This confirmation link is incomplete",
    "It needs client_id, user_name and confirmation_code. Copy the whole link from the email.",
)
UNKNOWN = Outcome("unknown", 404, "bad", "This confirmation link is not valid", "No account of this app matches it.")
ALIAS_TAKEN = Outcome(
    "alias-taken",
    409,
    "bad",
    "This email address belongs to another account",
    "The account cannot be confirmed with it.",
)


def _outcome_of(error: ServiceError) -> Outcome:
    if isinstance(error, ExpiredCodeException):
        return EXPIRED
    if isinstance(error, CodeMismatchException):
        return CODE_MISMATCH
    if isinstance(error, LimitExceededException):
        return TOO_MANY
    if isinstance(error, ResourceNotFoundException | UserNotFoundException):
        return UNKNOWN
    if isinstance(error, AliasExistsException):
        return ALIAS_TAKEN
    if isinstance(error, UserNotConfirmable) and error.user_status == UserStatus.CONFIRMED:
        return ALREADY_CONFIRMED
    if isinstance(error, NotAuthorizedException):
        return Outcome("not-confirmable", 409, "bad", "This account cannot be confirmed", error.message)
    return Outcome("error", error.status, "bad", "This confirmation link could not be used", error.message)


class ConfirmPage:
    def __init__(self, ctx: Context, templates: Templates) -> None:
        self.ctx = ctx
        self.templates = templates

    def _outcome(self, outcome: Outcome, user_name: str | None) -> Response:
        return self.templates.render(
            "confirm.html",
            outcome.status,
            outcome=outcome.name,
            tone=outcome.tone,
            title=outcome.title,
            detail=outcome.detail,
            user_name=user_name,
        )

    async def confirm_user(self, request: Request) -> Response:
        """Confirm the user a link names, with ConfirmSignUp's rules; a page per outcome."""
        if request.method == "HEAD":  # link checkers probe with HEAD: it must not use up the code
            return Response(status_code=200, headers=SECURITY_HEADERS, media_type="text/html")
        query = request.query_params
        client_id, user_name, code = (query.get(k) for k in ("client_id", "user_name", "confirmation_code"))
        if not client_id or not user_name or not code or max(map(len, (client_id, user_name, code))) > MAX_PARAMETER:
            return self._outcome(INCOMPLETE, None)
        try:
            client, pool = await lookups.client_and_pool(self.ctx.store, client_id)
            await signup.confirm_with_code(self.ctx, client, pool, user_name, code)
        except ServiceError as error:
            outcome = _outcome_of(error)
            return self._outcome(outcome, user_name if outcome is ALREADY_CONFIRMED else None)
        return self._outcome(CONFIRMED, user_name)


def routes(ctx: Context, templates: Templates) -> list[Route]:
    return [Route("/confirmUser", ConfirmPage(ctx, templates).confirm_user, methods=["GET"])]
