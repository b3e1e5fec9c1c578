"""The HTML answers of the service's pages: Jinja2 templates with autoescaping (every value shown is escaped) and
headers that allow no script and no outside resource."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

# No scripts, no outside resources; the pages' own inline style only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class Templates:
    """The templates of ``web/templates``, loaded once per app."""

    def __init__(self) -> None:
        self.environment = Environment(
            loader=PackageLoader("userpool.web", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template: str, status: int, **values: object) -> HTMLResponse:
        body = self.environment.get_template(template).render(**values)
        return HTMLResponse(body, status, headers=SECURITY_HEADERS)
