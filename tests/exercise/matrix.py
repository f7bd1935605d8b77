"""The exercise desk in the authorization matrix (found by ``tests/api/matrix_desks``).

Its rows come in the desk's parts, each declared beside its tests: the
planning side (exercises, roles, objectives, the MSEL and its sheets) in
:mod:`tests.exercise.matrix_msel`; the running side (clock, inboxes) in
:mod:`tests.exercise.matrix_run`; observations, evaluations and the AAR in
:mod:`tests.exercise.matrix_report`.
"""

from __future__ import annotations

from alliance.exercise import DESK
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_world import Side

from .matrix_msel import MSEL_ROWS, MSEL_TYPE_ROUTES, create_planning
from .matrix_report import REPORT_ROWS, REPORT_TYPE_ROUTES, create_report
from .matrix_run import RUN_ROWS, RUN_TYPE_ROUTES, create_running


def _create(side: Side) -> None:
    create_planning(side)
    create_running(side)
    create_report(side)


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(*MSEL_ROWS, *RUN_ROWS, *REPORT_ROWS),
    type_routes={**MSEL_TYPE_ROUTES, **RUN_TYPE_ROUTES, **REPORT_TYPE_ROUTES},
    create=_create,
)
