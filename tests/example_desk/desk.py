"""The example desk: HQs write short notes and release them to partners.

Each operation has its transaction form (``write_in``, ``change_in``) that
another desk's job may call; the public method runs it on the writer. Rows
change only through the ``store.owned`` recipe, and authority is
``core.authority``'s.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target, authorize
from alliance.core.ids import new_id
from alliance.org import HQ, HqRow, hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import (
    OwnedKind,
    change_owned,
    create_owned,
    released_to,
    view,
    visible,
)
from alliance.store.writer import Tx

from .models import NoteIn, NoteOut, NotePatch
from .tables import NOTE, NoteRow

NOTES: OwnedKind[NoteRow] = OwnedKind(NOTE, lambda s, row: hq_chain(s, row.hq_id))


def note_view(row: NoteRow) -> NoteOut:
    return view(NoteOut, row)


class NoteDesk:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def write(self, actor: Actor, data: NoteIn) -> NoteOut:
        return self.ctx.writer.run(lambda tx: self.write_in(tx, actor, data))

    def write_in(self, tx: Tx, actor: Actor, data: NoteIn) -> NoteOut:
        s = tx.session
        hq = visible(s.get(HqRow, data.hq_id), actor.nation, HQ.label, data.hq_id, "hq_id")
        marking = data.marking.build(hq.owner)
        target = Target(NOTE.name, "new", hq.owner, marking, hq_chain(s, hq.id))
        grant = authorize(actor, Action.CREATE, target, hosted=self.ctx.hosted)
        row = NoteRow(id=new_id(), hq_id=hq.id, text=data.text)
        create_owned(
            tx,
            NOTES,
            row,
            owner=hq.owner,
            marking=marking,
            actor=actor,
            grant=grant,
            event="example.note.written",
        )
        return note_view(row)

    def change(self, actor: Actor, note_id: str, patch: NotePatch) -> NoteOut:
        """Change the text, or the marking (narrowing it withdraws the note from the rest)."""
        return self.ctx.writer.run(lambda tx: self.change_in(tx, actor, note_id, patch))

    def change_in(self, tx: Tx, actor: Actor, note_id: str, patch: NotePatch) -> NoteOut:
        def change(row: NoteRow) -> None:
            if patch.text is not None:
                row.text = patch.text
            if patch.marking is not None:
                row.set_marking(patch.marking.build(row.owner))

        row = change_owned(
            tx,
            actor,
            NOTES,
            note_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=patch.version,
            change=change,
            event="example.note.changed",
        )
        return note_view(row)

    def list(self, actor: Actor) -> list[NoteOut]:
        stmt = released_to(select(NoteRow), NoteRow, actor.nation).order_by(
            NoteRow.owner, NoteRow.id
        )
        with self.ctx.db.read() as s:
            return [note_view(r) for r in s.scalars(stmt)]

    def get(self, actor: Actor, note_id: str) -> NoteOut:
        with self.ctx.db.read() as s:
            return note_view(NOTES.find(s, actor.nation, note_id))
