"""One error shape for the whole API: ``{code, message: {en, ja}, field}``.

Validation errors add ``errors``: every problem found, each in the same shape;
so does an :class:`AllianceError` that carries them (an imported sheet's rows).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.core.validation_ja import japanese
from alliance.desks import Mount

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The error shape every endpoint returns."""

    code: str
    message: dict[str, str]
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def body(code: str, message: Text, field: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "message": message.as_dict(), "field": field}
    out.update(extra)
    return out


# Errors the framework raises itself, before a route runs.
_HTTP: dict[int, tuple[str, Text]] = {
    400: (
        "unreadable_body",
        Text(
            "The request body could not be read: send JSON in UTF-8 "
            "with Content-Type: application/json.",
            "要求の本文を読み取れません。UTF-8のJSONを Content-Type: application/json で送ってください。",
        ),
    ),
    401: ("unauthenticated", Text("Authentication required.", "認証が必要です。")),
    403: ("forbidden", Text("Not allowed.", "許可されていません。")),
    404: ("not_found", Text("No such endpoint.", "そのエンドポイントはありません。")),
    405: ("method_not_allowed", Text("Method not allowed here.", "このメソッドは使えません。")),
    406: (
        "not_acceptable",
        Text("No response in the media type asked for.", "要求された形式では応答できません。"),
    ),
    413: (
        "body_too_large",
        Text("The request body is too large.", "要求の本文が大きすぎます。"),
    ),
    415: (
        "unsupported_media_type",
        Text(
            "Unsupported content type: send JSON.", "対応していない形式です。JSONを送ってください。"
        ),
    ),
    429: (
        "too_many_requests",
        Text("Too many requests: try again later.", "要求が多すぎます。後で再試行してください。"),
    ),
    503: (
        "unavailable",
        Text(
            "The node cannot answer now: try again later.",
            "ノードは現在応答できません。後で再試行してください。",
        ),
    ),
}


def _other_http(status: int) -> tuple[str, Text]:
    return (
        "http_error",
        Text(
            f"The request could not be handled (HTTP {status}).",
            f"要求を処理できませんでした（HTTP {status}）。",
        ),
    )


UNSTORABLE = Text(
    "A value in this request cannot be stored or looked up: it is too long, out of "
    "range, or holds a character the database refuses. Nothing was changed.",
    "この要求の値は保存・検索できません（長すぎる、範囲外、またはデータベースが受け付けない"
    "文字を含む）。何も変更されていません。",
)


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def _validation_items(errors: Sequence[Any]) -> list[dict[str, Any]]:
    items = []
    for err in errors:
        # A JSON syntax error's location is a character offset, not a field.
        loc = ("body",) if err.get("type") == "json_invalid" else err.get("loc", ())
        field = _field(loc)
        en = f"{field}: {err.get('msg', 'invalid')}"
        ja = f"{field}: {japanese(err)}"
        # Our own validators (e.g. SIDC) raise a custom error carrying its code and Japanese.
        own_ja = (err.get("ctx") or {}).get("ja")
        if isinstance(own_ja, str):
            items.append(body(str(err["type"]), Text(en, f"{field}: {own_ja}"), field))
            continue
        items.append(body("invalid", Text(en, ja), field))
    return items


def mount_of(mounts: Sequence[Mount], path: str) -> Mount | None:
    """The desk mount whose prefix ``path`` is under (it has its own error shape)."""
    for mount in mounts:
        if path == mount.prefix or path.startswith(mount.prefix + "/"):
            return mount
    return None


def install(app: FastAPI, mounts: Sequence[Mount] = ()) -> None:
    """Register the handlers that turn every failure into the one shape (under a
    desk's mount, the mount's own shape: TAXII's at /taxii2)."""

    def shaped(request: Request, status: int, code: str, message: Text, field: str | None) -> Any:
        mount = mount_of(mounts, request.url.path)
        return None if mount is None else mount.error(status, code, message, field)

    @app.exception_handler(AllianceError)
    async def _alliance(request: Request, exc: AllianceError) -> Any:
        own = shaped(request, exc.status, exc.code, exc.message, exc.field)
        if own is not None:
            return own
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        extra: dict[str, Any] = {}
        if exc.errors:  # every problem found, each in the same shape
            extra["errors"] = [body(e.code, e.message, e.field) for e in exc.errors]
        return JSONResponse(
            body(exc.code, exc.message, exc.field, **extra), exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        items = _validation_items(exc.errors())
        first = items[0] if items else body("invalid", Text("Invalid request.", "不正な要求です。"))
        message = first["message"]
        own = shaped(
            request, 400, first["code"], Text(message["en"], message["ja"]), first["field"]
        )
        if own is not None:
            return own
        return JSONResponse(
            {**first, "errors": items},
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        code, message = _HTTP.get(exc.status_code) or _other_http(exc.status_code)
        own = shaped(request, exc.status_code, code, message, None)
        if own is not None:
            return own
        headers = dict(exc.headers) if exc.headers else None
        return JSONResponse(body(code, message), exc.status_code, headers=headers)

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Any:
        # A value the checks at the edge let through and the database refused
        # (too long for its column, out of range, a NUL on PostgreSQL): the
        # caller's input, not a crash. The transaction was rolled back.
        log.warning(
            "%s %s: the database refused a value: %s",
            request.method,
            request.url.path,
            exc.orig if exc.orig is not None else exc,
        )
        return shaped(request, 422, "unstorable_value", UNSTORABLE, None) or JSONResponse(
            body("unstorable_value", UNSTORABLE), 422
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Any:
        log.exception("unhandled error", exc_info=exc)
        crash = Text(
            "Internal error; nothing partial was stored. The node log has details.",
            "内部エラー。途中までの変更は保存されていません。詳細はノードのログにあります。",
        )
        own = shaped(request, 500, "internal", crash, None)
        if own is not None:
            return own
        return JSONResponse(body("internal", crash), 500)
