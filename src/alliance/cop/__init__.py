"""The common operational picture desk: tracks, TAK interop, the map, the track feed.

Tracks live beside the ledger (``cop.tables``), not as owned objects: the
desk declares no object type, and federation carries them through the
desk's feed (:class:`TrackFeed`, which fits federation's feed port by shape).
The interface other packages use is :data:`__all__`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.store.context import DeskContext

from .desk import CopDesk, ReportIn, TrackFilter
from .exports import geojson, kml
from .feed import TrackFeed
from .hub import TrackHub
from .simulator import Simulator
from .store import TrackStore
from .tak import TakServer, TakSettings
from .tracks import LinkStatus, Track, TrackDomain, TrackUid

if TYPE_CHECKING:
    from fastapi import APIRouter

    from alliance.core.keys import NodeKey


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> CopDesk:
    return CopDesk(ctx, TrackHub(), TrackStore(ctx.db))


def _routes() -> APIRouter:
    from .routes import router

    return router


def _feed(desk: CopDesk, _key: NodeKey, _nation: str) -> TrackFeed:
    return TrackFeed(desk)


DESK = DeskSpec(
    name="cop",
    label=Text("Common operational picture", "共通作戦状況図"),
    object_types=(),
    make=_make,
    routes=_routes,
    console=Path(__file__).parent / "console",
    feed=_feed,
)

__all__ = [
    "DESK",
    "CopDesk",
    "LinkStatus",
    "ReportIn",
    "Simulator",
    "TakServer",
    "TakSettings",
    "Track",
    "TrackDomain",
    "TrackFeed",
    "TrackFilter",
    "TrackHub",
    "TrackStore",
    "TrackUid",
    "geojson",
    "kml",
]
