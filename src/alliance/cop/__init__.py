"""The common operational picture desk: tracks, TAK interop, the map.

Tracks live beside the ledger (``cop.tables``), not as owned objects: the
desk declares no object type, and federation carries them through the
desk's feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.store.context import DeskContext

from .desk import CopDesk
from .hub import TrackHub
from .store import TrackStore

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> CopDesk:
    return CopDesk(ctx, TrackHub(), TrackStore(ctx.db))


def _routes() -> APIRouter:
    from .routes import router

    return router


DESK = DeskSpec(
    name="cop",
    label=Text("Common operational picture", "共通作戦状況図"),
    object_types=(),
    make=_make,
    routes=_routes,
    # feed: the track feed federation carries; declared here once the feed port
    # moves into this package (until then the node builds it).
)

__all__ = ["DESK", "CopDesk", "TrackHub", "TrackStore"]
