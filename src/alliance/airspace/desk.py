"""The airspace desk: coordination measures and their conflicts.

Every change is a writer job (``foo`` runs ``foo_in`` on the writer). The
desk keeps, in memory, an :class:`~alliance.airspace.deconflict.Index` of
every live volume this node holds — its nation's own and those partners have
released to it — and the set of conflicting pairs among them. Both follow
the ledger: after each committed batch (local changes and replicas applied
or withdrawn by federation alike) the volumes it touched are read again,
re-checked against the rest, and their pairs replaced. A reader sees a
conflict only where both volumes are released to its nation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.acm import AcmDesk, RequestIn, RequestKind
from alliance.cop import CopDesk, Track
from alliance.core.authority import Action, Actor, Role, Target, authorize
from alliance.core.errors import Conflict, InvalidInput, NotFound
from alliance.core.i18n import Text
from alliance.core.ids import claim_id, new_id
from alliance.core.ledger import Event
from alliance.core.markings import Marking
from alliance.core.models import MarkingIn, MarkingOut, TimeOut
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import OwnedKind, change_owned, create_owned, released_to, view
from alliance.store.writer import Tx

from . import deconflict
from .conformance import UNKNOWN_HAE, Assigned, Excursion, Monitor
from .models import (
    AlertOut,
    ConflictOut,
    CoordinationOut,
    MeasureIn,
    MeasureOut,
    PurposeOut,
)
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
from .volume import Volume, parse_volume

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


def _live(row: VolumeRow) -> bool:
    """A volume deconfliction counts: not withdrawn (a partner's withdrawn
    replica is released to nobody: its owner's nation is not hosted here)."""
    return row.status != "withdrawn" and row.origin != "withdrawn"


class AirspaceDesk:
    def __init__(
        self, ctx: DeskContext, acm: AcmDesk | None = None, cop: CopDesk | None = None
    ) -> None:
        self.ctx = ctx
        self.acm = acm
        self.cop = cop
        self.monitor = Monitor(self._alert)
        self._watching: list[object] = []
        self._lock = threading.Lock()
        self._index = deconflict.Index()
        self._held: dict[str, Held] = {}
        self._pairs: dict[str, dict[str, Pair]] = {}  # id -> other id -> pair
        self._subscribed = False

    # -- lifecycle: the index follows the ledger ---------------------------------

    def start(self) -> None:
        with self.ctx.db.read() as s:
            rows = [r for r in s.scalars(select(VolumeRow)) if _live(r)]
            compiled = deconflict.compile_volumes(
                [r.id for r in rows], [parse_volume(r.volume) for r in rows]
            )
        with self._lock:
            self._index = deconflict.Index(compiled)
            self._held = {r.id: _held(r) for r in rows}
            self._pairs = {}
            found = deconflict.all_pairs(compiled)
            for a, b, d, g in zip(
                found.a, found.b, found.distance_m, found.vertical_gap_ft, strict=True
            ):
                self._link(rows[a].id, rows[b].id, float(d), float(g))
        for row in rows:
            self._monitor(row)
        if not self._subscribed:
            self.ctx.writer.subscribe(self._committed)
            self._subscribed = True
        if self.cop is not None and not self._watching:
            for nation in sorted(self.ctx.hosted):
                self._watching.append(self.cop.hub.subscribe(nation, self._watcher(nation)))

    def stop(self) -> None:
        if self.cop is not None:
            for sub in self._watching:
                self.cop.hub.unsubscribe(sub)  # type: ignore[arg-type]
        self._watching = []

    # -- conformance ---------------------------------------------------------------

    def _monitor(self, row: VolumeRow | None, ident: str | None = None) -> None:
        """Monitor the aircraft of an approved volume of a hosted nation (or stop)."""
        key = row.id if row is not None else ident
        assert key is not None
        if (
            row is None
            or not _live(row)
            or row.status != "approved"
            or row.owner not in self.ctx.hosted
            or not row.aircraft
        ):
            self.monitor.assign(None, key)
            return
        volume = parse_volume(row.volume)
        assigned = Assigned(
            row.id, row.owner, row.hq_id, row.designator, volume,
            deconflict.compile_volumes([row.id], [volume]),
        )  # fmt: skip
        self.monitor.assign(assigned, row.id, tuple(row.aircraft))

    def _watcher(self, nation: str) -> Callable[[Track], None]:
        return lambda track: self._track(nation, track)

    def _track(self, nation: str, track: Track) -> None:
        """A COP report seen by ``nation``: its own volumes' aircraft are checked."""
        if not track.unmanned:
            return
        hae = None if track.hae >= UNKNOWN_HAE * 0.999 else track.hae
        link = track.control_link.value if track.control_link is not None else None
        self.monitor.seen(
            track.uid, track.callsign, track.lon, track.lat, hae, track.time, link, owner=nation
        )

    def _alert(self, e: Excursion) -> None:
        def job(tx: Tx) -> str | None:
            return self.alert_in(tx, e)

        self.ctx.writer.submit(job).add_done_callback(_log_failure)

    def alert_in(self, tx: Tx, e: Excursion) -> str:
        s = tx.session
        volume = s.get(VolumeRow, e.volume.id)
        marking = volume.marking if volume is not None else Marking.national(e.volume.owner)
        actor = Actor(
            CONFORMANCE, "Airspace conformance / 空域逸脱監視", e.volume.owner, e.volume.hq_id,
            Role.STAFF_OFFICER,
        )  # fmt: skip
        row = AlertRow(
            id=new_id(), hq_id=e.volume.hq_id, volume_id=e.volume.id,
            designator=e.volume.designator, track_uid=e.uid, callsign=e.callsign,
            reasons=list(e.reasons), lat=e.lat, lon=e.lon, alt_ft=e.alt_ft, seen_at=e.seen_at,
            control_link=e.control_link,
        )  # fmt: skip
        grant = authorize(
            actor,
            Action.CREATE,
            Target(AIRSPACE_ALERT.name, row.id, e.volume.owner, marking, hq_chain(s, row.hq_id)),
            hosted=self.ctx.hosted,
        )
        create_owned(
            tx, ALERTS, row, owner=e.volume.owner, marking=marking, actor=actor, grant=grant,
            event="airspace.alert.raised",
        )  # fmt: skip
        return row.id

    def alert(self, actor: Actor, ident: str) -> AlertOut:
        with self.ctx.db.read() as s:
            row = ALERTS.find(s, actor.nation, ident, "id")
            return view(AlertOut, row, seen_at=TimeOut.of(row.seen_at))

    def alerts(self, actor: Actor) -> list[AlertOut]:
        with self.ctx.db.read() as s:
            rows = s.scalars(
                released_to(select(AlertRow), AlertRow, actor.nation).order_by(
                    AlertRow.seen_at.desc(), AlertRow.id
                )
            )
            return [view(AlertOut, r, seen_at=TimeOut.of(r.seen_at)) for r in rows]

    def _committed(self, events: Sequence[Event]) -> None:
        ids = {e.object_id for e in events if e.object_type == AIRSPACE_VOLUME.name}
        if ids:
            self.refresh(ids)

    def refresh(self, ids: Iterable[str], *, wait: bool = False) -> None:
        """Read these volumes again and re-check them against every other; open
        the coordination requests the new cross-nation conflicts call for
        (``wait``: before returning, as an API call does; otherwise queued)."""
        found: list[Pair] = []
        with self.ctx.db.read() as s:
            rows = {i: s.get(VolumeRow, i) for i in ids}
            with self._lock:
                for ident, row in rows.items():
                    self._drop(ident)
                    self._monitor(row, ident)
                    if row is None or not _live(row):
                        continue
                    compiled = deconflict.compile_volumes([ident], [parse_volume(row.volume)])
                    self._index.put(compiled)
                    self._held[ident] = _held(row)
                    for _, other, d, g in self._index.check(compiled):
                        found.append(self._link(ident, other, d, g))
        self._coordinate([p for p in found if p.a.owner != p.b.owner], wait=wait)

    def _drop(self, ident: str) -> None:
        self._index.remove([ident])
        self._held.pop(ident, None)
        for other in self._pairs.pop(ident, {}):
            self._pairs.get(other, {}).pop(ident, None)

    def _link(self, a: str, b: str, d: float, g: float) -> Pair:
        first, second = sorted((a, b))
        pair = Pair(self._held[first], self._held[second], d, g)
        self._pairs.setdefault(a, {})[b] = pair
        self._pairs.setdefault(b, {})[a] = pair
        return pair

    # -- cross-nation conflicts go through the ACM --------------------------------

    def _opener(self, pair: Pair) -> Held | None:
        """The volume whose owner opens the coordination request: the one changed
        last (its owner made the conflict), if both nations see both volumes, and
        if that nation is hosted here. A conflict with a volume one side has not
        released is listed to the side that sees both, and opens nothing: a
        request would disclose what its owner kept national."""
        a, b = pair.a, pair.b
        if not (a.seen_by(b.owner) and b.seen_by(a.owner)):
            return None
        later = max((a, b), key=lambda h: (h.updated, h.id))
        return later if later.owner in self.ctx.hosted else None

    def _coordinate(self, pairs: Sequence[Pair], *, wait: bool) -> None:
        if self.acm is None:
            return
        for pair in pairs:
            mine = self._opener(pair)
            if mine is None:
                continue
            theirs = pair.b if mine is pair.a else pair.a

            def job(tx: Tx, mine: Held = mine, theirs: Held = theirs) -> str | None:
                return self.coordinate_in(tx, mine, theirs)

            if wait:
                self.ctx.writer.run(job)
            else:
                self.ctx.writer.submit(job).add_done_callback(_log_failure)

    def coordinate_in(self, tx: Tx, mine: Held, theirs: Held) -> str | None:
        """Open the one coordination request about this pair, from ``mine``'s HQ
        to ``theirs``'s, released to the other nation, and the link both nodes
        read; nothing if the pair has one already or no longer conflicts. Returns
        the request's id."""
        assert self.acm is not None
        s = tx.session
        a, b = sorted((mine.id, theirs.id))
        with self._lock:
            pair = self._pairs.get(a, {}).get(b)
        if pair is None or _coordination(s, a, b) is not None:
            return None
        actor = Actor(
            DECONFLICTION,
            "Airspace deconfliction / 空域デコンフリクション",
            mine.owner,
            mine.hq_id,
            Role.STAFF_OFFICER,
        )
        window = f"{_z(max(mine.start, theirs.start))} – {_z(min(mine.end, theirs.end))}"
        marking = MarkingIn(releasable_to=[theirs.owner])
        request = self.acm.create_request_in(
            tx,
            actor,
            RequestIn(
                kind=RequestKind.ACTIVITY,
                from_hq_id=mine.hq_id,
                to_hq_ids=[theirs.hq_id],
                subject=f"Airspace conflict: {mine.designator} / {theirs.designator}",
                subject_ja=f"空域競合: {mine.designator} / {theirs.designator}",
                body=(
                    f"{mine.designator} ({mine.owner}) and {theirs.designator} ({theirs.owner}) "
                    f"conflict {window}: footprints {pair.distance_m:,.0f} m apart, bands "
                    f"{pair.vertical_gap_ft:,.0f} ft apart, closer than their buffers. Neither is "
                    "approved until this request is concurred. Opened by the node for "
                    f"{mine.hq_id} when {mine.designator} was changed.\n\n"
                    f"{mine.designator}（{mine.owner}）と {theirs.designator}（{theirs.owner}）は "
                    f"{window} に競合しています（水平 {pair.distance_m:,.0f} m、垂直 "
                    f"{pair.vertical_gap_ft:,.0f} ft、いずれも緩衝より近い）。この要請への同意まで"
                    f"どちらも承認されません。{mine.designator} の変更時にノードが {mine.hq_id} "
                    "に代わって起案しました。"
                ),
                marking=marking,
            ),
        )
        self.acm.send_in(tx, actor, request.id)
        link = CoordinationRow(
            id=new_id(), hq_id=mine.hq_id, request_id=request.id, volume_a=a, volume_b=b
        )
        link_marking = marking.build(mine.owner)
        grant = authorize(
            actor,
            Action.CREATE,
            Target(
                AIRSPACE_COORDINATION.name, link.id, mine.owner, link_marking,
                hq_chain(s, mine.hq_id),
            ),
            hosted=self.ctx.hosted,
        )  # fmt: skip
        create_owned(
            tx, COORDINATIONS, link, owner=mine.owner, marking=link_marking, actor=actor,
            grant=grant, event="airspace.coordination.opened",
        )  # fmt: skip
        return request.id

    def _outcome(self, s: Session, row: VolumeRow, other: str) -> tuple[str | None, str]:
        """The coordination request about ``row`` and ``other`` and its status."""
        a, b = sorted((row.id, other))
        link = _coordination(s, a, b)
        if link is None or self.acm is None:
            return None, "none"
        reader = Actor(DECONFLICTION, "Airspace deconfliction", row.owner, row.hq_id, Role.VIEWER)
        try:
            return link.request_id, self.acm.thread(reader, link.request_id).request.status
        except NotFound:
            return link.request_id, "none"

    # -- proposing, approving, withdrawing --------------------------------------

    def propose(self, actor: Actor, data: MeasureIn) -> MeasureOut:
        out = self.ctx.writer.run(lambda tx: self.propose_in(tx, actor, data))
        self.refresh([out.id], wait=True)
        return out

    def propose_in(self, tx: Tx, actor: Actor, data: MeasureIn) -> MeasureOut:
        s = tx.session
        volume = _volume(data.volume.raw())
        marking = data.marking.build(actor.nation)
        purpose_marking = data.purpose_marking.build(actor.nation, "purpose_marking")
        ident = claim_id(
            actor.nation, data.id, lambda i: s.get(VolumeRow, i) is not None, field="id"
        )
        chain = hq_chain(s, actor.hq_id)
        grant = authorize(
            actor,
            Action.CREATE,
            Target(AIRSPACE_VOLUME.name, ident, actor.nation, marking, chain),
            hosted=self.ctx.hosted,
        )
        lower, upper = volume.band.msl_ft()
        row = VolumeRow(
            id=ident,
            hq_id=actor.hq_id,
            designator=data.designator,
            kind=data.kind,
            status="proposed",
            volume=volume.as_json(),
            start_at=volume.start,
            end_at=volume.end,
            lower_ft=lower,
            upper_ft=upper,
            aircraft=list(dict.fromkeys(data.aircraft)),
        )
        create_owned(
            tx, VOLUMES, row, owner=actor.nation, marking=marking, actor=actor, grant=grant,
            event="airspace.volume.proposed",
        )  # fmt: skip
        purpose = MeasureRow(
            id=new_id(),
            hq_id=actor.hq_id,
            volume_id=ident,
            name=data.name,
            name_ja=data.name_ja or data.name,
            purpose=data.purpose,
        )
        create_owned(
            tx, MEASURES, purpose, owner=actor.nation, marking=purpose_marking, actor=actor,
            grant=grant, event="airspace.measure.created",
        )  # fmt: skip
        return self._view(row, purpose, actor.nation, tx.now)

    def approve(self, actor: Actor, ident: str, version: int | None = None) -> MeasureOut:
        out = self.ctx.writer.run(lambda tx: self.approve_in(tx, actor, ident, version))
        self.refresh([ident], wait=True)
        return out

    def approve_in(self, tx: Tx, actor: Actor, ident: str, version: int | None) -> MeasureOut:
        def require(row: VolumeRow) -> None:
            if row.status != "proposed":
                raise Conflict(
                    Text(
                        f"{row.designator} is {row.status}: only a proposed measure is approved.",
                        f"{row.designator} は {row.status} です。承認できるのは提案中の措置だけです。",
                    ),
                    field="status",
                    code="not_proposed",
                )
            for pair in self._cross(row.id):
                other = pair.b if pair.a.id == row.id else pair.a
                request_id, status = self._outcome(tx.session, row, other.id)
                if status in COORDINATED:
                    continue
                if request_id is None:
                    raise Conflict(
                        Text(
                            f"{row.designator} conflicts with {other.owner}'s {other.designator}: "
                            "coordinate it through the ACM before approving (both nations must "
                            "see both measures for a request to be opened).",
                            f"{row.designator} は {other.owner} の {other.designator} と競合して"
                            "います。承認の前に同盟調整メカニズム（ACM）で調整してください"
                            "（要請は両国が双方の措置を閲覧できる場合に起案されます）。",
                        ),
                        field="id",
                        code="cross_nation_conflict",
                    )
                raise Conflict(
                    Text(
                        f"{row.designator} conflicts with {other.owner}'s {other.designator}; "
                        f"coordination request {request_id} is {status}, not yet concurred.",
                        f"{row.designator} は {other.owner} の {other.designator} と競合しています。"
                        f"調整要請 {request_id} は {status} で、まだ同意されていません。",
                    ),
                    field="id",
                    code="not_coordinated",
                )

        row = change_owned(
            tx, actor, VOLUMES, ident, hosted=self.ctx.hosted, action=Action.APPROVE,
            version=version, change=lambda r: setattr(r, "status", "approved"),
            event="airspace.volume.approved", require=require,
        )  # fmt: skip
        return self._view(row, _purpose_of(tx.session, row), actor.nation, tx.now)

    def withdraw(self, actor: Actor, ident: str) -> MeasureOut:
        out = self.ctx.writer.run(lambda tx: self.withdraw_in(tx, actor, ident))
        self.refresh([ident], wait=True)
        return out

    def withdraw_in(self, tx: Tx, actor: Actor, ident: str) -> MeasureOut:
        """Withdraw the measure: released to nobody again (federation withdraws it
        from every partner), kept for the ledger's sake."""

        def withdrawn(row: VolumeRow | MeasureRow) -> None:
            if isinstance(row, VolumeRow):
                row.status = "withdrawn"
            row.set_marking(Marking.national(row.owner))

        row = change_owned(
            tx, actor, VOLUMES, ident, hosted=self.ctx.hosted, action=Action.CHANGE,
            version=None, change=withdrawn, event="airspace.volume.withdrawn",
        )  # fmt: skip
        purpose = _purpose_of(tx.session, row)
        if purpose is not None and purpose.owner == actor.nation:
            change_owned(
                tx, actor, MEASURES, purpose.id, hosted=self.ctx.hosted, action=Action.CHANGE,
                version=None, change=withdrawn, event="airspace.measure.withdrawn",
            )  # fmt: skip
        return self._view(row, purpose, actor.nation, tx.now)

    # -- reading -------------------------------------------------------------------

    def measures(self, actor: Actor) -> list[MeasureOut]:
        with self.ctx.db.read() as s:
            rows = list(
                s.scalars(
                    released_to(select(VolumeRow), VolumeRow, actor.nation).order_by(VolumeRow.id)
                )
            )
            purposes = self._purposes(s, actor.nation, [r.id for r in rows])
            now = self.ctx.clock()
            return [self._view(r, purposes.get(r.id), actor.nation, now) for r in rows]

    def released(self, actor: Actor) -> list[tuple[MeasureOut, Marking]]:
        """The measures released to the actor's nation with their markings (exports)."""
        with self.ctx.db.read() as s:
            rows = list(
                s.scalars(
                    released_to(select(VolumeRow), VolumeRow, actor.nation).order_by(VolumeRow.id)
                )
            )
            now = self.ctx.clock()
            return [(self._view(r, None, actor.nation, now), r.marking) for r in rows]

    def measure(self, actor: Actor, ident: str) -> MeasureOut:
        with self.ctx.db.read() as s:
            row = VOLUMES.find(s, actor.nation, ident, "id")
            purpose = self._purposes(s, actor.nation, [ident]).get(ident)
            return self._view(row, purpose, actor.nation, self.ctx.clock())

    @staticmethod
    def _purposes(s: Session, nation: str, ids: list[str]) -> dict[str, MeasureRow]:
        if not ids:
            return {}
        rows = s.scalars(
            released_to(select(MeasureRow), MeasureRow, nation).where(MeasureRow.volume_id.in_(ids))
        )
        return {r.volume_id: r for r in rows}

    @staticmethod
    def _view(row: VolumeRow, purpose: MeasureRow | None, nation: str, now: datetime) -> MeasureOut:
        shown = None
        if purpose is not None and purpose.marking.releases_to(nation, purpose.owner):
            shown = PurposeOut(
                name=purpose.name,
                name_ja=purpose.name_ja,
                purpose=purpose.purpose,
                marking=MarkingOut.of(purpose.marking, purpose.owner),
            )
        return view(MeasureOut, row, status=status_of(row, now), purpose=shown)

    def conflicts(self, actor: Actor, ident: str | None = None) -> list[ConflictOut]:
        """The conflicts among volumes released to the actor's nation (of one
        measure, or all), cross-nation first."""
        with self._lock:
            if ident is not None:
                pairs = list(self._pairs.get(ident, {}).values())
            else:
                pairs = list({id(p): p for m in self._pairs.values() for p in m.values()}.values())
        seen = [p for p in pairs if p.a.seen_by(actor.nation) and p.b.seen_by(actor.nation)]
        seen.sort(key=lambda p: (p.a.owner == p.b.owner, p.a.start, p.a.id, p.b.id))
        with self.ctx.db.read() as s:
            links = {
                (r.volume_a, r.volume_b): r.request_id
                for r in s.scalars(
                    released_to(select(CoordinationRow), CoordinationRow, actor.nation)
                )
            }
        return [p.out(links.get((p.a.id, p.b.id))) for p in seen]

    def coordinations(self, actor: Actor) -> list[CoordinationOut]:
        with self.ctx.db.read() as s:
            rows = s.scalars(
                released_to(select(CoordinationRow), CoordinationRow, actor.nation).order_by(
                    CoordinationRow.id
                )
            )
            return [view(CoordinationOut, r) for r in rows]

    def coordination(self, actor: Actor, ident: str) -> CoordinationOut:
        with self.ctx.db.read() as s:
            return view(CoordinationOut, COORDINATIONS.find(s, actor.nation, ident, "id"))

    def check(self, actor: Actor, raw: object, replacing: str | None = None) -> list[ConflictOut]:
        """What a draft volume would conflict with, among volumes released to the
        actor's nation (a stored measure it replaces left out). Nothing is stored."""
        volume = _volume(raw)
        draft = Held(
            "(draft)",
            actor.nation,
            Marking.national(actor.nation),
            "(draft)",
            volume.start,
            volume.end,
            actor.hq_id,
            self.ctx.clock(),
        )
        compiled = deconflict.compile_volumes([draft.id], [volume])
        with self._lock:
            found = [
                Pair(draft, self._held[other], d, g)
                for _, other, d, g in self._index.check(compiled)
                if other != replacing and self._held[other].seen_by(actor.nation)
            ]
        return [p.out() for p in found]

    def _cross(self, ident: str) -> list[Pair]:
        with self._lock:
            return [p for p in self._pairs.get(ident, {}).values() if p.a.owner != p.b.owner]


def _purpose_of(s: Session, row: VolumeRow) -> MeasureRow | None:
    """The owner's purpose object of a volume (there is one, or none here)."""
    return s.scalars(
        select(MeasureRow).where(MeasureRow.volume_id == row.id, MeasureRow.owner == row.owner)
    ).first()


def _held(row: VolumeRow) -> Held:
    return Held(
        row.id, row.owner, row.marking, row.designator, row.start_at, row.end_at, row.hq_id,
        row.updated_at,
    )  # fmt: skip


def _coordination(s: Session, a: str, b: str) -> CoordinationRow | None:
    return s.scalars(
        select(CoordinationRow).where(CoordinationRow.volume_a == a, CoordinationRow.volume_b == b)
    ).first()


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%MZ")


def _log_failure(future: Future[str | None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("airspace: a job of the desk's own failed: %s", error)


def _volume(raw: object) -> Volume:
    try:
        return parse_volume(raw)
    except InvalidInput as e:
        raise InvalidInput(
            e.message, field=f"volume.{e.field}" if e.field else "volume", code=e.code
        ) from None
