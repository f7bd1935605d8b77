"""The industry desk's endpoints under /api/v1/industry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.desks import ActorDep, desk_dep

from .desk import IndustryDesk, SolveIn, SolveOut
from .model import Model

IndustryDep = Annotated[IndustryDesk, Depends(desk_dep("industry", IndustryDesk))]

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
