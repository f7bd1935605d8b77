"""The airspace desk's endpoints under /api/v1/airspace."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Depends, Query
from starlette.responses import Response

from alliance.core import limits, markings
from alliance.core.i18n import Text
from alliance.core.markings import Marking
from alliance.core.models import Trigraph, Version
from alliance.desks import ActorDep, RawBody, desk_dep

from . import geojson, kml
from .desk import AirspaceDesk
from .models import (
    AlertOut,
    CheckOut,
    ConflictOut,
    CoordinationOut,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    VolumeCheckIn,
)
from .volume import parse_volume

AirspaceDep = Annotated[AirspaceDesk, Depends(desk_dep("airspace", AirspaceDesk))]

router = APIRouter(prefix="/airspace", tags=["airspace"])


@router.get(
    "/measures",
    response_model=list[MeasureOut],
    summary="Coordination measures released to you / 提供された空域調整措置",
)
def list_measures(desk: AirspaceDep, actor: ActorDep) -> list[MeasureOut]:
    return desk.measures(actor)


@router.post(
    "/measures",
    response_model=MeasureOut,
    status_code=201,
    summary="Propose a coordination measure / 空域調整措置を提案",
)
def propose(data: MeasureIn, desk: AirspaceDep, actor: ActorDep) -> MeasureOut:
    return desk.propose(actor, data)


MEASURES_NOUN = Text("measures", "措置")


def _page(items: list[tuple[MeasureOut, Marking]], nation: str) -> markings.Page:
    return markings.page(
        ((m.id, mk, Text(m.designator, m.designator)) for m, mk in items), nation, MEASURES_NOUN
    )


@router.get(
    "/measures.geojson",
    summary="Measures released to you as GeoJSON / 提供された措置（GeoJSON）",
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def export_geojson(desk: AirspaceDep, actor: ActorDep) -> Response:
    items = desk.released(actor)
    page = _page(items, actor.nation)
    features = [
        geojson.feature(
            parse_volume(m.volume),
            {
                "owner": m.owner,
                "designator": m.designator,
                "kind": m.kind,
                "status": m.status,
                "portion": markings.joined(mk.marks(actor.nation).portion),
                "tlp": mk.tlp_label.en if mk.tlp_label else None,
            },
            id=m.id,
        )
        for m, mk in items
    ]
    body = {
        **geojson.collection(features),
        "banner": markings.joined(page.banner),
        "tlp": page.tlp_label.en if page.tlp_label else None,
        "banner_note": page.note.as_dict(),
    }
    return Response(content=orjson.dumps(body), media_type="application/geo+json")


@router.get(
    "/measures.kml",
    summary="Measures released to you as KML (TAK clients) / 提供された措置（KML）",
    responses={
        200: {"content": {"application/vnd.google-earth.kml+xml": {"schema": {"type": "string"}}}}
    },
)
def export_kml(desk: AirspaceDep, actor: ActorDep) -> Response:
    items = desk.released(actor)
    return Response(
        content=kml.document(items, _page(items, actor.nation), actor.nation),
        media_type="application/vnd.google-earth.kml+xml",
    )


@router.post(
    "/measures/import",
    response_model=list[MeasureOut],
    status_code=201,
    summary="Propose measures from a GeoJSON FeatureCollection, all or nothing "
    "/ GeoJSONから措置を一括提案（全件か無か）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A FeatureCollection; each feature's properties give designator, "
            "kind and name / 各地物のpropertiesに呼称・種別・名称",
            "content": {"application/geo+json": {"schema": {"type": "object"}}},
        }
    },
)
def import_geojson(
    desk: AirspaceDep,
    actor: ActorDep,
    body: RawBody,
    release: Annotated[
        list[Trigraph],
        Query(max_length=limits.MAX_RELEASABLE, description="Release the volumes to / 提供先"),
    ] = [],  # noqa: B006 - FastAPI copies a query default
) -> list[MeasureOut]:
    return desk.import_geojson(actor, body, release)


@router.get(
    "/measures/{measure_id}",
    response_model=MeasureOut,
    summary="One coordination measure / 空域調整措置",
)
def get_measure(measure_id: str, desk: AirspaceDep, actor: ActorDep) -> MeasureOut:
    return desk.measure(actor, measure_id)


@router.patch(
    "/measures/{measure_id}",
    response_model=MeasureOut,
    summary="Change one's own measure / 自国の措置を変更",
)
def change(measure_id: str, patch: MeasurePatch, desk: AirspaceDep, actor: ActorDep) -> MeasureOut:
    return desk.change(actor, measure_id, patch)


@router.post(
    "/measures/{measure_id}/approve",
    response_model=MeasureOut,
    summary="Approve a proposed measure / 提案中の措置を承認",
)
def approve(
    measure_id: str,
    desk: AirspaceDep,
    actor: ActorDep,
    version: Annotated[Version | None, Query(description="Expected version / 期待版数")] = None,
) -> MeasureOut:
    return desk.approve(actor, measure_id, version)


@router.post(
    "/measures/{measure_id}/withdraw",
    response_model=MeasureOut,
    summary="Withdraw a measure / 措置を取り下げ",
)
def withdraw(measure_id: str, desk: AirspaceDep, actor: ActorDep) -> MeasureOut:
    return desk.withdraw(actor, measure_id)


@router.get(
    "/measures/{measure_id}/conflicts",
    response_model=list[ConflictOut],
    summary="Conflicts of one measure / 措置の競合",
)
def measure_conflicts(measure_id: str, desk: AirspaceDep, actor: ActorDep) -> list[ConflictOut]:
    desk.measure(actor, measure_id)  # 404 unless released to the caller
    return desk.conflicts(actor, measure_id)


@router.get(
    "/conflicts",
    response_model=list[ConflictOut],
    summary="Conflicts among measures released to you / 提供された措置間の競合",
)
def list_conflicts(desk: AirspaceDep, actor: ActorDep) -> list[ConflictOut]:
    return desk.conflicts(actor)


@router.get(
    "/coordinations",
    response_model=list[CoordinationOut],
    summary="Coordination requests opened about conflicts / 競合の調整要請",
)
def list_coordinations(desk: AirspaceDep, actor: ActorDep) -> list[CoordinationOut]:
    return desk.coordinations(actor)


@router.get(
    "/coordinations/{coordination_id}",
    response_model=CoordinationOut,
    summary="One conflict's coordination request / 競合の調整要請",
)
def get_coordination(coordination_id: str, desk: AirspaceDep, actor: ActorDep) -> CoordinationOut:
    return desk.coordination(actor, coordination_id)


@router.get(
    "/alerts",
    response_model=list[AlertOut],
    summary="Unmanned aircraft outside their volumes / 無人機の逸脱警報",
)
def list_alerts(desk: AirspaceDep, actor: ActorDep) -> list[AlertOut]:
    return desk.alerts(actor)


@router.get(
    "/alerts/{alert_id}",
    response_model=AlertOut,
    summary="One conformance alert / 逸脱警報",
)
def get_alert(alert_id: str, desk: AirspaceDep, actor: ActorDep) -> AlertOut:
    return desk.alert(actor, alert_id)


@router.post(
    "/check",
    response_model=CheckOut,
    summary="Deconflict a draft volume, storing nothing / 草案の空域を照合（保存しない）",
)
def check(desk: AirspaceDep, actor: ActorDep, data: Annotated[VolumeCheckIn, Body()]) -> CheckOut:
    return CheckOut(conflicts=desk.check(actor, data.volume.raw(), data.id))
