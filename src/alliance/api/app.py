"""The FastAPI application, built by a factory: nothing happens at import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from alliance import __version__
from alliance.desks import Mount
from alliance.node import Node

from . import console, docs, errors
from .errors import ErrorBody
from .middleware import BodyLimit, SecurityHeaders
from .routes import federation, ledger, meta, session, stream, users

API_PREFIX = "/api/v1"

_ERRORS = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        401: "Not signed in / 未認証",
        403: "No authority / 権限なし",
        404: "Not found or not released / 存在しないか非公開",
        409: "State conflict / 状態の競合",
        413: "Request body too large / 要求の本文が大きすぎる",
        422: "Invalid input / 入力不正",
    }.items()
}


class _App(FastAPI):
    """FastAPI with the node's edges outside everything else, Starlette's error
    handling included: the body limit answers before any route or token is
    looked at, and even a 500 carries the security headers."""

    def __init__(self, *, max_body_bytes: int, **options: Any) -> None:
        self.max_body_bytes = max_body_bytes
        self.max_body_mounts: tuple[Mount, ...] = ()
        super().__init__(**options)

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()
        return SecurityHeaders(BodyLimit(inner, self.max_body_bytes, self.max_body_mounts))


def create_app(node: Node) -> FastAPI:
    """Build the API for one started node."""
    app = _App(
        max_body_bytes=node.settings.max_body_bytes,
        title=f"Alliance node {node.node_id} ({node.nation})",
        version=__version__,
        description=(
            "Coordination between sovereign allied headquarters. Every call needs "
            "`Authorization: Bearer <token>`. / 同盟国司令部間の調整。全ての呼出しにトークンが必要です。"
        ),
        docs_url=None,
        redoc_url=None,
        responses=_ERRORS,
    )
    app.state.node = node
    # What desk routers read (alliance.desks): they never see the node itself.
    app.state.desks = node.desks
    app.state.authenticate = node.users.authenticate
    app.state.authenticate_session = node.signin.authenticate
    mounts = tuple(m for spec in node.desk_specs for m in spec.mounts)
    app.max_body_mounts = mounts
    errors.install(app, mounts)
    api = APIRouter(prefix=API_PREFIX)
    for module in (meta, session, users, ledger, stream):
        api.include_router(module.router)
    for spec in node.desk_specs:
        if spec.routes is not None:
            api.include_router(spec.routes())
    api.include_router(federation.router)
    app.include_router(api)
    for mount in mounts:
        app.include_router(mount.routes(), prefix=mount.prefix)
    docs.install(app)
    console.install(app, node.desk_specs)
    return app
