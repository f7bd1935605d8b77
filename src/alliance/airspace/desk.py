"""The airspace desk: coordination measures and their conflicts.

Every change is a writer job (``foo`` runs ``foo_in`` on the writer). The
desk keeps, in memory, an :class:`~alliance.airspace.index.Index` of
every live volume this node holds — its nation's own and those partners have
released to it — and the set of conflicting pairs among them. Both follow
the ledger: after each committed batch (local changes and replicas applied
or withdrawn by federation alike) the volumes it touched are read again,
re-checked against the rest, and their pairs replaced. A reader sees a
conflict only where both volumes are released to its nation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.acm import AcmDesk
from alliance.cop import CopDesk
from alliance.core.authority import Action, Actor, Target, authorize
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import claim_id, new_id
from alliance.core.ledger import Event
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import change_owned, create_owned, released_to, view
from alliance.store.writer import Tx

from . import deconflict
from .conformance import Conformance, Monitor
from .coordination import Coordination
from .geojson import read_measures
from .index import Index
from .kinds import (
    COORDINATED,
    MEASURES,
    VOLUMES,
    Held,
    Pair,
    held,
    live,
    status_of,
)
from .models import (
    ConflictOut,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    PurposeOut,
)
from .tables import (
    AIRSPACE_VOLUME,
    CoordinationRow,
    MeasureRow,
    VolumeRow,
)
from .volume import Volume, parse_volume


class AirspaceDesk(Coordination, Conformance):
    def __init__(
        self, ctx: DeskContext, acm: AcmDesk | None = None, cop: CopDesk | None = None
    ) -> None:
        self.ctx = ctx
        self.acm = acm
        self.cop = cop
        self.monitor = Monitor(self._alert)
        self._watching: list[object] = []
        self._lock = threading.Lock()
        self._index = Index()
        self._held: dict[str, Held] = {}
        self._read: dict[str, tuple[int, str, str] | None] = {}  # id -> the state last checked
        self._pairs: dict[str, dict[str, Pair]] = {}  # id -> other id -> pair
        self._subscribed = False

    # -- lifecycle: the index follows the ledger ---------------------------------

    def start(self) -> None:
        with self.ctx.db.read() as s:
            rows = [r for r in s.scalars(select(VolumeRow)) if live(r)]
            compiled = deconflict.compile_volumes(
                [r.id for r in rows], [parse_volume(r.volume) for r in rows]
            )
        with self._lock:
            self._index = Index(compiled)
            self._held = {r.id: held(r) for r in rows}
            self._read = {r.id: (r.version, r.origin, r.rel) for r in rows}
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
                    # An API call refreshes what it wrote, and the ledger's listener
                    # does again after the commit: a row read at the same state is
                    # checked once. Whichever comes second and waits (the API call)
                    # still waits for the requests its pairs call for: the listener
                    # may have got there first and only queued them.
                    state = None if row is None else (row.version, row.origin, row.rel)
                    if ident in self._read and self._read[ident] == state:
                        if wait:
                            found.extend(self._pairs.get(ident, {}).values())
                        continue
                    self._read[ident] = state
                    self._drop(ident)
                    self._monitor(row, ident)
                    if row is None or not live(row):
                        continue
                    compiled = deconflict.compile_volumes([ident], [parse_volume(row.volume)])
                    self._index.put(compiled)
                    self._held[ident] = held(row)
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

    def import_geojson(
        self, actor: Actor, document: bytes, release: Sequence[str] = ()
    ) -> list[MeasureOut]:
        """Propose every feature of a GeoJSON FeatureCollection as a measure, all
        or nothing: each feature's ``properties`` give its ``designator``,
        ``kind`` and ``name`` (``name_ja``, ``purpose``, ``aircraft`` optional)
        beside its volume (:mod:`alliance.airspace.geojson`). The volumes are
        released to ``release``, the purposes kept national. The first bad
        feature is refused, naming it and its field; nothing is stored then."""
        measures = read_measures(document, list(release))
        outs = self.ctx.writer.run(
            lambda tx: [self.propose_in(tx, actor, data) for data in measures]
        )
        self.refresh([o.id for o in outs], wait=True)
        return outs

    def change(self, actor: Actor, ident: str, patch: MeasurePatch) -> MeasureOut:
        out = self.ctx.writer.run(lambda tx: self.change_in(tx, actor, ident, patch))
        self.refresh([ident], wait=True)
        return out

    def change_in(self, tx: Tx, actor: Actor, ident: str, patch: MeasurePatch) -> MeasureOut:
        """Change one's own measure (its designator, volume, aircraft or release).
        A new volume or new aircraft sends an approved measure back to proposed."""
        volume = _volume(patch.volume.raw()) if patch.volume is not None else None
        marking = patch.marking.build(actor.nation) if patch.marking is not None else None

        def require(row: VolumeRow) -> None:
            if row.status == "withdrawn":
                raise Conflict(
                    Text(
                        f"{row.designator} is withdrawn: propose a new measure instead.",
                        f"{row.designator} は取り下げられています。新たな措置を提案してください。",
                    ),
                    field="status",
                    code="withdrawn",
                )

        def change(row: VolumeRow) -> None:
            if patch.designator is not None:
                row.designator = patch.designator
            if volume is not None and volume.as_json() != row.volume:
                lower, upper = volume.band.msl_ft()
                row.volume = volume.as_json()
                row.start_at, row.end_at = volume.start, volume.end
                row.lower_ft, row.upper_ft = lower, upper
                row.volume_rev += 1  # a coordinated outcome about the old one no longer holds
                row.status = "proposed"
            if patch.aircraft is not None and list(dict.fromkeys(patch.aircraft)) != row.aircraft:
                row.aircraft = list(dict.fromkeys(patch.aircraft))
                row.status = "proposed"
            if marking is not None:
                row.set_marking(marking)

        row = change_owned(
            tx, actor, VOLUMES, ident, hosted=self.ctx.hosted, action=Action.CHANGE,
            version=patch.version, change=change, event="airspace.volume.changed",
            require=require,
        )  # fmt: skip
        return self._view(row, _purpose_of(tx.session, row), actor.nation, tx.now)

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
            rows = _released(s, actor.nation)
            purposes = self._purposes(s, actor.nation, [r.id for r in rows])
            now = self.ctx.clock()
            return [self._view(r, purposes.get(r.id), actor.nation, now) for r in rows]

    def released(self, actor: Actor) -> list[tuple[MeasureOut, Marking]]:
        """The measures released to the actor's nation with their markings (exports)."""
        with self.ctx.db.read() as s:
            now = self.ctx.clock()
            return [
                (self._view(r, None, actor.nation, now), r.marking)
                for r in _released(s, actor.nation)
            ]

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
                (r.volume_a, r.volume_b, r.rev_a, r.rev_b): r.request_id
                for r in s.scalars(
                    released_to(select(CoordinationRow), CoordinationRow, actor.nation)
                )
            }
        return [p.out(links.get((p.a.id, p.b.id, p.a.rev, p.b.rev))) for p in seen]

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


def _released(s: Session, nation: str) -> list[VolumeRow]:
    stmt = released_to(select(VolumeRow), VolumeRow, nation).order_by(VolumeRow.id)
    return list(s.scalars(stmt))


def _purpose_of(s: Session, row: VolumeRow) -> MeasureRow | None:
    """The owner's purpose object of a volume (there is one, or none here)."""
    return s.scalars(
        select(MeasureRow).where(MeasureRow.volume_id == row.id, MeasureRow.owner == row.owner)
    ).first()


def _volume(raw: object) -> Volume:
    try:
        return parse_volume(raw)
    except InvalidInput as e:
        raise InvalidInput(
            e.message, field=f"volume.{e.field}" if e.field else "volume", code=e.code
        ) from None
