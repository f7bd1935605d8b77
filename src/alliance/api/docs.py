"""The API docs at ``/docs``: Swagger UI from the npm registry's swagger-ui-dist,
served by the node, so the docs work with no network.

The page has no inline script: Swagger UI is started by ``web/docs/swagger-init.js``,
so its Content-Security-Policy allows scripts from this node only.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from alliance.web import NODE_MODULES, WEB_ROOT

from .console import Assets, Library, mount_library

# What the /docs page loads from swagger-ui-dist (its CSS draws icons from data: URLs).
SWAGGER = Library(
    "swagger-ui-dist", ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
)
INIT = "swagger-init.js"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" type="image/png" href="/static/swagger/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs/{init}"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """``/docs``, its Swagger UI files under ``/static/swagger/`` and its start script."""
    installed = (NODE_MODULES / SWAGGER.folder).is_dir()
    if installed:
        mount_library(app, "swagger", SWAGGER, {"Cache-Control": "no-cache"})
    app.mount("/static/docs", Assets(directory=WEB_ROOT / "docs", files=(INIT,)), name="docs-init")
    page = _PAGE.format(title=escape(app.title), init=INIT)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if not installed:
            return HTMLResponse(
                "<p>API docs assets are not installed: run <code>make demo</code>. / "
                "APIドキュメントの資材が未導入です。<code>make demo</code> を実行してください。</p>"
                '<p><a href="/openapi.json">/openapi.json</a></p>',
                status_code=503,
            )
        return HTMLResponse(page, headers={"Content-Security-Policy": CSP})
