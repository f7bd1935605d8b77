"""Exercise endpoints for what the players did: observations (a controller's
record of the response to a delivery), evaluations (an evaluator's T/P/U
rating against an objective), and the after-action report built from them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from alliance.desks import ActorDep

from .deps import ExerciseDep
from .models import EvaluationIn, EvaluationOut, ObservationIn, ObservationOut
from .report import AarFormat

router = APIRouter(prefix="/exercises", tags=["exercise"])


@router.get(
    "/{exercise_id}/aar",
    summary="After-action report, as released to your nation / 事後検討報告（自国へ提供された範囲）",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}, "text/csv": {}}}},
)
def aar(
    exercise_id: str,
    desk: ExerciseDep,
    actor: ActorDep,
    format: AarFormat = AarFormat.HTML,
) -> Response:
    out = desk.render_report(actor, exercise_id, format)
    disposition = "inline" if format in (AarFormat.HTML, AarFormat.PDF) else "attachment"
    return Response(
        out.body,
        media_type=out.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{out.filename}"'},
    )


@router.post(
    "/observations",
    response_model=ObservationOut,
    status_code=201,
    summary="Record the players' response to a delivery / 対応の観察記録",
)
def observe(data: ObservationIn, desk: ExerciseDep, actor: ActorDep) -> ObservationOut:
    return desk.observe(actor, data)


@router.get(
    "/{exercise_id}/observations",
    response_model=list[ObservationOut],
    summary="Observations released to your nation / 自国へ提供された観察記録",
)
def observations(exercise_id: str, desk: ExerciseDep, actor: ActorDep) -> list[ObservationOut]:
    return desk.observations(actor, exercise_id)


@router.post(
    "/observations/{observation_id}/evaluations",
    response_model=EvaluationOut,
    status_code=201,
    summary="Rate an observation against an objective / 観察記録を訓練目標に照らして評価",
)
def evaluate(
    observation_id: str, data: EvaluationIn, desk: ExerciseDep, actor: ActorDep
) -> EvaluationOut:
    return desk.evaluate(actor, observation_id, data)


@router.get(
    "/{exercise_id}/evaluations",
    response_model=list[EvaluationOut],
    summary="Evaluations released to your nation / 自国へ提供された評価",
)
def evaluations(exercise_id: str, desk: ExerciseDep, actor: ActorDep) -> list[EvaluationOut]:
    return desk.evaluations(actor, exercise_id)
