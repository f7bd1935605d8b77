"""The browser console, served by the node: static files only, no network needed.

The console (``web/console``) is a shell (sign-in, tabs, clock, language,
banner) with one pane per desk that declares one (``DeskSpec.console``: a
folder in the desk's package, served at ``/console/desks/<name>/``). The
page is put together once, when the app is built: a tab, a ``<section
class="pane">`` holding the desk's ``pane.html``, its ``pane.css`` and its
``head.html`` (the libraries it loads); the shell imports the pane's
``i18n.js`` and ``pane.js``. A desk without a pane has no tab. The console
talks to the same ``/api/v1`` as every other client, with the token the user
pastes. Its libraries come from the npm
registry (``web/node_modules``); of each package only the files a page loads
are served — never its ``package.json``, README, sources or source maps. The
console's pages carry a Content-Security-Policy that allows nothing but this
node, so a page can neither load from nor send to anywhere else.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.web import CONSOLE, NODE_MODULES


@dataclass(frozen=True)
class Library:
    """An npm package's folder and the files of it that a page loads."""

    folder: str  # inside node_modules
    files: tuple[str, ...]  # relative to the folder, '/'-separated


# What the console's pages (the COP pane's head.html), scripts and leaflet.css load, by mount name.
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
    "world-atlas": Library("world-atlas", ("countries-50m.json", "land-10m.json")),
    # Range and bearing on the ellipsoid (the COP pane's maptools.js).
    "geographiclib-geodesic": Library("geographiclib-geodesic", ("geographiclib-geodesic.min.js",)),
    # The org pane's tree layout (its UMD file: a global ``d3``, no build step).
    "d3-hierarchy": Library("d3-hierarchy/dist", ("d3-hierarchy.min.js",)),
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


PANE_FILES = ("pane.html", "pane.js", "i18n.js")
"""What a desk's console folder must hold; ``pane.css`` and ``head.html`` are optional."""
PAGE_PARTS = frozenset({"pane.html", "head.html"})
"""The parts of a pane that go into the page: put in it, never served as files."""


def pane_files(folder: Path) -> tuple[str, ...]:
    """The files of a pane's folder that the browser loads (all but :data:`PAGE_PARTS`)."""
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return tuple(sorted(f for f in files if f not in PAGE_PARTS))


@dataclass(frozen=True)
class NodePane:
    """A pane of the node itself, not of a desk (same folder contract, served
    at ``/console/node/<name>/``)."""

    name: str
    label: Text
    console: Path

    @property
    def base(self) -> str:
        return f"/console/node/{self.name}/"


FIRST_PANE = "cop"
"""The pane shown at sign-in when present (the picture), whatever the desks' order."""
NODE_PANES = (NodePane("health", Text("Health", "健全性"), CONSOLE / "health"),)
"""The node's own panes, after the desks' tabs: links, ledger, users."""


def panes(desks: Iterable[DeskSpec]) -> tuple[DeskSpec, ...]:
    """The desks that declare a console pane, checked: each folder holds :data:`PANE_FILES`."""
    declared = [d for d in desks if d.console is not None]
    chosen = tuple(sorted(declared, key=lambda d: d.name != FIRST_PANE))
    for desk in chosen:
        assert desk.console is not None
        missing = [f for f in PANE_FILES if not (desk.console / f).is_file()]
        if missing:
            raise ValueError(f"the {desk.name} desk's console pane lacks {', '.join(missing)}")
    return chosen


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(True))


def page(desks: Iterable[DeskSpec]) -> str:
    """The console's page: the shell's ``index.html`` with a tab and a pane per
    desk, then the node's own (:data:`NODE_PANES`)."""
    heads: list[str] = []
    tabs: list[str] = []
    sections: list[str] = []
    chosen: list[DeskSpec | NodePane] = [*panes(desks), *NODE_PANES]
    names = [d.name for d in chosen]
    first = FIRST_PANE if FIRST_PANE in names else names[0]
    for desk in chosen:
        assert desk.console is not None
        name = html.escape(desk.name)
        base = desk.base if isinstance(desk, NodePane) else f"/console/desks/{name}/"
        active = " active" if desk.name == first else ""
        if (desk.console / "head.html").is_file():
            heads.append(_indent((desk.console / "head.html").read_text(encoding="utf-8"), 2))
        if (desk.console / "pane.css").is_file():
            heads.append(f'  <link rel="stylesheet" href="{base}pane.css">\n')
        # What the shell imports for the pane, fetched early (and named in the page).
        heads += [
            f'  <link rel="modulepreload" href="{base}{f}">\n' for f in ("i18n.js", "pane.js")
        ]
        tabs.append(
            f'        <button type="button" class="tab{active}" data-pane="pane-{name}" '
            f'data-i18n="tab_{name}">{html.escape(desk.label.en)}</button>\n'
        )
        sections.append(
            f'    <section class="pane{active}" id="pane-{name}" data-desk="{name}" '
            f'data-base="{base}">\n'
            + _indent((desk.console / "pane.html").read_text(encoding="utf-8"), 6)
            + "    </section>\n"
        )
    shell = (CONSOLE / "index.html").read_text(encoding="utf-8")
    return (
        shell.replace("<!-- desk:head -->\n", "".join(heads))
        .replace("<!-- desk:tabs -->\n", "".join(tabs))
        .replace("<!-- desk:panes -->\n", "".join(sections))
    )


def install(app: FastAPI, desks: Iterable[DeskSpec] = ()) -> None:
    """Mount the console at ``/console/`` (``/`` redirects there), its libraries,
    and the console pane of each of ``desks`` at ``/console/desks/<name>/``."""
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
    chosen = panes(desks)
    text = page(chosen)

    @app.get("/console/", include_in_schema=False)
    @app.get("/console/index.html", include_in_schema=False)
    def console_page() -> HTMLResponse:
        return HTMLResponse(text, headers=_HEADERS)

    # Each desk's pane: the files its pane loads, mounted before /console, which
    # would otherwise answer for them.
    for desk in chosen:
        assert desk.console is not None
        assets = Assets(directory=desk.console, files=pane_files(desk.console), headers=_HEADERS)
        app.mount(f"/console/desks/{desk.name}", assets, name=f"console-{desk.name}")
    for own in NODE_PANES:
        assets = Assets(directory=own.console, files=pane_files(own.console), headers=_HEADERS)
        app.mount(own.base.rstrip("/"), assets, name=f"console-node-{own.name}")
    # The console's own folder holds only what it loads (the shell's script, styles).
    app.mount("/console", Assets(directory=CONSOLE, headers=_HEADERS, html=True), name="console")
