"""The example desk in the authorization matrix (found by ``tests/api/matrix_desks``).

Its rows say who may do what on its routes; ``note`` is exercised by the
change route (and, as every owned type, by the ledger's object history).
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR_STAFF,
    CREATED,
    OK,
    Call,
    Row,
    owner_acts,
    signed_in,
    view,
)
from tests.api.matrix_world import NAT, REL, TOP_HQ, Side, actor, marking

from . import DESK, migration
from .desk import NoteDesk
from .models import NoteIn


def _note_body(c: Call, hq: str) -> dict[str, Any]:
    return {"hq_id": hq, "text": f"Matrix note {c.serial}", "marking": c.released_to_both()}


def _create(side: Side) -> None:
    """One note at the top HQ in each marking, by the nation's commander."""
    notes = side.node.desk("notes", NoteDesk)
    for mark in (REL, NAT):
        data = NoteIn(
            hq_id=TOP_HQ[side.nation],
            text=f"Matrix note {mark}",
            marking=marking(side.nation, mark == REL),
        )
        side.objects[("note", mark)] = notes.write(actor(side.nation), data).id


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", f"{API}/notes", signed_in(OK)),
        Row("POST", f"{API}/notes", owner_acts(CDR_STAFF, CREATED), "hq", _note_body),
        Row("GET", f"{API}/notes/{{note_id}}", view(), kind="note"),
        Row(
            "PATCH",
            f"{API}/notes/{{note_id}}",
            owner_acts(CDR_STAFF, OK),
            "note",
            lambda c, _i: {"text": f"Matrix note {c.serial}"},
        ),
    ),
    type_routes={"note": f"PATCH {API}/notes/{{note_id}}"},
    create=_create,
    migrate=migration.upgrade,
)
