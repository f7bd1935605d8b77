"""The cyber desk's endpoints under /api/v1 (collections); STIX objects travel
over TAXII 2.1 (:mod:`.taxii`)."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from alliance.core import limits
from alliance.core.errors import not_found
from alliance.desks import ActorDep, desk_dep

from . import plot
from .bundles import bundle
from .desk import CyberDesk
from .models import CollectionIn, CollectionOut, SightingDayOut, StixPageOut
from .tables import STIX_OBJECT

CyberDep = Annotated[CyberDesk, Depends(desk_dep("cyber", CyberDesk))]

router = APIRouter(prefix="/cyber", tags=["cyber"])


@router.get(
    "/collections",
    response_model=list[CollectionOut],
    summary="TAXII collections released to you / 提供されたTAXIIコレクション",
)
def list_collections(desk: CyberDep, actor: ActorDep) -> list[CollectionOut]:
    return desk.collections(actor)


@router.post(
    "/collections",
    response_model=CollectionOut,
    status_code=201,
    summary="Create a TAXII collection / TAXIIコレクションを作成",
)
def create_collection(data: CollectionIn, desk: CyberDep, actor: ActorDep) -> CollectionOut:
    return desk.create_collection(actor, data)


@router.get(
    "/collections/{collection_id}",
    response_model=CollectionOut,
    summary="One TAXII collection / TAXIIコレクション",
)
def get_collection(collection_id: str, desk: CyberDep, actor: ActorDep) -> CollectionOut:
    return desk.collection(actor, collection_id)


@router.get(
    "/collections/{collection_id}/objects",
    response_model=StixPageOut,
    summary="Objects released to you, latest versions / 提供されたオブジェクト（最新版）",
)
def list_objects(
    collection_id: str,
    desk: CyberDep,
    actor: ActorDep,
    type: Annotated[str | None, Query(max_length=limits.STIX_TYPE)] = None,
    after: Annotated[int | None, Query(ge=0, le=limits.MAX_SEQ)] = None,
    limit: Annotated[int, Query(ge=1, le=limits.MAX_PAGE)] = 50,
) -> StixPageOut:
    types = (type,) if type else ()
    return desk.listing(actor, collection_id, types=types, after=after, limit=limit)


@router.get(
    "/collections/{collection_id}/objects/{stix_id}/versions",
    response_model=StixPageOut,
    summary="Every version of one object released to you / オブジェクトの全版",
)
def list_versions(
    collection_id: str,
    desk: CyberDep,
    actor: ActorDep,
    stix_id: Annotated[str, Path(max_length=limits.STIX_ID)],
    after: Annotated[int | None, Query(ge=0, le=limits.MAX_SEQ)] = None,
) -> StixPageOut:
    found = desk.listing(actor, collection_id, stix_id=stix_id, after=after, limit=100)
    if not found.items and after is None:
        raise not_found(STIX_OBJECT.label, stix_id, "stix_id")
    return found


@router.get(
    "/collections/{collection_id}/sightings",
    response_model=list[SightingDayOut],
    summary="Sightings released to you, by day / 日ごとの検知",
)
def sightings(collection_id: str, desk: CyberDep, actor: ActorDep) -> list[SightingDayOut]:
    return desk.sightings(actor, collection_id)


@router.get(
    "/collections/{collection_id}/sightings.svg",
    response_class=Response,
    summary="Sightings over time, drawn / 検知の推移（図）",
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
def sightings_svg(collection_id: str, desk: CyberDep, actor: ActorDep) -> Response:
    collection = desk.collection(actor, collection_id)
    title = (
        f"{collection.title} / {collection.title_ja}"
        if collection.title_ja != collection.title
        else collection.title
    )
    drawn = plot.sightings_svg(
        desk.sightings(actor, collection_id), f"Sightings over time / 検知の推移 — {title}"
    )
    return Response(drawn, media_type="image/svg+xml")


@router.get(
    "/collections/{collection_id}/bundle",
    summary="What you may read of a collection, as a STIX 2.1 bundle / STIXバンドルで出力",
    responses={200: {"content": {"application/stix+json;version=2.1": {}}}},
)
def export_bundle(
    collection_id: str, desk: CyberDep, actor: ActorDep, all_versions: bool = False
) -> Response:
    versions = ("all",) if all_versions else ("last",)
    found = bundle(desk.export(actor, collection_id, versions=versions))
    return Response(
        orjson.dumps(found),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": f'attachment; filename="{collection_id}.json"'},
    )
