"""The example desk: HQs write short notes and release them to partners."""

from __future__ import annotations

from alliance.core.authority import Action, Actor, Target, authorize
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import check_version, record, snapshot, stamp_new, touch, visible
from alliance.store.writer import Tx

from .tables import NOTE, NoteRow

Note = dict[str, object]


class NoteDesk:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def write(self, actor: Actor, hq_id: str, text: str, release_to: list[str]) -> Note:
        marking = Marking.of(actor.nation, release_to)

        def job(tx: Tx) -> Note:
            chain = hq_chain(tx.session, hq_id)
            target = Target(NOTE.name, "new", actor.nation, marking, chain)
            grant = authorize(actor, Action.CREATE, target, hosted=self.ctx.hosted)
            row = stamp_new(
                NoteRow(id=new_id(), hq_id=hq_id, text=text),
                owner=actor.nation,
                marking=marking,
                now=tx.now,
            )
            tx.session.add(row)
            record(tx, row, NOTE.name, "example.note.written", actor, grant)
            return snapshot(row)

        return self.ctx.writer.run(job)

    def release(self, actor: Actor, note_id: str, release_to: list[str], version: int) -> Note:
        """Release the note to these nations only (narrowing withdraws it from the rest)."""

        def job(tx: Tx) -> Note:
            s = tx.session
            row = visible(s.get(NoteRow, note_id), actor.nation, NOTE.label, note_id, "id")
            target = Target(NOTE.name, row.id, row.owner, row.marking, hq_chain(s, row.hq_id))
            grant = authorize(actor, Action.CHANGE, target, hosted=self.ctx.hosted)
            check_version(row, version)
            row.set_marking(Marking.of(row.owner, release_to))
            touch(row, tx.now)
            record(tx, row, NOTE.name, "example.note.released", actor, grant)
            return snapshot(row)

        return self.ctx.writer.run(job)

    def get(self, actor: Actor, note_id: str) -> Note:
        with self.ctx.db.read() as s:
            row = visible(s.get(NoteRow, note_id), actor.nation, NOTE.label, note_id, "id")
            return snapshot(row)
