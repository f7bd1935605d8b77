"""Exercise endpoints: exercises, objectives, roles, the MSEL and its sheets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.desks import desk_dep

from .desk import ExerciseDesk

ExerciseDep = Annotated[ExerciseDesk, Depends(desk_dep("exercise", ExerciseDesk))]

router = APIRouter(prefix="/exercises", tags=["exercise"])
