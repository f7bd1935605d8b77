"""The industry desk's endpoints under /api/v1/industry."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from alliance.desks import ActorDep, desk_dep

from .desk import IndustryDesk, SolveIn, SolveOut
from .model import Model
from .plan import Plan
from .plots import plan_figure
from .records import (
    DatasetIn,
    DatasetOut,
    DatasetPatch,
    JointApprovalIn,
    JointApprovalOut,
    JointPlanIn,
    JointPlanOut,
    JointPlanRevise,
    ReleaseIn,
    ReleaseOut,
)
from .tables import plan_csv, plan_xlsx

IndustryDep = Annotated[IndustryDesk, Depends(desk_dep("industry", IndustryDesk))]

PlotName = Literal["production", "deliveries", "shortfall", "bottlenecks"]
PlotFormat = Literal["svg", "png"]
ExportFormat = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/industry", tags=["industry"])


@router.get(
    "/example",
    response_model=Model,
    summary="The illustrative co-production model (fictional) / 例示用の共同生産モデル（架空）",
)
def example(desk: IndustryDep, actor: ActorDep) -> Model:
    return desk.example(actor)


@router.post(
    "/solve",
    response_model=SolveOut,
    summary="Solve a model and its scenarios with HiGHS / モデルとシナリオをHiGHSで解く",
)
def solve(data: SolveIn, desk: IndustryDep, actor: ActorDep) -> SolveOut:
    return desk.solve(actor, data)


# -- stored: datasets, releases, joint plans, approvals ------------------------------


@router.get(
    "/datasets",
    response_model=list[DatasetOut],
    summary="Your nation's industrial datasets (national only) / 自国の産業データセット（自国限り）",
)
def list_datasets(desk: IndustryDep, actor: ActorDep) -> list[DatasetOut]:
    return desk.datasets(actor)


@router.post(
    "/datasets",
    response_model=DatasetOut,
    status_code=201,
    summary="Store your nation's own detail (never released) / 自国の詳細を保存（提供されない）",
)
def create_dataset(data: DatasetIn, desk: IndustryDep, actor: ActorDep) -> DatasetOut:
    return desk.create_dataset(actor, data)


@router.get("/datasets/{dataset_id}", response_model=DatasetOut, summary="A dataset / データセット")
def get_dataset(dataset_id: str, desk: IndustryDep, actor: ActorDep) -> DatasetOut:
    return desk.dataset(actor, dataset_id)


@router.patch(
    "/datasets/{dataset_id}",
    response_model=DatasetOut,
    summary="Change a dataset / データセットを変更",
)
def change_dataset(
    dataset_id: str, patch: DatasetPatch, desk: IndustryDep, actor: ActorDep
) -> DatasetOut:
    return desk.change_dataset(actor, dataset_id, patch)


@router.post(
    "/datasets/{dataset_id}/releases",
    response_model=ReleaseOut,
    status_code=201,
    summary="Release a dataset's aggregates to partners (a commander's decision) / "
    "データセットの集計値を相手国に提供（指揮官の決定）",
)
def release(dataset_id: str, data: ReleaseIn, desk: IndustryDep, actor: ActorDep) -> ReleaseOut:
    return desk.release(actor, dataset_id, data)


@router.get(
    "/releases",
    response_model=list[ReleaseOut],
    summary="Released aggregates, yours and partners' / 提供された集計値（自国・相手国）",
)
def list_releases(desk: IndustryDep, actor: ActorDep) -> list[ReleaseOut]:
    return desk.releases(actor)


@router.get("/releases/{release_id}", response_model=ReleaseOut, summary="A release / 提供集計値")
def get_release(release_id: str, desk: IndustryDep, actor: ActorDep) -> ReleaseOut:
    return desk.release_of(actor, release_id)


@router.get("/plans", response_model=list[JointPlanOut], summary="Joint plans / 共同生産計画")
def list_plans(desk: IndustryDep, actor: ActorDep) -> list[JointPlanOut]:
    return desk.plans(actor)


@router.post(
    "/plans",
    response_model=JointPlanOut,
    status_code=201,
    summary="Solve a joint plan on your dataset and partners' releases / "
    "自国データセットと相手国の提供集計値で共同計画を求解",
)
def create_plan(data: JointPlanIn, desk: IndustryDep, actor: ActorDep) -> JointPlanOut:
    return desk.create_plan(actor, data)


@router.get("/plans/{plan_id}", response_model=JointPlanOut, summary="A joint plan / 共同生産計画")
def get_plan(plan_id: str, desk: IndustryDep, actor: ActorDep) -> JointPlanOut:
    return desk.plan(actor, plan_id)


@router.post(
    "/plans/{plan_id}/revisions",
    response_model=JointPlanOut,
    summary="Solve again: a new revision / 再求解（新しい版）",
)
def revise_plan(
    plan_id: str, data: JointPlanRevise, desk: IndustryDep, actor: ActorDep
) -> JointPlanOut:
    return desk.revise_plan(actor, plan_id, data)


@router.post(
    "/plans/{plan_id}/approvals",
    response_model=JointApprovalOut,
    status_code=201,
    summary="Approve (or withdraw) one revision, by its content hash / 版を承認（又は撤回）",
)
def approve(
    plan_id: str, data: JointApprovalIn, desk: IndustryDep, actor: ActorDep
) -> JointApprovalOut:
    return desk.approve(actor, plan_id, data)


@router.get(
    "/plans/{plan_id}/detail",
    response_model=Plan,
    summary="Your own plan in full, per line and supplier (the owner only; solved again, "
    "never stored) / 自国の計画の詳細（所有国のみ・再求解、保存しない）",
)
def plan_detail(plan_id: str, desk: IndustryDep, actor: ActorDep) -> Plan:
    return desk.detail(actor, plan_id)


@router.get(
    "/plans/{plan_id}/plots/{what}.{fmt}",
    response_class=Response,
    summary="A plot of the plan (production, deliveries, shortfall, bottlenecks) / 計画の図",
)
def plan_plot(
    plan_id: str, what: PlotName, fmt: PlotFormat, desk: IndustryDep, actor: ActorDep
) -> Response:
    plan = desk.stored_plan(actor, plan_id)
    body = plan_figure(plan, what, fmt)
    return Response(body, media_type="image/svg+xml" if fmt == "svg" else "image/png")


@router.get(
    "/plans/{plan_id}/export.{fmt}",
    response_class=Response,
    summary="The plan's series as CSV or XLSX / 計画の系列（CSV・XLSX）",
)
def plan_export(plan_id: str, fmt: ExportFormat, desk: IndustryDep, actor: ActorDep) -> Response:
    plan = desk.stored_plan(actor, plan_id)
    if fmt == "csv":
        return Response(plan_csv(plan), media_type="text/csv; charset=utf-8")
    return Response(plan_xlsx(plan), media_type=XLSX)
