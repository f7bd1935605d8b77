"""The airspace desk: coordination measures, 4D deconfliction across nations
(issue 15).

The engine — :mod:`.volume` (a measure's volume, checked), :mod:`.deconflict`
(the index and the exact test), :mod:`.geojson` — is pure and usable without
a node. :mod:`.tables` keeps each measure as two owned objects (its volume,
its purpose); :mod:`.desk` keeps the conflicts among what this node holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.acm import AcmDesk
from alliance.cop import CopDesk
from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.store.context import DeskContext

from .desk import AirspaceDesk
from .kinds import MEASURES, VOLUMES
from .models import ConflictOut, MeasureIn, MeasureOut, VolumeCheckIn
from .tables import (
    AIRSPACE_ALERT,
    AIRSPACE_COORDINATION,
    AIRSPACE_MEASURE,
    AIRSPACE_VOLUME,
    AlertRow,
    CoordinationRow,
    MeasureRow,
    VolumeRow,
)

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, built: Mapping[str, object]) -> AirspaceDesk:
    acm, cop = built.get("acm"), built.get("cop")
    return AirspaceDesk(
        ctx,
        acm if isinstance(acm, AcmDesk) else None,
        cop if isinstance(cop, CopDesk) else None,
    )


def _demo(desk: AirspaceDesk, nation: str, now: datetime) -> None:
    from .demo import content

    content(desk, nation, now)


def _routes() -> APIRouter:
    from .routes import router

    return router


DESK = DeskSpec(
    name="airspace",
    label=Text("Airspace", "空域"),
    object_types=(AIRSPACE_VOLUME, AIRSPACE_MEASURE, AIRSPACE_COORDINATION, AIRSPACE_ALERT),
    make=_make,
    routes=_routes,
    demo=_demo,
    console=Path(__file__).parent / "console",
)

__all__ = [
    "AIRSPACE_ALERT",
    "AIRSPACE_COORDINATION",
    "AIRSPACE_MEASURE",
    "AIRSPACE_VOLUME",
    "DESK",
    "MEASURES",
    "VOLUMES",
    "AirspaceDesk",
    "AlertRow",
    "ConflictOut",
    "CoordinationRow",
    "MeasureIn",
    "MeasureOut",
    "MeasureRow",
    "VolumeCheckIn",
    "VolumeRow",
]
