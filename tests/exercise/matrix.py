"""The exercise desk in the authorization matrix (found by ``tests/api/matrix_desks``).

Its rows come in the desk's two parts, each declared beside its tests: the
planning side (exercises, roles, objectives, the MSEL and its sheets) in
:mod:`tests.exercise.matrix_msel`; the running side (clock, inboxes,
observations, evaluations) adds its own rows, type routes and objects here.
"""

from __future__ import annotations

from alliance.exercise import DESK
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_world import Side

from .matrix_msel import MSEL_ROWS, MSEL_TYPE_ROUTES, create_planning
from .matrix_report import REPORT_ROWS, REPORT_TYPE_ROUTES, create_report


def _create(side: Side) -> None:
    create_planning(side)
    create_report(side)


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(*MSEL_ROWS, *REPORT_ROWS),
    type_routes={**MSEL_TYPE_ROUTES, **REPORT_TYPE_ROUTES},
    create=_create,
)
