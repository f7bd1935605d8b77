"""TAXII 2.1 (OASIS, 2021) at ``/taxii2/``: every endpoint of the specification,
its media types, headers and error shape.

One API root, ``/taxii2/alliance/``. A reader signs in as everywhere on the
node (``Authorization: Bearer <token>``, or HTTP Basic with the token as the
password, which is what ``taxii2-client`` and most TAXII clients send) and
reads exactly the objects and versions released to its nation: every list,
filter and page is cut from that nation's own feed (:mod:`.feed`), so
``more``, ``next`` and the date headers say nothing of the rest. A POST is
processed at once: its status resource is ``complete`` when answered, each
refused object listed with its reason in both languages.

The specification's error shape (``title``, ``description``, ``error_code``,
``http_status``, ``details``) is this prefix's, for every failure the
framework meets too (see :class:`alliance.desks.Mount`); its ``description``
and ``details.message`` carry English and Japanese.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from alliance.core import limits
from alliance.core.authority import Actor
from alliance.core.errors import AllianceError, InvalidInput, Unauthenticated
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.desks import desk_dep

from . import feed, stix
from .desk import CyberDesk, Page
from .models import CollectionOut
from .tables import StatusRow

PREFIX = "/taxii2"
API_ROOT = "alliance"
TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
DEFAULT_LIMIT = 100

CyberDep = Annotated[CyberDesk, Depends(desk_dep("cyber", CyberDesk))]


class TaxiiError(AllianceError):
    """A failure with the status TAXII gives it (400 for a bad query, 406, 415)."""

    def __init__(self, status: int, message: Text, code: str, field: str | None = None) -> None:
        super().__init__(message, field=field, code=code)
        self.status = status


# -- the error shape -----------------------------------------------------------------

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable entity",
}


def error(status: int, code: str, message: Text, field: str | None) -> Response:
    """An error as TAXII 2.1 writes it (section 3.6), both languages in it."""
    # The specification has no 422: a request it cannot use is a bad request.
    status = 400 if status == 422 else status
    body: dict[str, Any] = {
        "title": _TITLES.get(status, "Error"),
        "description": f"{message.en} / {message.ja}",
        "error_id": new_id(),
        "error_code": code,
        "http_status": str(status),
        "details": {"code": code, "message": message.as_dict(), "field": field},
    }
    headers = {"WWW-Authenticate": 'Basic realm="taxii2", Bearer'} if status == 401 else None
    return _response(body, status, headers)


def _response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers=headers, media_type=TAXII)


# -- who is asking -------------------------------------------------------------------


def taxii_actor(request: Request) -> Actor:
    """The signed-in user: a bearer token, or HTTP Basic with the token as the
    password (the user name, if given, must be the token's user's id)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    authenticate: Callable[[str], Actor] = request.app.state.authenticate
    if scheme.lower() == "bearer" and value.strip():
        return authenticate(value.strip())
    if scheme.lower() == "basic" and value.strip():
        try:
            user, _, token = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, token = "", ""
        if token:
            actor = authenticate(token)
            if not user or hmac.compare_digest(user.encode(), actor.user_id.encode()):
                return actor
    raise Unauthenticated(
        Text(
            "Send your API token as 'Authorization: Bearer <token>', or as the password "
            "of HTTP Basic authentication (user name: your user id).",
            "APIトークンを「Authorization: Bearer <トークン>」で送るか、HTTP Basic認証の"
            "パスワードとして送ってください（ユーザー名はユーザーID）。",
        ),
        code="no_token",
    )


TaxiiActor = Annotated[Actor, Depends(taxii_actor)]


def _accepts(request: Request) -> None:
    """406 unless the client accepts TAXII 2.1 JSON (or anything)."""
    accept = request.headers.get("accept", "").replace(" ", "").lower()
    if not accept:
        return
    for item in accept.split(","):
        media = item.split(";q=")[0]
        if media in ("*/*", "application/*", "application/taxii+json", TAXII):
            return
    raise TaxiiError(
        406,
        Text(
            f"This server answers in {TAXII}; the request accepts only '{accept}'.",
            f"このサーバは {TAXII} で応答します。要求は「{accept}」のみを受け付けています。",
        ),
        "not_acceptable",
        "Accept",
    )


Accepts = Depends(_accepts)

router = APIRouter(dependencies=[Accepts], include_in_schema=False)
_root = f"/{API_ROOT}"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


# -- discovery, API root, status -----------------------------------------------------


@router.get("/")
def discovery(request: Request, _actor: TaxiiActor) -> Response:
    root = f"{_base(request)}/{API_ROOT}/"
    node = request.app.state.node
    return _response(
        {
            "title": f"Alliance node {node.node_id} ({node.nation}) / 同盟ノード",
            "description": (
                "STIX 2.1 threat intelligence shared between allied nations; each object "
                "is released on its own marking. / 同盟国間で共有するSTIX 2.1脅威情報。"
                "各オブジェクトは自らのマーキングで提供されます。"
            ),
            "default": root,
            "api_roots": [root],
        }
    )


@router.get(f"{_root}/")
def api_root(request: Request, _actor: TaxiiActor) -> Response:
    return _response(
        {
            "title": "Alliance threat sharing / 同盟脅威情報共有",
            "description": "Defensive cyber threat intelligence. / 防御的なサイバー脅威情報。",
            "versions": [TAXII],
            "max_content_length": request.app.state.node.settings.max_body_bytes,
        }
    )


@router.get(f"{_root}/status/{{status_id}}/")
@router.get(f"{_root}/status/{{status_id}}", include_in_schema=False)
def status(status_id: str, desk: CyberDep, actor: TaxiiActor) -> Response:
    return _response(status_body(desk.status(actor, status_id)))


def status_body(row: StatusRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": "complete",
        "request_timestamp": stix.stix_time(row.request_timestamp),
        "total_count": row.total_count,
        "success_count": len(row.successes),
        "successes": row.successes,
        "failure_count": len(row.failures),
        "failures": row.failures,
        "pending_count": 0,
        "pending": [],
    }


# -- collections ---------------------------------------------------------------------


def collection_body(desk: CyberDesk, actor: Actor, c: CollectionOut) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": c.id,
        "title": c.title if c.title == c.title_ja else f"{c.title} / {c.title_ja}",
        "description": c.description,
        "can_read": True,
        "can_write": desk.can_write(actor, c),
        "media_types": [STIX],
    }
    if c.alias:
        body["alias"] = c.alias
    return body


@router.get(f"{_root}/collections/")
def collections(desk: CyberDep, actor: TaxiiActor) -> Response:
    found = [collection_body(desk, actor, c) for c in desk.collections(actor)]
    return _response({"collections": found} if found else {})


@router.get(f"{_root}/collections/{{collection_id}}/")
def collection(collection_id: str, desk: CyberDep, actor: TaxiiActor) -> Response:
    return _response(collection_body(desk, actor, desk.collection(actor, collection_id)))


# -- objects -------------------------------------------------------------------------


def _split(request: Request, name: str) -> tuple[str, ...]:
    values = request.query_params.getlist(name)
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _bad(en: str, ja: str, field: str) -> TaxiiError:
    return TaxiiError(400, Text(en, ja), "invalid_parameter", field)


def query(
    request: Request, collection_id: str, *, versions: tuple[str, ...] | None = None
) -> feed.Query:
    """The filters of a GET, checked: ``limit``, ``next``, ``added_after`` and
    every ``match[…]``."""
    params = request.query_params
    limit = DEFAULT_LIMIT
    if "limit" in params:
        raw = params["limit"]
        if not raw.isdigit() or int(raw) < 1:
            raise _bad(
                f"limit must be a positive integer, not '{raw}'.",
                f"limit は正の整数にしてください（「{raw}」ではなく）。",
                "limit",
            )
        limit = min(int(raw), limits.MAX_PAGE)
    after = None
    if "next" in params:
        raw = params["next"]
        if not raw.isdigit() or int(raw) > limits.MAX_SEQ:
            raise _bad(
                f"next '{raw}' is not a value this server gave.",
                f"next「{raw}」はこのサーバが返した値ではありません。",
                "next",
            )
        after = int(raw)
    added_after = None
    if "added_after" in params:
        try:
            added_after = datetime.fromisoformat(
                stix.canonical(params["added_after"], field="added_after").replace("Z", "+00:00")
            )
        except InvalidInput as exc:
            raise TaxiiError(400, exc.message, "invalid_parameter", "added_after") from exc
    chosen = versions if versions is not None else _split(request, "match[version]") or ("last",)
    picked: list[str] = []
    for v in chosen:
        if v in ("last", "first", "all"):
            picked.append(v)
            continue
        try:
            picked.append(stix.canonical(v, field="match[version]"))
        except InvalidInput as exc:
            raise TaxiiError(400, exc.message, "invalid_parameter", "match[version]") from exc
    return feed.Query(
        nation="",  # the desk puts the reader's own
        collection_id=collection_id,
        after=after,
        added_after=added_after,
        types=_split(request, "match[type]"),
        ids=_split(request, "match[id]"),
        versions=tuple(picked),
        spec_versions=_split(request, "match[spec_version]"),
        limit=limit,
    )


def _paged(page: Page, body: dict[str, Any], raw: list[str] | None = None) -> Response:
    """A page's envelope (``raw``: its objects as stored JSON text, spliced in as
    they are), with ``more``, ``next`` and the date headers."""
    more = {"more": page.more, **({"next": str(page.entries[-1].nseq)} if page.more else {})}
    body = {**more, **body}
    headers = None
    if page.entries:
        headers = {
            "X-TAXII-Date-Added-First": stix.precise_time(page.entries[0].date_added),
            "X-TAXII-Date-Added-Last": stix.precise_time(page.entries[-1].date_added),
        }
    if raw:
        objects = ",".join(raw).encode()
        content = orjson.dumps(body)[:-1] + b',"objects":[' + objects + b"]}"
        return Response(content, 200, headers=headers, media_type=TAXII)
    return _response(body, 200, headers)


@router.get(f"{_root}/collections/{{collection_id}}/objects/")
def get_objects(
    request: Request, collection_id: str, desk: CyberDep, actor: TaxiiActor
) -> Response:
    page = desk.page(actor, query(request, collection_id))
    return _paged(page, {}, page.raw)


@router.post(f"{_root}/collections/{{collection_id}}/objects/")
async def add_objects(
    request: Request, collection_id: str, desk: CyberDep, actor: TaxiiActor
) -> Response:
    kind = request.headers.get("content-type", "").replace(" ", "").lower()
    if kind not in (TAXII, "application/taxii+json"):
        raise TaxiiError(
            415,
            Text(
                f"Send the envelope as {TAXII}, not '{kind or 'nothing'}'.",
                f"エンベロープは {TAXII} で送ってください（「{kind or 'なし'}」ではなく）。",
            ),
            "unsupported_media_type",
            "Content-Type",
        )
    raw = await request.body()
    try:
        envelope = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise TaxiiError(
            400,
            Text(
                f"The envelope is not valid JSON: {exc}",
                f"エンベロープが正しいJSONではありません：{exc}",
            ),
            "invalid_json",
        ) from exc
    objects = envelope.get("objects") if isinstance(envelope, dict) else None
    if not isinstance(objects, list):
        raise TaxiiError(
            400,
            Text(
                "The envelope must be a JSON object with a list of STIX objects in 'objects'.",
                "エンベロープは'objects'にSTIXオブジェクトの配列を持つJSONオブジェクトにしてください。",
            ),
            "invalid_envelope",
            "objects",
        )
    row, _outcomes = await run_in_threadpool(desk.add, actor, collection_id, objects)
    return _response(status_body(row), 202)


@router.get(f"{_root}/collections/{{collection_id}}/objects/{{object_id}}/")
def get_object(
    request: Request, collection_id: str, object_id: str, desk: CyberDep, actor: TaxiiActor
) -> Response:
    q = query(request, collection_id)
    page = desk.page(actor, _only(q, object_id))
    if not page.entries and q.after is None:
        raise _not_found(object_id)
    return _paged(page, {}, page.raw)


@router.delete(f"{_root}/collections/{{collection_id}}/objects/{{object_id}}/")
def delete_object(
    request: Request, collection_id: str, object_id: str, desk: CyberDep, actor: TaxiiActor
) -> Response:
    versions = [
        v if v in ("last", "first", "all") else stix.canonical(v, field="match[version]")
        for v in _split(request, "match[version]")
    ]
    named = [v for v in versions if v not in ("last", "first", "all")]
    desk.delete(actor, collection_id, object_id, named)
    return Response(status_code=200, media_type=TAXII)


@router.get(f"{_root}/collections/{{collection_id}}/objects/{{object_id}}/versions/")
def versions(
    request: Request, collection_id: str, object_id: str, desk: CyberDep, actor: TaxiiActor
) -> Response:
    q = query(request, collection_id, versions=("all",))
    page = desk.page(actor, _only(q, object_id))
    if not page.entries and q.after is None:
        raise _not_found(object_id)
    listed = [e.modified for e in page.entries]
    return _paged(page, {"versions": [stix.version_text(v) for v in listed]} if listed else {})


@router.get(f"{_root}/collections/{{collection_id}}/manifest/")
def manifest(request: Request, collection_id: str, desk: CyberDep, actor: TaxiiActor) -> Response:
    page = desk.page(actor, query(request, collection_id))
    records = [
        {
            "id": e.stix_id,
            "date_added": stix.precise_time(e.date_added),
            "version": stix.version_text(e.modified),
            "media_type": f"application/stix+json;version={e.spec_version}",
        }
        for e in page.entries
    ]
    return _paged(page, {"objects": records} if records else {})


def _only(q: feed.Query, object_id: str) -> feed.Query:
    return replace(q, ids=(object_id,))


def _not_found(object_id: str) -> TaxiiError:
    return TaxiiError(
        404,
        Text(
            f"No object '{object_id}' in this collection is released to you.",
            f"このコレクションに、あなたに提供されたオブジェクト「{object_id}」はありません。",
        ),
        "not_found",
        "object_id",
    )


def routes() -> APIRouter:
    return router


__all__ = ["PREFIX", "STIX", "TAXII", "TaxiiError", "error", "routes", "taxii_actor"]
