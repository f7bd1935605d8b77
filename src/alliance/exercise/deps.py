"""The exercise desk as a FastAPI dependency, shared by its routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from alliance.desks import desk_dep

from .desk import ExerciseDesk

ExerciseDep = Annotated[ExerciseDesk, Depends(desk_dep("exercise", ExerciseDesk))]

__all__ = ["ExerciseDep"]
