"""The browser console, served by the node: static files only, no network needed.

The console (``web/console``) talks to the same ``/api/v1`` as every other
client, with the token the user pastes. Its libraries come from the npm
registry (``web/node_modules``); only the folders it needs are mounted. The
console's pages carry a Content-Security-Policy that allows nothing but this
node, so a page can neither load from nor send to anywhere else.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from alliance.web import CONSOLE, NODE_MODULES

# Only what the console loads, by npm package: (mount name, folder inside node_modules).
LIBRARIES = {
    "leaflet": "leaflet/dist",
    "milsymbol": "milsymbol/dist",
    "mgrs": "mgrs/dist",
    "topojson-client": "topojson-client/dist",
    "world-atlas": "world-atlas",
}

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class _ConsoleFiles(StaticFiles):
    """Static files with the console's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(_HEADERS)
        return response


def install(app: FastAPI) -> None:
    """Mount the console at ``/console/`` (``/`` redirects there) and its libraries."""
    missing = [pkg for pkg, folder in LIBRARIES.items() if not (NODE_MODULES / folder).is_dir()]

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/")

    if missing:

        @app.get("/console/", include_in_schema=False)
        def not_installed() -> HTMLResponse:
            names = ", ".join(missing)
            return HTMLResponse(
                f"<p>Console assets are not installed ({names}): run <code>make demo</code>. / "
                f"コンソールの資材（{names}）が未導入です。<code>make demo</code> "
                "を実行してください。</p>",
                status_code=503,
            )

        return
    for name, folder in LIBRARIES.items():
        app.mount(
            f"/static/{name}", _ConsoleFiles(directory=NODE_MODULES / folder), name=f"lib-{name}"
        )
    app.mount("/console", _ConsoleFiles(directory=CONSOLE, html=True), name="console")
