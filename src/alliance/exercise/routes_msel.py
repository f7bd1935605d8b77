"""Exercise endpoints: exercises, objectives, roles, the MSEL and its sheets.

A sheet is imported as the request body itself, not a multipart form:
``curl --data-binary @msel.csv -H 'Content-Type: text/csv' .../msel/import``,
or from the console ``fetch(url, {method: "POST", body: file})`` with the
picked file (its type sets the Content-Type). ``?format=csv|xlsx`` says which
it is when the content type does not.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from alliance.core import limits
from alliance.core.models import Moment
from alliance.desks import ActorDep, RawBody

from .deps import ExerciseDep
from .models import (
    ExerciseIn,
    ExerciseOut,
    InjectIn,
    InjectOut,
    InjectPatch,
    InjectQuery,
    InjectState,
    InjectStepIn,
    Method,
    ObjectiveIn,
    ObjectiveOut,
    RoleIn,
    RoleOut,
    SheetFormat,
    SheetImportOut,
)
from .msel_io import MEDIA_TYPES

router = APIRouter(prefix="/exercises", tags=["exercise"])


# -- exercises -------------------------------------------------------------------


@router.get("", response_model=list[ExerciseOut], summary="Exercises / 演習一覧")
def list_exercises(desk: ExerciseDep, actor: ActorDep) -> list[ExerciseOut]:
    return desk.list_exercises(actor)


@router.post(
    "",
    response_model=ExerciseOut,
    status_code=201,
    summary="Plan an exercise led by your nation / 自国主催の演習を計画",
)
def create_exercise(data: ExerciseIn, desk: ExerciseDep, actor: ActorDep) -> ExerciseOut:
    return desk.create_exercise(actor, data)


@router.get("/{exercise_id}", response_model=ExerciseOut, summary="One exercise / 演習")
def get_exercise(exercise_id: str, desk: ExerciseDep, actor: ActorDep) -> ExerciseOut:
    return desk.get_exercise(actor, exercise_id)


# -- roles in an exercise -----------------------------------------------------------


@router.get(
    "/{exercise_id}/roles",
    response_model=list[RoleOut],
    summary="Roles your nation gave in the exercise / 自国が付与した演習内の役割",
)
def list_roles(exercise_id: str, desk: ExerciseDep, actor: ActorDep) -> list[RoleOut]:
    return desk.roles(actor, exercise_id)


@router.post(
    "/{exercise_id}/roles",
    response_model=RoleOut,
    status_code=201,
    summary="Give one of your people a role in the exercise / 自国の要員に演習内の役割を付与",
)
def assign_role(exercise_id: str, data: RoleIn, desk: ExerciseDep, actor: ActorDep) -> RoleOut:
    return desk.assign_role(actor, exercise_id, data)


@router.delete(
    "/roles/{role_id}",
    response_model=RoleOut,
    summary="Take back a role in an exercise / 演習内の役割を解除",
)
def revoke_role(role_id: str, desk: ExerciseDep, actor: ActorDep) -> RoleOut:
    return desk.revoke_role(actor, role_id)


# -- training objectives ----------------------------------------------------------


@router.get(
    "/{exercise_id}/objectives",
    response_model=list[ObjectiveOut],
    summary="Training objectives / 訓練目標一覧",
)
def list_objectives(exercise_id: str, desk: ExerciseDep, actor: ActorDep) -> list[ObjectiveOut]:
    return desk.list_objectives(actor, exercise_id)


@router.post(
    "/{exercise_id}/objectives",
    response_model=ObjectiveOut,
    status_code=201,
    summary="Add your nation's training objective / 自国の訓練目標を追加",
)
def create_objective(
    exercise_id: str, data: ObjectiveIn, desk: ExerciseDep, actor: ActorDep
) -> ObjectiveOut:
    return desk.create_objective(actor, exercise_id, data)


# -- the MSEL -------------------------------------------------------------------------

Filter = Annotated[str | None, Query(max_length=limits.ID)]


@router.get(
    "/{exercise_id}/injects",
    response_model=list[InjectOut],
    summary="Your nation's MSEL, by due time / 自国のMSEL（付与時刻順）",
)
def list_injects(
    exercise_id: str,
    desk: ExerciseDep,
    actor: ActorDep,
    state: InjectState | None = None,
    addressee_hq_id: Filter = None,
    method: Method | None = None,
    objective_id: Filter = None,
    q: Annotated[str | None, Query(max_length=limits.TITLE)] = None,
    due_from: Moment | None = None,
    due_to: Moment | None = None,
) -> list[InjectOut]:
    query = InjectQuery(
        state=state,
        addressee_hq_id=addressee_hq_id,
        method=method,
        objective_id=objective_id,
        q=q,
        due_from=due_from,
        due_to=due_to,
    )
    return desk.list_injects(actor, exercise_id, query)


@router.post(
    "/{exercise_id}/injects",
    response_model=InjectOut,
    status_code=201,
    summary="Write an MSEL row (an inject) / MSEL行（状況付与）を作成",
)
def create_inject(
    exercise_id: str, data: InjectIn, desk: ExerciseDep, actor: ActorDep
) -> InjectOut:
    return desk.create_inject(actor, exercise_id, data)


@router.patch(
    "/injects/{inject_id}",
    response_model=InjectOut,
    summary="Change an MSEL row before delivery (an approved one returns to draft) "
    "/ 付与前のMSEL行を変更（承認済みは起案中に戻る）",
)
def update_inject(
    inject_id: str, data: InjectPatch, desk: ExerciseDep, actor: ActorDep
) -> InjectOut:
    return desk.update_inject(actor, inject_id, data)


@router.post(
    "/injects/{inject_id}/approve",
    response_model=InjectOut,
    summary="Approve an MSEL row for delivery / MSEL行を付与可として承認",
)
def approve_inject(
    inject_id: str, data: InjectStepIn, desk: ExerciseDep, actor: ActorDep
) -> InjectOut:
    return desk.approve_inject(actor, inject_id, data.version)


@router.post(
    "/injects/{inject_id}/cancel",
    response_model=InjectOut,
    summary="Cancel an MSEL row before delivery / 付与前のMSEL行を取消し",
)
def cancel_inject(
    inject_id: str, data: InjectStepIn, desk: ExerciseDep, actor: ActorDep
) -> InjectOut:
    return desk.cancel_inject(actor, inject_id, data)


# -- the MSEL as a sheet ----------------------------------------------------------------


_SHEET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The sheet file itself (not a multipart form) / シートのファイルそのもの",
        "content": {
            MEDIA_TYPES[SheetFormat.CSV]: {"schema": {"type": "string"}},
            MEDIA_TYPES[SheetFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/{exercise_id}/msel/import",
    response_model=SheetImportOut,
    status_code=201,
    summary="Import MSEL rows from a CSV or XLSX sheet, all or nothing "
    "/ CSV・XLSXのシートからMSEL行を取込み（全行か無か）",
    openapi_extra=_SHEET_BODY,
)
def import_sheet(
    exercise_id: str,
    desk: ExerciseDep,
    actor: ActorDep,
    body: RawBody,
    format: SheetFormat | None = None,
    content_type: Annotated[str | None, Header(max_length=limits.TITLE)] = None,
) -> SheetImportOut:
    return desk.import_sheet(actor, exercise_id, body, format, content_type)


@router.get(
    "/{exercise_id}/msel/export",
    response_class=Response,
    summary="Export your nation's MSEL as CSV or XLSX / 自国のMSELをCSV・XLSXで出力",
    responses={
        200: {
            "content": {
                MEDIA_TYPES[SheetFormat.CSV]: {"schema": {"type": "string"}},
                MEDIA_TYPES[SheetFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def export_sheet(
    exercise_id: str,
    desk: ExerciseDep,
    actor: ActorDep,
    format: SheetFormat = SheetFormat.CSV,
    lang: Literal["en", "ja"] = "en",
) -> Response:
    sheet = desk.export_sheet(actor, exercise_id, format, lang)
    return Response(
        sheet.data,
        media_type=sheet.media_type,
        headers={"Content-Disposition": f'attachment; filename="{sheet.filename}"'},
    )
