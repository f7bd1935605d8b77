"""The exercise desk in the authorization matrix (found by ``tests/api/matrix_desks``).

The running side (clock, inboxes) declares its rows, type routes and objects
in :mod:`tests.exercise.matrix_run`; the planning side adds its own beside it.
"""

from __future__ import annotations

from alliance.exercise import DESK
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_world import Side

from .matrix_run import RUN_ROWS, RUN_TYPE_ROUTES, create_running


def _create(side: Side) -> None:
    create_running(side)


MATRIX = DeskMatrix(
    desk=DESK,
    rows=RUN_ROWS,
    type_routes=RUN_TYPE_ROUTES,
    create=_create,
)
