"""What every page with forms shares: signed cookies and CSRF tokens.

A form carries a CSRF token, an HMAC (under the page's key) of the browser's ``XSRF-TOKEN`` cookie, set the first
time a page is shown; a posted form whose token does not match its cookie is refused. Cookies are HttpOnly, ``Secure``
behind https, and signed with the same key. The hosted UI and the console each use their own key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Context

CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"


def page_key(ctx: Context, purpose: bytes) -> bytes:
    """The key a kind of page signs its cookies and CSRF tokens with, derived from the server's secret key (the
    same in every process on one store)."""
    return hmac.new(ctx.feedback_key, purpose, hashlib.sha256).digest()


class SignedForms:
    """Signed cookies and CSRF tokens, for the pages of ``ctx`` under ``key``."""

    ctx: Context
    key: bytes

    def _secure(self, request: Request) -> bool:
        return request.url.scheme == "https" or self.ctx.settings.public_base_url.startswith("https://")

    def _sign(self, value: str) -> str:
        return hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()

    def _csrf(self, request: Request) -> tuple[str, str | None]:
        """The form's CSRF value, and a new cookie to set when the browser has none."""
        cookie = request.cookies.get(CSRF_COOKIE)
        if cookie and 20 <= len(cookie) <= 100:
            return self._sign("csrf:" + cookie), None
        cookie = secrets.token_urlsafe(32)
        return self._sign("csrf:" + cookie), cookie

    def _csrf_valid(self, request: Request, form: Mapping[str, str]) -> bool:
        cookie, sent = request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)
        if not cookie or not sent:
            return False
        return hmac.compare_digest(self._sign("csrf:" + cookie), sent)

    def _set_cookie(
        self,
        response: Response,
        request: Request,
        name: str,
        value: str,
        max_age: int | None,
        samesite: Literal["lax", "strict"] = "lax",
    ) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path="/", httponly=True, samesite=samesite, secure=self._secure(request)
        )
