"""A desk added the documented way (this package only) ships, withdraws and drift-checks.

Two federated nodes, each on a database of its own on the selected backend,
both with the registered desks and this example desk: a note released to
the partner reaches it; narrowed, it is withdrawn there; both nodes' tables
still say what their ledgers say, notes included.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from alliance.config import load_settings
from alliance.core.authority import Role
from alliance.core.models import MarkingIn
from alliance.desks import all_desks
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from alliance.store.projection import check_state
from tests.conftest import DatabaseFactory, standing_guidance
from tests.federation.helpers import actor, federate, wait_drained, wait_until

from . import DESK, NOTE, NoteDesk, NoteRow, migration
from .models import NoteIn, NotePatch


def _node(tmp_path: Path, nation: str, url: str) -> Node:
    settings = load_settings(tmp_path / nation.lower(), nation=nation, database_url=url)
    desks = (*all_desks(), DESK)
    Node.init(settings, desks=desks).db.dispose()
    node = Node(settings, desks=desks)
    migration.upgrade(node.db)  # the desk's own migration step
    node.start()
    doc, digest = parse_document(packaged_seed())
    load_document(node.ctx, doc, digest)
    standing_guidance(node)
    return node


def _note_row(node: Node, note_id: str) -> NoteRow | None:
    with node.db.read() as s:
        return s.scalars(select(NoteRow).where(NoteRow.id == note_id)).one_or_none()


def test_an_example_desks_object_ships_withdraws_and_drift_checks(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    jpn = _node(tmp_path, "JPN", new_database())
    usa = _node(tmp_path, "USA", new_database())
    try:
        assert NOTE.name in jpn.types
        assert jpn.types.of_table(NoteRow) is NOTE
        federate([jpn, usa])
        for node in (jpn, usa):
            node.serve_federation(wait=0.5)
        notes = jpn.desk("notes", NoteDesk)
        staff = actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)
        note = notes.write(
            staff,
            NoteIn(
                hq_id="jpn-jjoc",
                text="Exercise window agreed (fictional)",
                marking=MarkingIn(releasable_to=["USA"]),
            ),
        )
        note_id = note.id

        wait_until(lambda: _note_row(usa, note_id) is not None, what="the note at USA")
        replica = _note_row(usa, note_id)
        assert replica is not None
        assert (replica.owner, replica.origin, replica.text, replica.rel) == (
            "JPN",
            "replica",
            "Exercise window agreed (fictional)",
            "JPN,USA",
        )

        notes.change(staff, note_id, NotePatch(version=1, marking=MarkingIn()))
        wait_until(
            lambda: (row := _note_row(usa, note_id)) is not None and row.origin == "withdrawn",
            what="the withdrawal at USA",
        )
        withdrawn = _note_row(usa, note_id)
        assert withdrawn is not None
        assert (withdrawn.rel, withdrawn.origin) == ("", "withdrawn")
        # Both ways: USA's own stream (its seed, released to JPN) must be applied
        # at JPN too before the drift check reads JPN's ledger and tables.
        wait_drained(jpn, [usa])
        wait_drained(usa, [jpn])

        for node in (jpn, usa):
            report = check_state(node.db, node.types)
            assert report.ok, report.drifts
        # The drift check reads the note table: an edit behind the ledger's back shows.
        with jpn.db.write_session() as s, s.begin():
            row = s.get(NoteRow, note_id)
            assert row is not None
            row.text = "edited in the database"
        drifts = check_state(jpn.db, jpn.types).drifts
        assert [(d.object_type, d.object_id) for d in drifts] == [("note", note_id)]
    finally:
        for node in (jpn, usa):
            node.close()
