"""The org desk's hierarchy: nations, HQs and units.

An HQ's parent is an HQ of the same nation; a unit belongs to one HQ of its
nation. Every change has a transaction form (``*_in``) that another desk's
writer job calls inside its own transaction.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target
from alliance.core.markings import check_nation
from alliance.store.owned import change_owned, create_owned, released_to
from alliance.store.writer import Tx

from .chain import hq_chain
from .common import (
    HQ,
    HQ_TEXT,
    UNIT,
    UNIT_TEXT,
    OrgBase,
    cross_nation_parent,
    hq_view,
    new_id,
    unit_view,
)
from .models import Domain, HqIn, HqOut, HqPatch, NationOut, UnitIn, UnitOut, UnitPatch
from .tables import HqRow, NationRow, UnitRow


class Hierarchy(OrgBase):
    """Nations, HQs and units."""

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
        data.marking.build(check_nation(data.nation))  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.create_hq_in(tx, actor, data))

    def create_hq_in(self, tx: Tx, actor: Actor, data: HqIn) -> HqOut:
        nation = check_nation(data.nation)
        marking = data.marking.build(nation)
        s = tx.session
        if data.parent_id is not None:
            parent = self._hq(s, actor, data.parent_id, field="parent_id")
            if parent.owner != nation:
                raise cross_nation_parent(data.parent_id)
            target = Target("hq", data.id or "new", nation, marking, hq_chain(s, parent.id))
        else:
            target = Target("hq", data.id or "new", nation, marking)
        grant = self._authorize(actor, Action.CREATE, target)
        row = HqRow(
            id=new_id(data.id, s, HqRow, nation),
            parent_id=data.parent_id,
            kind=data.kind.value,
            **data.model_dump(include=set(HQ_TEXT)),
            operational_authority=data.operational_authority,
        )
        create_owned(
            tx,
            HQ,
            row,
            owner=nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="org.hq.created",
        )
        return hq_view(row)

    def update_hq(self, actor: Actor, hq_id: str, patch: HqPatch) -> HqOut:
        return self.ctx.writer.run(lambda tx: self.update_hq_in(tx, actor, hq_id, patch))

    def update_hq_in(self, tx: Tx, actor: Actor, hq_id: str, patch: HqPatch) -> HqOut:
        def change(row: HqRow) -> None:
            for key, value in patch.model_dump(include=set(HQ_TEXT), exclude_none=True).items():
                setattr(row, key, value)
            if patch.marking is not None:
                row.set_marking(patch.marking.build(row.owner))

        row = change_owned(
            tx,
            actor,
            HQ,
            hq_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=patch.version,
            change=change,
            event="org.hq.updated",
        )
        return hq_view(row)

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
        return self.ctx.writer.run(lambda tx: self.create_unit_in(tx, actor, data))

    def create_unit_in(self, tx: Tx, actor: Actor, data: UnitIn) -> UnitOut:
        s = tx.session
        hq = self._hq(s, actor, data.hq_id)
        marking = data.marking.build(hq.owner)
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("unit", data.id or "new", hq.owner, marking, hq_chain(s, hq.id)),
        )
        row = UnitRow(
            id=new_id(data.id, s, UnitRow, hq.owner),
            hq_id=hq.id,
            sidc=data.sidc,
            domain=data.domain.value,
            **data.model_dump(include=set(UNIT_TEXT)),
        )
        create_owned(
            tx,
            UNIT,
            row,
            owner=hq.owner,
            marking=marking,
            actor=actor,
            grant=grant,
            event="org.unit.created",
        )
        return unit_view(row)

    def update_unit(self, actor: Actor, unit_id: str, patch: UnitPatch) -> UnitOut:
        return self.ctx.writer.run(lambda tx: self.update_unit_in(tx, actor, unit_id, patch))

    def update_unit_in(self, tx: Tx, actor: Actor, unit_id: str, patch: UnitPatch) -> UnitOut:
        s = tx.session

        def change(row: UnitRow) -> None:
            if patch.hq_id is not None and patch.hq_id != row.hq_id:
                new_hq = self._hq(s, actor, patch.hq_id)
                if new_hq.owner != row.owner:
                    raise cross_nation_parent(patch.hq_id, field="hq_id")
                # Moving a unit needs authority over its new HQ as well.
                self._authorize(actor, Action.CHANGE, HQ.target(s, new_hq))
                row.hq_id = new_hq.id
            for key, value in patch.model_dump(include=set(UNIT_TEXT), exclude_none=True).items():
                setattr(row, key, value)
            if patch.sidc is not None:
                row.sidc = patch.sidc
            if patch.domain is not None:
                row.domain = patch.domain.value
            if patch.marking is not None:
                row.set_marking(patch.marking.build(row.owner))

        row = change_owned(
            tx,
            actor,
            UNIT,
            unit_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=patch.version,
            change=change,
            event="org.unit.updated",
        )
        return unit_view(row)
