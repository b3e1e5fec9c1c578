"""``GET /health`` (the process answers), ``GET /ready`` (the store answers too) and ``GET /metrics``
(Prometheus)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.context import Context
from userpool.observability import CONTENT_TYPE


def routes(ctx: Context) -> list[Route]:
    async def health(_: Request) -> Response:
        """Liveness: the process answers."""
        return JSONResponse({"status": "ok"})

    async def ready(_: Request) -> Response:
        """Readiness: the store answers too."""
        if await ctx.store.healthy():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "store unavailable"}, 503)

    async def metrics(_: Request) -> Response:
        return Response(ctx.metrics.exposition(), media_type=CONTENT_TYPE)

    return [
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
