"""Plans desk endpoints: plans and their national lines, approvals, execution,
comments and proposals, revisions and their diff, the synchronization matrix.

Real operation plans are classified: this node holds exercise and template
plans only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from alliance.core import limits
from alliance.desks import ActorDep, desk_dep
from alliance.plans.desk import PlansDesk
from alliance.plans.models import (
    ApprovalIn,
    ApprovalOut,
    CommentIn,
    CommentOut,
    DiffOut,
    ExecuteIn,
    PlanIn,
    PlanLineIn,
    PlanLineOut,
    PlanLinePatch,
    PlanOut,
    PlanPatch,
    RevisionOut,
    SyncMatrixOut,
)

PlansDep = Annotated[PlansDesk, Depends(desk_dep("plans", PlansDesk))]
RevisionQuery = Annotated[int, Query(ge=1, le=limits.MAX_VERSION, description="A revision")]

router = APIRouter(prefix="/plans", tags=["plans"])

_CLASSIFIED = " (exercise and template plans only: real plans are classified / 演習用・ひな型のみ)"


@router.get("", response_model=list[PlanOut], summary="Plans / 計画一覧" + _CLASSIFIED)
def list_plans(desk: PlansDep, actor: ActorDep) -> list[PlanOut]:
    return desk.list_plans(actor)


@router.post(
    "",
    response_model=PlanOut,
    status_code=201,
    summary="Draft a plan (the lead nation) / 計画を起案（主導国）" + _CLASSIFIED,
)
def create_plan(data: PlanIn, desk: PlansDep, actor: ActorDep) -> PlanOut:
    return desk.create_plan(actor, data)


@router.get("/lines/{line_id}", response_model=PlanLineOut, summary="A plan line / 計画の系列")
def get_line(line_id: str, desk: PlansDep, actor: ActorDep) -> PlanLineOut:
    return desk.get_line(actor, line_id)


@router.patch(
    "/lines/{line_id}",
    response_model=PlanLineOut,
    summary="Amend your nation's line (a new revision) / 自国の系列を修正（新しい版）",
)
def update_line(line_id: str, data: PlanLinePatch, desk: PlansDep, actor: ActorDep) -> PlanLineOut:
    return desk.update_line(actor, line_id, data)


@router.get("/{plan_id}", response_model=PlanOut, summary="A plan with its lines / 計画と系列")
def get_plan(plan_id: str, desk: PlansDep, actor: ActorDep) -> PlanOut:
    return desk.get_plan(actor, plan_id)


@router.patch(
    "/{plan_id}",
    response_model=PlanOut,
    summary="Amend the plan (the lead; a new revision) / 計画を修正（主導国、新しい版）",
)
def update_plan(plan_id: str, data: PlanPatch, desk: PlansDep, actor: ActorDep) -> PlanOut:
    return desk.update_plan(actor, plan_id, data)


@router.post(
    "/{plan_id}/lines",
    response_model=PlanLineOut,
    status_code=201,
    summary="Add your nation's line / 自国の系列を追加",
)
def add_line(plan_id: str, data: PlanLineIn, desk: PlansDep, actor: ActorDep) -> PlanLineOut:
    return desk.add_line(actor, plan_id, data)


@router.get(
    "/{plan_id}/approvals",
    response_model=list[ApprovalOut],
    summary="Each nation's approvals and executions / 各国の承認・実行",
)
def approvals(plan_id: str, desk: PlansDep, actor: ActorDep) -> list[ApprovalOut]:
    return desk.approvals(actor, plan_id)


@router.post(
    "/{plan_id}/approvals",
    response_model=ApprovalOut,
    status_code=201,
    summary="Approve your nation's lines of this exact revision / 自国の系列（この版）を承認",
)
def approve(plan_id: str, data: ApprovalIn, desk: PlansDep, actor: ActorDep) -> ApprovalOut:
    return desk.approve(actor, plan_id, data)


@router.post(
    "/{plan_id}/execute",
    response_model=ApprovalOut,
    status_code=201,
    summary="Execute your nation's lines of the approved revision (issues its taskings) / "
    "承認された版の自国の系列を実行（任務付与）",
)
def execute(plan_id: str, data: ExecuteIn, desk: PlansDep, actor: ActorDep) -> ApprovalOut:
    return desk.execute(actor, plan_id, data)


@router.get("/{plan_id}/comments", response_model=list[CommentOut], summary="Comments / 意見・提案")
def comments(plan_id: str, desk: PlansDep, actor: ActorDep) -> list[CommentOut]:
    return desk.comments(actor, plan_id)


@router.post(
    "/{plan_id}/comments",
    response_model=CommentOut,
    status_code=201,
    summary="Comment on the plan or a line, or propose a change / 意見・変更提案",
)
def comment(plan_id: str, data: CommentIn, desk: PlansDep, actor: ActorDep) -> CommentOut:
    return desk.comment(actor, plan_id, data)


@router.get(
    "/{plan_id}/revisions", response_model=list[RevisionOut], summary="Revisions / 版の一覧"
)
def revisions(plan_id: str, desk: PlansDep, actor: ActorDep) -> list[RevisionOut]:
    return desk.revisions(actor, plan_id)


@router.get(
    "/{plan_id}/diff",
    response_model=DiffOut,
    summary="What changed between two revisions / 版の差分",
)
def diff(
    plan_id: str,
    desk: PlansDep,
    actor: ActorDep,
    start: Annotated[RevisionQuery, Query(alias="from")],
    end: Annotated[int | None, Query(alias="to", ge=1, le=limits.MAX_VERSION)] = None,
) -> DiffOut:
    return desk.diff(actor, plan_id, start, end)


@router.get(
    "/{plan_id}/sync",
    response_model=SyncMatrixOut,
    summary="The synchronization matrix / 同期マトリクス",
)
def sync_matrix(plan_id: str, desk: PlansDep, actor: ActorDep) -> SyncMatrixOut:
    return desk.sync_matrix(actor, plan_id)


@router.get(
    "/{plan_id}/sync.svg",
    response_class=Response,
    summary="The synchronization matrix as SVG / 同期マトリクス（SVG）",
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
def sync_svg(plan_id: str, desk: PlansDep, actor: ActorDep) -> Response:
    return Response(desk.sync_matrix_image(actor, plan_id, "svg"), media_type="image/svg+xml")


@router.get(
    "/{plan_id}/sync.png",
    response_class=Response,
    summary="The synchronization matrix as PNG / 同期マトリクス（PNG）",
    responses={200: {"content": {"image/png": {"schema": {"type": "string"}}}}},
)
def sync_png(plan_id: str, desk: PlansDep, actor: ActorDep) -> Response:
    return Response(desk.sync_matrix_image(actor, plan_id, "png"), media_type="image/png")
