"""The industry desk in the authorization matrix (found by
``tests/api/matrix_desks``): its routes by every role of both nations. A
solve reads nothing stored and stores nothing: any signed-in user may ask
for one, on the data they send."""

from __future__ import annotations

from typing import Any

from alliance.industry import DESK
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import API, OK, Call, Row, signed_in
from tests.api.matrix_world import Side

from .models import hand


def _solve(c: Call, _ident: str) -> dict[str, Any]:
    del c
    return {"model": hand(), "time_limit_s": 10}


def _create(side: Side) -> None:
    del side  # nothing stored


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", f"{API}/industry/example", signed_in(OK)),
        Row("POST", f"{API}/industry/solve", signed_in(OK), body=_solve),
    ),
    type_routes={},
    create=_create,
)
