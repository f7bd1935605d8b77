"""The browser console, served by the node: static files only, no network needed.

The console (``web/console``) talks to the same ``/api/v1`` as every other
client, with the token the user pastes. Its libraries come from the npm
registry (``web/node_modules``); of each package only the files a page loads
are served — never its ``package.json``, README, sources or source maps. The
console's pages carry a Content-Security-Policy that allows nothing but this
node, so a page can neither load from nor send to anywhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from alliance.web import CONSOLE, NODE_MODULES


@dataclass(frozen=True)
class Library:
    """An npm package's folder and the files of it that a page loads."""

    folder: str  # inside node_modules
    files: tuple[str, ...]  # relative to the folder, '/'-separated


# What the console's index.html, console.js and leaflet.css load, by mount name.
LIBRARIES = {
    "leaflet": Library(
        "leaflet/dist",
        (
            "leaflet.js",
            "leaflet.css",
            "images/layers.png",
            "images/layers-2x.png",
            "images/marker-icon.png",
        ),
    ),
    "milsymbol": Library("milsymbol/dist", ("milsymbol.js",)),
    "mgrs": Library("mgrs/dist", ("mgrs.min.js",)),
    "topojson-client": Library("topojson-client/dist", ("topojson-client.min.js",)),
    "world-atlas": Library("world-atlas", ("countries-50m.json",)),
}

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# Static files may be kept, but are revalidated (ETag) so an upgrade shows at once.
STATIC_CACHE = "no-cache"
_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": STATIC_CACHE}


class Assets(StaticFiles):
    """Static files from one folder, limited to ``files`` when given, with ``headers``."""

    def __init__(
        self,
        *,
        directory: Path,
        files: tuple[str, ...] | None = None,
        headers: Mapping[str, str] | None = None,
        html: bool = False,
    ) -> None:
        super().__init__(directory=directory, html=html)
        self.files = None if files is None else frozenset(files)
        self.headers = dict(headers or {"Cache-Control": STATIC_CACHE})

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if self.files is not None and PurePath(path).as_posix() not in self.files:
            return "", None  # a 404, like a file that does not exist
        return super().lookup_path(path)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(self.headers)
        return response


def mount_library(app: FastAPI, name: str, library: Library, headers: Mapping[str, str]) -> None:
    """Serve a library's listed files at ``/static/<name>/``."""
    assets = Assets(directory=NODE_MODULES / library.folder, files=library.files, headers=headers)
    app.mount(f"/static/{name}", assets, name=f"lib-{name}")


def install(app: FastAPI) -> None:
    """Mount the console at ``/console/`` (``/`` redirects there) and its libraries."""
    missing = [pkg for pkg, lib in LIBRARIES.items() if not (NODE_MODULES / lib.folder).is_dir()]

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
    for name, library in LIBRARIES.items():
        mount_library(app, name, library, _HEADERS)
    # The console's own folder holds only what it loads (pages, scripts, styles).
    app.mount("/console", Assets(directory=CONSOLE, headers=_HEADERS, html=True), name="console")
