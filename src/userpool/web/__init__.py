"""Every HTTP route but the AWS JSON 1.1 endpoint (``POST /``, in ``protocol``): health, readiness and metrics
(``health``), the pool's ``.well-known`` documents (``wellknown``), the confirmation link's page (``pages``), the
OAuth 2.0 endpoints (``oauth``), the hosted UI's pages (``hosted_ui``) with federated sign-in through identity
providers (``federation``, its routes among the hosted UI's), the SAML assertion consumer (``saml``), the outbox,
inbox and clock of tests and local development (``testing``), and the admin console (``console``). Pages call the
same operation code as the API and render Jinja2 templates with autoescaping (``render``)."""

from __future__ import annotations

from starlette.routing import Route

from userpool.context import Context
from userpool.web import console, health, hosted_ui, imports, oauth, pages, saml, testing, wellknown
from userpool.web.render import Templates


def routes(ctx: Context, invoke: console.Invoke) -> list[Route]:
    """The routes the settings of ``ctx`` call for (the outbox, the clock and the console only when they are on);
    ``invoke`` runs an operation as the API does, for the console."""
    templates = Templates()
    return [
        *health.routes(ctx),
        *pages.routes(ctx, templates),
        *wellknown.routes(ctx),
        *oauth.routes(ctx),
        *hosted_ui.routes(ctx, templates),
        *saml.routes(ctx, templates),
        *testing.routes(ctx, templates),
        *imports.routes(ctx),
        *console.routes(ctx, templates, invoke),
    ]
