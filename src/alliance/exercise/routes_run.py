"""Exercise endpoints for running an exercise: the clock, inboxes,
observations and evaluations.

New deliveries are announced on the node's live stream (``GET
/api/v1/stream``): each is a ``change`` event of type ``inject_delivery``,
sent to the nations the delivery is released to (the owner's own node and,
once federation has applied it, the partner's); the inbox pane refetches its
inbox on one. No stream of its own: the console has one per user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from alliance.core.models import Slug
from alliance.desks import ActorDep

from .deps import ExerciseDep
from .models import (
    ClockChangeIn,
    ClockSetIn,
    ClockSpeedIn,
    ClockStartIn,
    DeliveryOut,
    ExerciseOut,
    ExerciseTimeOut,
)

router = APIRouter(prefix="/exercises", tags=["exercise"])


@router.get(
    "/{exercise_id}/clock",
    response_model=ExerciseTimeOut,
    summary="The exercise time now / 現在の演習時刻",
)
def exercise_time(exercise_id: str, desk: ExerciseDep, actor: ActorDep) -> ExerciseTimeOut:
    return desk.exercise_time(actor, exercise_id)


@router.post(
    "/{exercise_id}/clock/start",
    response_model=ExerciseOut,
    summary="Start the exercise clock (controller) / 演習時計を開始（統制官）",
)
def start_clock(
    exercise_id: str, data: ClockStartIn, desk: ExerciseDep, actor: ActorDep
) -> ExerciseOut:
    return desk.start_clock(actor, exercise_id, data)


@router.post(
    "/{exercise_id}/clock/pause",
    response_model=ExerciseOut,
    summary="Pause the exercise clock (controller) / 演習時計を一時停止（統制官）",
)
def pause_clock(
    exercise_id: str, data: ClockChangeIn, desk: ExerciseDep, actor: ActorDep
) -> ExerciseOut:
    return desk.pause_clock(actor, exercise_id, data)


@router.post(
    "/{exercise_id}/clock/resume",
    response_model=ExerciseOut,
    summary="Resume the exercise clock (controller) / 演習時計を再開（統制官）",
)
def resume_clock(
    exercise_id: str, data: ClockChangeIn, desk: ExerciseDep, actor: ActorDep
) -> ExerciseOut:
    return desk.resume_clock(actor, exercise_id, data)


@router.post(
    "/{exercise_id}/clock/speed",
    response_model=ExerciseOut,
    summary="Change the clock's speed (controller) / 時計の速度を変更（統制官）",
)
def set_speed(
    exercise_id: str, data: ClockSpeedIn, desk: ExerciseDep, actor: ActorDep
) -> ExerciseOut:
    return desk.set_speed(actor, exercise_id, data)


@router.post(
    "/{exercise_id}/clock/set",
    response_model=ExerciseOut,
    summary="Set the exercise time forward (controller) / 演習時刻を進める（統制官）",
)
def set_time(exercise_id: str, data: ClockSetIn, desk: ExerciseDep, actor: ActorDep) -> ExerciseOut:
    return desk.set_time(actor, exercise_id, data)


@router.post(
    "/{exercise_id}/clock/end",
    response_model=ExerciseOut,
    summary="End the exercise (controller) / 演習を終了（統制官）",
)
def end_clock(
    exercise_id: str, data: ClockChangeIn, desk: ExerciseDep, actor: ActorDep
) -> ExerciseOut:
    return desk.end_clock(actor, exercise_id, data)


@router.get(
    "/{exercise_id}/inbox",
    response_model=list[DeliveryOut],
    summary="Injects delivered to your HQ (or hq_id) / 自司令部（またはhq_id）への状況付与",
)
def inbox(
    exercise_id: str,
    desk: ExerciseDep,
    actor: ActorDep,
    hq_id: Annotated[Slug | None, Query()] = None,
) -> list[DeliveryOut]:
    return desk.inbox(actor, hq_id, exercise_id)
