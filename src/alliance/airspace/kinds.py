"""What the airspace desk's parts share: its owned kinds, the measures it
holds in memory and the pairs among them, and who acts when the node acts."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from alliance.core.markings import Marking
from alliance.core.models import TimeOut
from alliance.org import hq_chain
from alliance.store.owned import OwnedKind

from .models import ConflictOut
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

VOLUMES: OwnedKind[VolumeRow] = OwnedKind(AIRSPACE_VOLUME, lambda s, row: hq_chain(s, row.hq_id))
MEASURES: OwnedKind[MeasureRow] = OwnedKind(AIRSPACE_MEASURE, lambda s, row: hq_chain(s, row.hq_id))
COORDINATIONS: OwnedKind[CoordinationRow] = OwnedKind(
    AIRSPACE_COORDINATION, lambda s, row: hq_chain(s, row.hq_id)
)
ALERTS: OwnedKind[AlertRow] = OwnedKind(AIRSPACE_ALERT, lambda s, row: hq_chain(s, row.hq_id))
CONFORMANCE = "airspace-conformance"
"""Who raises a conformance alert for an HQ: the node, watching the picture."""
COORDINATED = frozenset({"concurred", "decided"})
"""A coordination request's statuses that are a coordinated outcome."""
DECONFLICTION = "airspace-deconfliction"
"""Who opens a coordination request for an HQ: the node, on its owner's behalf."""
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Held:
    """What the desk keeps in memory of a live volume."""

    id: str
    owner: str
    marking: Marking
    designator: str
    start: datetime
    end: datetime
    hq_id: str
    updated: datetime
    rev: int = 1
    """The volume's revision (:attr:`~alliance.airspace.tables.VolumeRow.volume_rev`)."""

    def seen_by(self, nation: str) -> bool:
        return self.marking.releases_to(nation, self.owner)


@dataclass(frozen=True, slots=True)
class Pair:
    a: Held
    b: Held
    distance_m: float
    vertical_gap_ft: float

    def out(self, request_id: str | None = None) -> ConflictOut:
        return ConflictOut(
            request_id=request_id,
            a=self.a.id,
            b=self.b.id,
            a_owner=self.a.owner,
            b_owner=self.b.owner,
            a_designator=self.a.designator,
            b_designator=self.b.designator,
            cross_nation=self.a.owner != self.b.owner,
            distance_m=round(self.distance_m, 1),
            vertical_gap_ft=round(self.vertical_gap_ft, 1),
            overlap_start=TimeOut.of(max(self.a.start, self.b.start)),
            overlap_end=TimeOut.of(min(self.a.end, self.b.end)),
        )


def status_of(row: VolumeRow, now: datetime) -> str:
    """proposed / approved / active / expired / withdrawn."""
    if row.status != "approved":
        return row.status
    if now >= row.end_at:
        return "expired"
    return "active" if now >= row.start_at else "approved"


def live(row: VolumeRow) -> bool:
    """A volume deconfliction counts: not withdrawn (a partner's withdrawn
    replica is released to nobody: its owner's nation is not hosted here)."""
    return row.status != "withdrawn" and row.origin != "withdrawn"


def held(row: VolumeRow) -> Held:
    return Held(
        row.id, row.owner, row.marking, row.designator, row.start_at, row.end_at, row.hq_id,
        row.updated_at, row.volume_rev,
    )  # fmt: skip


def log_failure(future: Future[str | None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("airspace: a job of the desk's own failed: %s", error)
