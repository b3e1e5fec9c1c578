"""The facilities for tests and local development: the outbox (``GET /_userpool/outbox`` as JSON,
``GET /_userpool/inbox`` as a page) when the outbox is exposed, and ``POST /_userpool/clock`` when clock control is
on. Neither is served otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.context import Context
from userpool.domain.records import OutboxMessage
from userpool.web.console import PREFIX as CONSOLE
from userpool.web.render import Templates

INBOX_LIMIT = 200
CLOCK_USAGE = 'Send {"advance": <seconds>} and/or {"freeze": true | false}.'


class Facilities:
    """The handlers of the outbox, the inbox page and the clock control."""

    def __init__(self, ctx: Context, templates: Templates) -> None:
        self.ctx = ctx
        self.templates = templates

    async def outbox(self, request: Request) -> Response:
        """The kept messages as JSON, oldest first, filtered by ``userPoolId`` and ``username``."""
        messages = await self.ctx.store.list_messages(
            request.query_params.get("userPoolId"), request.query_params.get("username")
        )
        return JSONResponse(
            {
                "messages": [
                    {"id": m.id, "userPoolId": m.pool_id, **_content(m), "link": m.link, "createdAt": m.created_at}
                    for m in messages
                ]
            }
        )

    async def inbox(self, request: Request) -> Response:
        """The outbox as a page, newest first, filtered by ``userPoolId`` and ``username``."""
        pool_id = request.query_params.get("userPoolId") or None
        username = request.query_params.get("username") or None
        stored = await self.ctx.store.list_messages(pool_id, username, limit=INBOX_LIMIT)
        pools = await self.ctx.store.outbox_pools()
        names = {p: n for p, n, _ in pools}
        messages = [
            {
                "id": m.id,
                "pool_id": m.pool_id,
                "pool_name": names.get(m.pool_id),
                **_content(m),
                "link": m.link if m.link and m.link.startswith(("http://", "https://")) else None,
                "when": datetime.fromtimestamp(m.created_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            }
            for m in reversed(stored)
        ]
        return self.templates.render(
            "inbox.html",
            200,
            messages=messages,
            pools=[{"id": p, "label": n or f"{p} (deleted)", "count": c} for p, n, c in pools],
            pool_id=pool_id,
            username=username,
            limited=len(stored) >= INBOX_LIMIT,
            limit=INBOX_LIMIT,
            refresh_url=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
            # One navigation with the console, when it is served.
            prefix=CONSOLE if self.ctx.settings.console_on else None,
            section="inbox",
            inbox=True,
        )

    async def move_clock(self, request: Request) -> Response:
        """Advance the clock by ``advance`` seconds and/or freeze or thaw it; answer its time."""
        try:
            body = await request.json()
            seconds = float(body.get("advance", 0))
            freeze = body.get("freeze")
        except (ValueError, AttributeError, TypeError):
            return JSONResponse({"message": CLOCK_USAGE}, 400)
        if (freeze is not None and not isinstance(freeze, bool)) or not ({"advance", "freeze"} & body.keys()):
            return JSONResponse({"message": CLOCK_USAGE}, 400)
        if freeze is not None:
            self.ctx.clock.freeze(freeze)
        self.ctx.clock.advance(seconds)
        return JSONResponse({"now": self.ctx.clock.now()})


def _content(m: OutboxMessage) -> dict[str, str | None]:
    """What the outbox and the inbox page both show of a message, in the outbox's order."""
    return {
        "username": m.username,
        "medium": m.medium,
        "destination": m.destination,
        "subject": m.subject,
        "body": m.body,
        "code": m.code,
    }


def routes(ctx: Context, templates: Templates) -> list[Route]:
    facilities = Facilities(ctx, templates)
    found: list[Route] = []
    if ctx.settings.outbox_exposed:
        found.append(Route("/_userpool/outbox", facilities.outbox, methods=["GET"]))
        found.append(Route("/_userpool/inbox", facilities.inbox, methods=["GET"]))
    if ctx.settings.clock_control:
        found.append(Route("/_userpool/clock", facilities.move_clock, methods=["POST"]))
    return found
