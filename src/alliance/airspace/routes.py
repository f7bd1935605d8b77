"""The airspace desk's endpoints under /api/v1/airspace."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.responses import Response

from alliance.core.models import Version
from alliance.desks import ActorDep, desk_dep

from . import geojson
from .desk import AirspaceDesk
from .models import (
    AlertOut,
    CheckOut,
    ConflictOut,
    CoordinationOut,
    MeasureIn,
    MeasureOut,
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


@router.get(
    "/measures.geojson",
    summary="Measures released to you as GeoJSON / 提供された措置（GeoJSON）",
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def export_geojson(desk: AirspaceDep, actor: ActorDep) -> Response:
    features = [
        geojson.feature(
            parse_volume(m.volume),
            {"owner": m.owner, "designator": m.designator, "kind": m.kind, "status": m.status},
            id=m.id,
        )
        for m in desk.measures(actor)
    ]
    return Response(content=_json(geojson.collection(features)), media_type="application/geo+json")


@router.get(
    "/measures/{measure_id}",
    response_model=MeasureOut,
    summary="One coordination measure / 空域調整措置",
)
def get_measure(measure_id: str, desk: AirspaceDep, actor: ActorDep) -> MeasureOut:
    return desk.measure(actor, measure_id)


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


def _json(data: Any) -> bytes:
    import orjson

    return orjson.dumps(data)
