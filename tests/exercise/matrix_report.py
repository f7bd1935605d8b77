"""What the players did, in the authorization matrix: observations,
evaluations and the after-action report (declared for the desk in
``tests/exercise/matrix.py``).

In the matrix world each nation's commander owns its exercises (the owner
holds every exercise role: controller and evaluator too), nobody else is a
controller or an evaluator, and nobody holds a role in the partner's
exercise. So recording an observation or an evaluation is the commander's,
in the nation's own exercise; reading them is anyone's who sees the
exercise (each is released as its writer chose); the AAR needs a role in the
exercise. Each nation records one observation and one evaluation of each
marking on its released delivery.
"""

from __future__ import annotations

from typing import Any

from alliance.core.authority import Role
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import EvaluationIn, ObservationIn, Rating
from tests.api.matrix_rules import CREATED, OK, Call, Row, view
from tests.api.matrix_world import NAT, REL, Side

from .matrix_msel import EX, READERS, exercise_role

OWNERS = frozenset({Role.COMMANDER})


def create_report(side: Side) -> None:
    desk = side.node.desk("exercise", ExerciseDesk)
    cdr = side.node.users.authenticate(side.token(Role.COMMANDER))
    o = side.objects
    for mark in (REL, NAT):
        marking = MarkingIn(releasable_to=[side.partner] if mark == REL else [])
        observation = desk.observe(
            cdr,
            ObservationIn(
                delivery_id=o[("inject_delivery", REL)],
                response=f"FICTIONAL: matrix response {mark}",
                marking=marking,
            ),
        )
        o[("exercise_observation", mark)] = observation.id
        o[("exercise_evaluation", mark)] = desk.evaluate(
            cdr,
            observation.id,
            EvaluationIn(
                objective_id=o[("exercise_objective", REL)],
                rating=Rating.PRACTICE,
                marking=marking,
            ),
        ).id


def _observation_body(c: Call, ident: str) -> dict[str, Any]:
    return {"delivery_id": ident, "response": f"FICTIONAL: matrix {c.serial}"}


def _evaluation_body(c: Call, _ident: str) -> dict[str, Any]:
    return {"objective_id": c.side.obj("exercise_objective", REL), "rating": "T"}


REPORT_ROWS: tuple[Row, ...] = (
    Row(
        "POST",
        f"{EX}/observations",
        exercise_role(OWNERS, CREATED),
        "inject_delivery",
        _observation_body,
    ),
    Row("GET", f"{EX}/{{exercise_id}}/observations", view(), kind="exercise"),
    Row(
        "POST",
        f"{EX}/observations/{{observation_id}}/evaluations",
        exercise_role(OWNERS, CREATED),
        "exercise_observation",
        _evaluation_body,
    ),
    Row("GET", f"{EX}/{{exercise_id}}/evaluations", view(), kind="exercise"),
    # The cheapest rendering: the matrix judges who reads it, not how it looks.
    Row(
        "GET",
        f"{EX}/{{exercise_id}}/aar",
        exercise_role(READERS, OK),
        kind="exercise",
        params=lambda _c, _i: {"format": "ratings.csv"},
    ),
)

REPORT_TYPE_ROUTES: dict[str, str] = {
    "exercise_observation": f"POST {EX}/observations/{{observation_id}}/evaluations",
    "exercise_evaluation": f"GET {EX}/{{exercise_id}}/evaluations",
}
