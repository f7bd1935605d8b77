"""An example desk, as a contributor adds one (docs/architecture.md, "How to add a desk").

Everything it needs is in this package: its table and object type
(``tables.py``), its migration step (``migration.py``), the desk
(``desk.py``), its router (``routes.py``), its declaration (``DESK`` below)
and its rows in the authorization matrix (``matrix.py``). It is registered only by
the tests that build nodes with it (``Node(settings, desks=...)``); a real
desk adds its package to ``alliance.desks.DESK_PACKAGES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.store.context import DeskContext

from .desk import NoteDesk
from .tables import NOTE, NoteRow

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> NoteDesk:
    return NoteDesk(ctx)


def _routes() -> APIRouter:
    from .routes import router

    return router


DESK = DeskSpec(
    name="notes",
    label=Text("Notes", "メモ"),
    object_types=(NOTE,),
    make=_make,
    routes=_routes,
)

__all__ = ["DESK", "NOTE", "NoteDesk", "NoteRow"]
