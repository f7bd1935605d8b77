"""Org desk endpoints: HQs, units, command relationships, counterparts, taskings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse, Response

from alliance.desks import ActorDep, desk_dep
from alliance.org.desk import OrgDesk
from alliance.org.export import dump, export_document
from alliance.org.facts import FactsOut
from alliance.org.models import (
    CounterpartIn,
    CounterpartOut,
    Domain,
    HqIn,
    HqOut,
    HqPatch,
    NationOut,
    RelationshipIn,
    RelationshipOut,
    TaskingIn,
    TaskingOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)

OrgDep = Annotated[OrgDesk, Depends(desk_dep("org", OrgDesk))]

router = APIRouter(prefix="/org", tags=["org"])


@router.get("/nations", response_model=list[NationOut], summary="Nations / 国")
def nations(desk: OrgDep, actor: ActorDep) -> list[NationOut]:
    return desk.nations(actor)


@router.get(
    "/facts",
    response_model=FactsOut,
    summary=(
        "Public facts with their sources, and exercise assumptions apart "
        "/ 出典付きの公開情報と演習想定（架空）"
    ),
)
def facts(desk: OrgDep, actor: ActorDep) -> FactsOut:
    return desk.facts(actor)


@router.get("/hqs", response_model=list[HqOut], summary="HQs / 司令部一覧")
def list_hqs(desk: OrgDep, actor: ActorDep, nation: str | None = None) -> list[HqOut]:
    return desk.list_hqs(actor, nation)


@router.post("/hqs", response_model=HqOut, status_code=201, summary="Create an HQ / 司令部を作成")
def create_hq(data: HqIn, desk: OrgDep, actor: ActorDep) -> HqOut:
    return desk.create_hq(actor, data)


@router.get("/hqs/{hq_id}", response_model=HqOut, summary="One HQ / 司令部")
def get_hq(hq_id: str, desk: OrgDep, actor: ActorDep) -> HqOut:
    return desk.get_hq(actor, hq_id)


@router.patch(
    "/hqs/{hq_id}",
    response_model=HqOut,
    summary="Change an HQ (owner only) / 司令部を変更（所有国のみ）",
)
def update_hq(hq_id: str, data: HqPatch, desk: OrgDep, actor: ActorDep) -> HqOut:
    return desk.update_hq(actor, hq_id, data)


@router.get(
    "/hqs/{hq_id}/counterparts",
    response_model=list[HqOut],
    summary="Counterpart HQs / カウンターパート司令部",
)
def hq_counterparts(hq_id: str, desk: OrgDep, actor: ActorDep) -> list[HqOut]:
    return desk.counterparts_of(actor, hq_id)


@router.get("/units", response_model=list[UnitOut], summary="Units / 部隊一覧")
def list_units(
    desk: OrgDep,
    actor: ActorDep,
    hq_id: str | None = None,
    nation: str | None = None,
    domain: Domain | None = None,
) -> list[UnitOut]:
    return desk.list_units(actor, hq_id=hq_id, nation=nation, domain=domain)


@router.post(
    "/units", response_model=UnitOut, status_code=201, summary="Create a unit / 部隊を作成"
)
def create_unit(data: UnitIn, desk: OrgDep, actor: ActorDep) -> UnitOut:
    return desk.create_unit(actor, data)


@router.get("/units/{unit_id}", response_model=UnitOut, summary="One unit / 部隊")
def get_unit(unit_id: str, desk: OrgDep, actor: ActorDep) -> UnitOut:
    return desk.get_unit(actor, unit_id)


@router.patch(
    "/units/{unit_id}",
    response_model=UnitOut,
    summary="Change a unit (owner only) / 部隊を変更（所有国のみ）",
)
def update_unit(unit_id: str, data: UnitPatch, desk: OrgDep, actor: ActorDep) -> UnitOut:
    return desk.update_unit(actor, unit_id, data)


@router.get(
    "/relationships",
    response_model=list[RelationshipOut],
    summary="Command and support relationships / 指揮・支援関係",
)
def list_relationships(
    desk: OrgDep, actor: ActorDep, party_id: str | None = None
) -> list[RelationshipOut]:
    return desk.list_relationships(actor, party_id)


@router.post(
    "/relationships",
    response_model=RelationshipOut,
    status_code=201,
    summary="Establish a relationship / 関係を設定",
)
def create_relationship(data: RelationshipIn, desk: OrgDep, actor: ActorDep) -> RelationshipOut:
    return desk.create_relationship(actor, data)


@router.post(
    "/relationships/{rel_id}/revoke",
    response_model=RelationshipOut,
    summary="Revoke a relationship / 関係を解除",
)
def revoke_relationship(rel_id: str, desk: OrgDep, actor: ActorDep) -> RelationshipOut:
    return desk.revoke_relationship(actor, rel_id)


@router.get(
    "/counterparts",
    response_model=list[CounterpartOut],
    summary="Counterpart links / カウンターパート",
)
def list_counterparts(desk: OrgDep, actor: ActorDep) -> list[CounterpartOut]:
    return desk.list_counterparts(actor)


@router.post(
    "/counterparts",
    response_model=CounterpartOut,
    status_code=201,
    summary="Link a counterpart HQ / カウンターパートを登録",
)
def create_counterpart(data: CounterpartIn, desk: OrgDep, actor: ActorDep) -> CounterpartOut:
    return desk.create_counterpart(actor, data)


@router.get("/taskings", response_model=list[TaskingOut], summary="Taskings / 任務付与一覧")
def list_taskings(desk: OrgDep, actor: ActorDep, unit_id: str | None = None) -> list[TaskingOut]:
    return desk.list_taskings(actor, unit_id)


@router.post(
    "/taskings",
    response_model=TaskingOut,
    status_code=201,
    summary="Task a unit (own chain of command only) / 部隊に任務付与（自国の指揮系統のみ）",
)
def task_unit(data: TaskingIn, desk: OrgDep, actor: ActorDep) -> TaskingOut:
    return desk.task_unit(actor, data)


@router.get(
    "/export",
    response_class=Response,
    summary="Export what is released to your nation / 自国へ提供可の組織を出力",
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/yaml": {"schema": {"type": "object"}},  # the same document
            }
        }
    },
)
def export(
    desk: OrgDep, actor: ActorDep, format: Literal["yaml", "json"] = "yaml"
) -> PlainTextResponse:
    media = "application/json" if format == "json" else "application/yaml"
    return PlainTextResponse(
        dump(export_document(desk.ctx, actor.nation), format), media_type=media
    )
