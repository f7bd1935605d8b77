"""The FastAPI application, built by a factory: nothing happens at import."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from alliance import __version__
from alliance.node import Node
from alliance.web import NODE_MODULES

from . import console, errors
from .errors import ErrorBody
from .routes import acm, cop, federation, ledger, meta, org, users

API_PREFIX = "/api/v1"

_ERRORS = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        401: "Not signed in / 未認証",
        403: "No authority / 権限なし",
        404: "Not found or not released / 存在しないか非公開",
        409: "State conflict / 状態の競合",
        422: "Invalid input / 入力不正",
    }.items()
}


def create_app(node: Node) -> FastAPI:
    """Build the API for one started node."""
    app = FastAPI(
        title=f"Alliance node {node.node_id} ({node.nation})",
        version=__version__,
        description=(
            "Coordination between sovereign allied headquarters. Every call needs "
            "`Authorization: Bearer <token>`. / 同盟国司令部間の調整。全ての呼出しにトークンが必要です。"
        ),
        docs_url=None,
        redoc_url=None,
        responses=_ERRORS,  # type: ignore[arg-type]
    )
    app.state.node = node
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (meta, users, ledger, org, acm, cop, federation):
        api.include_router(module.router)
    app.include_router(api)
    _offline_docs(app)
    console.install(app)
    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI from the npm registry's swagger-ui-dist: the docs work with no network."""
    assets = NODE_MODULES / "swagger-ui-dist"
    if assets.is_dir():
        app.mount("/static/swagger", StaticFiles(directory=assets), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if not assets.is_dir():
            return HTMLResponse(
                "<p>API docs assets are not installed: run <code>make demo</code>. / "
                "APIドキュメントの資材が未導入です。<code>make demo</code> を実行してください。</p>"
                '<p><a href="/openapi.json">/openapi.json</a></p>',
                status_code=503,
            )
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=app.title,
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
