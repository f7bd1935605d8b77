"""The org desk: each nation's command structure, and how the structures meet.

Rules enforced here (besides the authority rules in ``core.authority``):

* an HQ's parent is an HQ of the same nation;
* a command relationship (COCOM, OPCON, TACON, ADCON) never crosses nations;
  a support relationship may, and it belongs to the nation of the supporting
  force — a nation commits its own forces, never a partner's;
* a counterpart link joins one of the owner's HQs to a partner nation's HQ.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Grant, Target, authorize
from alliance.core.dtg import coerce_time
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import claim_id, new_id
from alliance.core.markings import Marking, check_nation
from alliance.core.models import TimeOut
from alliance.store.context import DeskContext
from alliance.store.owned import (
    check_version,
    owned_fields,
    record,
    released_to,
    snapshot,
    stamp_new,
    touch,
    view,
    visible,
)
from alliance.store.schema import Owned
from alliance.store.writer import Tx

from .chain import hq_chain
from .models import (
    REL_NAMES,
    CounterpartIn,
    CounterpartOut,
    Domain,
    HqIn,
    HqOut,
    HqPatch,
    NationOut,
    Party,
    RelationshipIn,
    RelationshipOut,
    RelKind,
    TaskingIn,
    TaskingOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from .tables import (
    HQ,
    RELATIONSHIP,
    UNIT,
    CommandRelationshipRow,
    CounterpartRow,
    HqRow,
    NationRow,
    TaskingRow,
    UnitRow,
)

# -- views -------------------------------------------------------------------


def hq_view(row: HqRow) -> HqOut:
    return view(HqOut, row)


def unit_view(row: UnitRow) -> UnitOut:
    return view(UnitOut, row)


def relationship_view(row: CommandRelationshipRow, now: datetime) -> RelationshipOut:
    kind = RelKind(row.kind)
    in_force = (
        row.state == "active"
        and row.valid_from <= now
        and (row.valid_to is None or now < row.valid_to)
    )
    return RelationshipOut(
        **owned_fields(row),
        kind=kind,
        kind_name=REL_NAMES[kind].as_dict(),
        superior=Party(kind=row.superior_kind, id=row.superior_id),
        subordinate=Party(kind=row.subordinate_kind, id=row.subordinate_id),
        valid_from=TimeOut.of(row.valid_from),
        valid_to=TimeOut.maybe(row.valid_to),
        caveats_en=row.caveats_en,
        caveats_ja=row.caveats_ja,
        state=row.state,
        in_force=in_force,
    )


def counterpart_view(row: CounterpartRow) -> CounterpartOut:
    return view(CounterpartOut, row)


def tasking_view(row: TaskingRow) -> TaskingOut:
    return view(TaskingOut, row, due=TimeOut.maybe(row.due))


# -- lookups shared by the desk's jobs ----------------------------------------


def _new_id(requested: str | None, session: Session, model: type[Owned], owner: str) -> str:
    """A new ULID, or the client's id: in the owner's namespace, then not taken."""
    return claim_id(owner, requested, lambda ident: session.get(model, ident) is not None)


class OrgDesk:
    """Command structures of the N nations, counterpart links, taskings."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    # -- targets (owner, chain of command, marking) for the authority rules --

    def _hq_target(self, s: Session, hq: HqRow) -> Target:
        return Target("hq", hq.id, hq.owner, hq.marking, hq_chain(s, hq.id))

    def _unit_target(self, s: Session, unit: UnitRow) -> Target:
        return Target("unit", unit.id, unit.owner, unit.marking, hq_chain(s, unit.hq_id))

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    def _hq(self, s: Session, actor: Actor, hq_id: str, field: str = "hq_id") -> HqRow:
        return visible(s.get(HqRow, hq_id), actor.nation, HQ.label, hq_id, field)

    def _unit(self, s: Session, actor: Actor, unit_id: str, field: str = "unit_id") -> UnitRow:
        return visible(s.get(UnitRow, unit_id), actor.nation, UNIT.label, unit_id, field)

    # -- nations -------------------------------------------------------------

    def nations(self, actor: Actor) -> list[NationOut]:
        with self.ctx.db.read() as s:
            rows = s.scalars(released_to(select(NationRow), NationRow, actor.nation)).all()
        return [
            NationOut(
                code=r.id, name_en=r.name_en, name_ja=r.name_ja, hosted_here=r.id in self.ctx.hosted
            )
            for r in sorted(rows, key=lambda r: r.id)
        ]

    # -- HQs -----------------------------------------------------------------

    def list_hqs(self, actor: Actor, nation: str | None = None) -> list[HqOut]:
        stmt = released_to(select(HqRow), HqRow, actor.nation).order_by(HqRow.owner, HqRow.id)
        if nation:
            stmt = stmt.where(HqRow.owner == check_nation(nation))
        with self.ctx.db.read() as s:
            return [hq_view(r) for r in s.scalars(stmt)]

    def get_hq(self, actor: Actor, hq_id: str) -> HqOut:
        with self.ctx.db.read() as s:
            return hq_view(self._hq(s, actor, hq_id, field="id"))

    def create_hq(self, actor: Actor, data: HqIn) -> HqOut:
        nation = check_nation(data.nation)
        marking = data.marking.build(nation)

        def job(tx: Tx) -> HqOut:
            s = tx.session
            if data.parent_id is not None:
                parent = self._hq(s, actor, data.parent_id, field="parent_id")
                if parent.owner != nation:
                    raise _cross_nation_parent(data.parent_id)
                target = Target("hq", data.id or "new", nation, marking, hq_chain(s, parent.id))
            else:
                target = Target("hq", data.id or "new", nation, marking)
            grant = self._authorize(actor, Action.CREATE, target)
            row = HqRow(
                id=_new_id(data.id, s, HqRow, nation),
                parent_id=data.parent_id,
                kind=data.kind.value,
                **data.model_dump(include=_HQ_TEXT),
                operational_authority=data.operational_authority,
            )
            stamp_new(row, owner=nation, marking=marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "hq", "org.hq.created", actor, grant)
            return hq_view(row)

        return self.ctx.writer.run(job)

    def update_hq(self, actor: Actor, hq_id: str, patch: HqPatch) -> HqOut:
        def job(tx: Tx) -> HqOut:
            s = tx.session
            row = self._hq(s, actor, hq_id, field="id")
            grant = self._authorize(actor, Action.CHANGE, self._hq_target(s, row))
            check_version(row, patch.version)
            before = snapshot(row)
            changes = patch.model_dump(include=_HQ_TEXT, exclude_none=True)
            for key, value in changes.items():
                setattr(row, key, value)
            if patch.marking is not None:
                row.set_marking(patch.marking.build(row.owner))
            if snapshot(row) == before:
                return hq_view(row)  # nothing changed: no new version, no event
            touch(row, tx.now)
            record(tx, row, "hq", "org.hq.updated", actor, grant)
            return hq_view(row)

        return self.ctx.writer.run(job)

    # -- units ---------------------------------------------------------------

    def list_units(
        self,
        actor: Actor,
        *,
        hq_id: str | None = None,
        nation: str | None = None,
        domain: Domain | None = None,
    ) -> list[UnitOut]:
        stmt = released_to(select(UnitRow), UnitRow, actor.nation).order_by(
            UnitRow.owner, UnitRow.id
        )
        if hq_id:
            stmt = stmt.where(UnitRow.hq_id == hq_id)
        if nation:
            stmt = stmt.where(UnitRow.owner == check_nation(nation))
        if domain:
            stmt = stmt.where(UnitRow.domain == domain.value)
        with self.ctx.db.read() as s:
            return [unit_view(r) for r in s.scalars(stmt)]

    def get_unit(self, actor: Actor, unit_id: str) -> UnitOut:
        with self.ctx.db.read() as s:
            return unit_view(self._unit(s, actor, unit_id, field="id"))

    def create_unit(self, actor: Actor, data: UnitIn) -> UnitOut:
        def job(tx: Tx) -> UnitOut:
            s = tx.session
            hq = self._hq(s, actor, data.hq_id)
            marking = data.marking.build(hq.owner)
            grant = self._authorize(
                actor,
                Action.CREATE,
                Target("unit", data.id or "new", hq.owner, marking, hq_chain(s, hq.id)),
            )
            row = UnitRow(
                id=_new_id(data.id, s, UnitRow, hq.owner),
                hq_id=hq.id,
                sidc=data.sidc,
                domain=data.domain.value,
                **data.model_dump(include=_UNIT_TEXT),
            )
            stamp_new(row, owner=hq.owner, marking=marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "unit", "org.unit.created", actor, grant)
            return unit_view(row)

        return self.ctx.writer.run(job)

    def update_unit(self, actor: Actor, unit_id: str, patch: UnitPatch) -> UnitOut:
        def job(tx: Tx) -> UnitOut:
            s = tx.session
            row = self._unit(s, actor, unit_id, field="id")
            grant = self._authorize(actor, Action.CHANGE, self._unit_target(s, row))
            check_version(row, patch.version)
            before = snapshot(row)
            if patch.hq_id is not None and patch.hq_id != row.hq_id:
                new_hq = self._hq(s, actor, patch.hq_id)
                if new_hq.owner != row.owner:
                    raise _cross_nation_parent(patch.hq_id, field="hq_id")
                # Moving a unit needs authority over its new HQ as well.
                self._authorize(actor, Action.CHANGE, self._hq_target(s, new_hq))
                row.hq_id = new_hq.id
            for key, value in patch.model_dump(include=_UNIT_TEXT, exclude_none=True).items():
                setattr(row, key, value)
            if patch.sidc is not None:
                row.sidc = patch.sidc
            if patch.domain is not None:
                row.domain = patch.domain.value
            if patch.marking is not None:
                row.set_marking(patch.marking.build(row.owner))
            if snapshot(row) == before:
                return unit_view(row)  # nothing changed: no new version, no event
            touch(row, tx.now)
            record(tx, row, "unit", "org.unit.updated", actor, grant)
            return unit_view(row)

        return self.ctx.writer.run(job)

    # -- command and support relationships ----------------------------------

    def _party(self, s: Session, actor: Actor, party: Party, field: str) -> HqRow | UnitRow:
        if party.kind == "hq":
            return self._hq(s, actor, party.id, field=f"{field}.id")
        return self._unit(s, actor, party.id, field=f"{field}.id")

    def _party_chain(self, s: Session, row: HqRow | UnitRow) -> tuple[str, ...]:
        """HQs with authority to commit ``row``: a unit's HQ and its superiors, or an
        HQ's superiors — an HQ never places itself under, or frees itself from, command."""
        if isinstance(row, UnitRow):
            return hq_chain(s, row.hq_id)
        return hq_chain(s, row.parent_id) if row.parent_id else (row.id,)

    def list_relationships(
        self, actor: Actor, party_id: str | None = None
    ) -> list[RelationshipOut]:
        model = CommandRelationshipRow
        stmt = released_to(select(model), model, actor.nation).order_by(model.valid_from, model.id)
        if party_id:
            stmt = stmt.where((model.superior_id == party_id) | (model.subordinate_id == party_id))
        now = self.ctx.clock()
        with self.ctx.db.read() as s:
            return [relationship_view(r, now) for r in s.scalars(stmt)]

    def create_relationship(self, actor: Actor, data: RelationshipIn) -> RelationshipOut:
        valid_from = coerce_time(data.valid_from, field="valid_from")
        valid_to = coerce_time(data.valid_to, field="valid_to")
        assert valid_from is not None
        if valid_to is not None and valid_to <= valid_from:
            raise InvalidInput(
                Text(
                    "valid_to must be after valid_from.",
                    "valid_toはvalid_fromより後にしてください。",
                ),
                field="valid_to",
                code="bad_window",
            )
        if data.superior.kind == data.subordinate.kind and data.superior.id == data.subordinate.id:
            raise InvalidInput(
                Text(
                    "A force cannot be related to itself.", "同一の部隊同士は関係付けできません。"
                ),
                field="subordinate",
                code="self_relationship",
            )

        def job(tx: Tx) -> RelationshipOut:
            s = tx.session
            sup = self._party(s, actor, data.superior, "superior")
            sub = self._party(s, actor, data.subordinate, "subordinate")
            if data.kind.is_command and sup.owner != sub.owner:
                raise InvalidInput(
                    Text(
                        f"A command relationship ({data.kind.value.upper()}) never crosses nations: "
                        f"{sup.id} is {sup.owner}, {sub.id} is {sub.owner}. Each nation keeps command "
                        "of its own forces; use a support relationship or an ACM request.",
                        f"指揮関係（{data.kind.value.upper()}）は国をまたげません: {sup.id}は{sup.owner}、"
                        f"{sub.id}は{sub.owner}です。各国は自国部隊の指揮権を保持します。"
                        "支援関係またはACM調整要請を使ってください。",
                    ),
                    field="superior",
                    code="command_crosses_nations",
                )
            # The supporting (subordinate) force's nation commits it; the
            # authority is over that force.
            owner = sub.owner
            marking = data.marking.build(owner)
            if sup.owner != owner:
                marking = Marking(marking.releasable_to | {sup.owner}, marking.tlp)
            target = Target("relationship", "new", owner, marking, self._party_chain(s, sub))
            grant = self._authorize(actor, Action.TASK, target)
            row = CommandRelationshipRow(
                id=new_id(),
                kind=data.kind.value,
                superior_kind=data.superior.kind,
                superior_id=sup.id,
                subordinate_kind=data.subordinate.kind,
                subordinate_id=sub.id,
                valid_from=valid_from,
                valid_to=valid_to,
                caveats_en=data.caveats_en,
                caveats_ja=data.caveats_ja,
                state="active",
            )
            stamp_new(row, owner=owner, marking=marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "relationship", "org.relationship.created", actor, grant)
            return relationship_view(row, tx.now)

        return self.ctx.writer.run(job)

    def revoke_relationship(self, actor: Actor, rel_id: str) -> RelationshipOut:
        def job(tx: Tx) -> RelationshipOut:
            s = tx.session
            row = visible(
                s.get(CommandRelationshipRow, rel_id), actor.nation, RELATIONSHIP.label, rel_id
            )
            sub: HqRow | UnitRow | None = (
                s.get(HqRow, row.subordinate_id)
                if row.subordinate_kind == "hq"
                else s.get(UnitRow, row.subordinate_id)
            )
            chain = self._party_chain(s, sub) if sub is not None else ()
            grant = self._authorize(
                actor, Action.TASK, Target("relationship", row.id, row.owner, row.marking, chain)
            )
            if row.state != "active":
                raise Conflict(
                    Text(
                        "This relationship is already revoked.", "この関係は既に解除されています。"
                    ),
                    code="already_revoked",
                )
            row.state = "revoked"
            row.valid_to = min(row.valid_to or tx.now, tx.now)
            touch(row, tx.now)
            record(tx, row, "relationship", "org.relationship.revoked", actor, grant)
            return relationship_view(row, tx.now)

        return self.ctx.writer.run(job)

    # -- counterparts --------------------------------------------------------

    def list_counterparts(self, actor: Actor) -> list[CounterpartOut]:
        stmt = released_to(select(CounterpartRow), CounterpartRow, actor.nation).order_by(
            CounterpartRow.id
        )
        with self.ctx.db.read() as s:
            return [counterpart_view(r) for r in s.scalars(stmt)]

    def create_counterpart(self, actor: Actor, data: CounterpartIn) -> CounterpartOut:
        def job(tx: Tx) -> CounterpartOut:
            s = tx.session
            own = self._hq(s, actor, data.hq_id)
            partner = self._hq(s, actor, data.partner_hq_id, field="partner_hq_id")
            if own.owner == partner.owner:
                raise InvalidInput(
                    Text(
                        "Counterparts are HQs of different nations.",
                        "カウンターパートは異なる国の司令部同士です。",
                    ),
                    field="partner_hq_id",
                    code="same_nation_counterpart",
                )
            marking = data.marking.build(own.owner)
            grant = self._authorize(
                actor,
                Action.CHANGE,
                Target("counterpart", "new", own.owner, marking, hq_chain(s, own.id)),
            )
            row = CounterpartRow(
                id=new_id(),
                hq_id=own.id,
                partner_hq_id=partner.id,
                note_en=data.note_en,
                note_ja=data.note_ja,
            )
            stamp_new(row, owner=own.owner, marking=marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "counterpart", "org.counterpart.created", actor, grant)
            return counterpart_view(row)

        return self.ctx.writer.run(job)

    def counterparts_of(self, actor: Actor, hq_id: str) -> list[HqOut]:
        """Partner HQs linked to ``hq_id`` by either side's counterpart link."""
        with self.ctx.db.read() as s:
            self._hq(s, actor, hq_id, field="id")
            links = s.scalars(
                released_to(select(CounterpartRow), CounterpartRow, actor.nation).where(
                    (CounterpartRow.hq_id == hq_id) | (CounterpartRow.partner_hq_id == hq_id)
                )
            ).all()
            ids = {link.partner_hq_id if link.hq_id == hq_id else link.hq_id for link in links}
            rows = [s.get(HqRow, i) for i in sorted(ids)]
            return [
                hq_view(r) for r in rows if r is not None and r.marking.releases_to(actor.nation)
            ]

    # -- taskings ------------------------------------------------------------

    def task_unit(self, actor: Actor, data: TaskingIn) -> TaskingOut:
        due = coerce_time(data.due, field="due")

        def job(tx: Tx) -> TaskingOut:
            s = tx.session
            unit = self._unit(s, actor, data.unit_id)
            grant = self._authorize(actor, Action.TASK, self._unit_target(s, unit))
            row = TaskingRow(
                id=new_id(),
                unit_id=unit.id,
                issuing_hq_id=actor.hq_id,
                title=data.title,
                detail=data.detail,
                due=due,
                state="issued",
            )
            stamp_new(row, owner=unit.owner, marking=data.marking.build(unit.owner), now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "tasking", "org.tasking.issued", actor, grant)
            return tasking_view(row)

        return self.ctx.writer.run(job)

    def list_taskings(self, actor: Actor, unit_id: str | None = None) -> list[TaskingOut]:
        stmt = released_to(select(TaskingRow), TaskingRow, actor.nation).order_by(TaskingRow.id)
        if unit_id:
            stmt = stmt.where(TaskingRow.unit_id == unit_id)
        with self.ctx.db.read() as s:
            return [tasking_view(r) for r in s.scalars(stmt)]


_HQ_TEXT = {
    "name_en",
    "name_ja",
    "short_en",
    "short_ja",
    "location_en",
    "location_ja",
    "note_en",
    "note_ja",
}
_UNIT_TEXT = {"name_en", "name_ja", "echelon", "home_en", "home_ja"}


def _cross_nation_parent(hq_id: str, field: str = "parent_id") -> InvalidInput:
    return InvalidInput(
        Text(
            f"'{hq_id}' belongs to another nation; a nation's structure holds only its own HQs.",
            f"「{hq_id}」は他国の司令部です。各国の組織には自国の司令部のみが入ります。",
        ),
        field=field,
        code="cross_nation_parent",
    )
