"""The exercise desk: bilateral exercises run from an MSEL, injects delivered
on the exercise's own clock through the ledger and federation, observations,
evaluations and the after-action report (issue 13)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.store.context import DeskContext

from .desk import ExerciseDesk
from .tables import (
    EVALUATION,
    EXERCISE,
    EXERCISE_ROLE,
    INJECT,
    INJECT_DELIVERY,
    OBJECT_TYPES,
    OBJECTIVE,
    OBSERVATION,
)

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> ExerciseDesk:
    return ExerciseDesk(ctx)


def _demo(desk: ExerciseDesk, nation: str, now: datetime) -> None:
    from .demo import content

    content(desk, nation, now)


def _routes() -> APIRouter:
    from .routes import router

    return router


DESK = DeskSpec(
    name="exercise",
    label=Text("Exercises", "演習"),
    object_types=OBJECT_TYPES,
    make=_make,
    routes=_routes,
    console=Path(__file__).parent / "console",
    demo=_demo,
)

__all__ = [
    "DESK",
    "EVALUATION",
    "EXERCISE",
    "EXERCISE_ROLE",
    "INJECT",
    "INJECT_DELIVERY",
    "OBJECTIVE",
    "OBSERVATION",
    "ExerciseDesk",
]
