"""Exercise endpoint for the after-action report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from alliance.desks import ActorDep, desk_dep

from .desk import ExerciseDesk
from .report import AarFormat

ExerciseDep = Annotated[ExerciseDesk, Depends(desk_dep("exercise", ExerciseDesk))]

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
