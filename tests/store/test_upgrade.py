"""A node written by an older version upgrades without its state check crying
wolf, and without an edit made behind the ledger's back being laundered.

The old node (``old_node/node-0010.json``, made by ``old_node/make_fixture.py``
on the code at schema 0010) is loaded as it was into a database at that
revision on the selected backend, then upgraded by this version.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from alliance.acm import RequestPatch
from alliance.config import Settings
from alliance.node import Node
from alliance.store.db import Database
from alliance.store.ledger import iter_events, released_events
from alliance.store.projection import check_state
from alliance.store.upgrade import EVENT_KIND, head_revision, pending, rewrites_since
from tests.federation.helpers import actor
from tests.store.old_node import FIXTURE, old_node


@pytest.fixture
def old(tmp_path: Path, database_url: str) -> Settings:
    return old_node(tmp_path / "jpn", database_url)


def _raw(settings: Settings, sql: str) -> None:
    db = Database(settings.database_url)
    try:
        with db.write_engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        db.dispose()


def test_the_old_schema_alone_would_report_every_rewritten_row_as_drift(old: Settings) -> None:
    # What the upgrade exists for: migrating alone leaves the rows the migrations
    # rewrote differing from their last events.
    node = Node(old)
    try:
        node.db.migrate()
        drift = check_state(node.db, node.types)
        assert {d.object_type for d in drift.drifts} == {
            "coordination_request",
            "coordination_response",
        }
        assert pending(node.db) == "base"  # the ledger has not caught up with any revision
    finally:
        node.db.dispose()


def test_upgrade_records_each_rewritten_row_once_and_the_state_checks_clean(old: Settings) -> None:
    node = Node(old)
    try:
        done = node.upgrade()
        assert done.to == head_revision()
        # Two requests (level, escalations), five responses (kind, text, comments).
        assert (done.recorded, done.left) == (7, 0)
        assert check_state(node.db, node.types).ok
        assert node.verify_ledger().ok  # the chain holds with the new events in it
        assert pending(node.db) is None
        migrated = [ev for ev in iter_events(node.db) if ev.kind == EVENT_KIND]
        rewritten = rewrites_since(FIXTURE["revision"])
        tables = {t.name: t.table.__tablename__ for t in node.types.values()}
        for ev in migrated:
            data = ev.body_json()["data"]
            assert set(data["fields"]) <= rewritten[tables[ev.object_type]]
            assert data["schema"] == {"from": None, "to": done.to}
            assert ev.rel == "JPN"  # this node's bookkeeping, released to nobody
        kinds = sorted(
            ev.body_json()["data"]["state"]["kind"]
            for ev in migrated
            if ev.object_type == "coordination_response"
        )
        # An RFI's reply is its answer, a position on an RFI a comment; a
        # counter-proposal is a non-concurrence, as is the old non-concurrence.
        assert kinds == ["answer", "comment", "comment", "non_concur", "non_concur"]
        # None about our own objects is released to the partner: it migrates and
        # records its own copies (events about its objects are never shipped back).
        assert {ev.owner for ev in migrated} == {"JPN", "USA"}
        released = released_events(node.db, "USA", node.types, limit=1000)
        assert released
        assert not [e for e in released if e.kind == EVENT_KIND and e.owner == "JPN"]
        again = node.upgrade()
        assert (again.recorded, again.left) == (0, 0)
        assert len([ev for ev in iter_events(node.db) if ev.kind == EVENT_KIND]) == len(migrated)
    finally:
        node.db.dispose()


def test_upgrade_never_launders_an_edit_made_behind_the_ledger(old: Settings) -> None:
    _raw(old, "UPDATE coordination_requests SET subject = 'Edited outside' WHERE kind = 'rfi'")
    node = Node(old)
    try:
        done = node.upgrade()
        assert done.left == 1
        drift = check_state(node.db, node.types)
        assert [(d.object_type, d.reason.en) for d in drift.drifts] == [
            ("coordination_request", "differs from its last event in: escalations, level, subject")
        ]
    finally:
        node.db.dispose()


def test_starting_an_old_node_records_the_upgrade(old: Settings) -> None:
    node = Node(old).start()
    try:
        assert check_state(node.db, node.types).ok
    finally:
        node.close()


def test_an_old_node_reads_with_no_japanese_text_and_its_old_events_stand_unchanged(
    old: Settings,
) -> None:
    """0016's Japanese subject, title, callsign and remarks rewrite no stored row:
    what an old event does not name is no Japanese text, as the new column says."""
    node = Node(old).start()
    try:
        staff = actor("JPN", "jpn-jjoc")
        requests = node.acm.list_requests(staff)
        assert len(requests) == 2
        assert [r.subject_ja for r in requests] == ["", ""]
        [track] = node.cop.hub.picture("JPN")
        assert (track.callsign_ja, track.remarks_ja) == ("", "")
        # The upgrade recorded the rows 0013 rewrote (level, escalations, kinds),
        # none for 0016; no old event is changed, and the ledger verifies.
        old_events = [ev for ev in iter_events(node.db) if ev.kind != EVENT_KIND]
        assert not any("subject_ja" in ev.body_json()["data"].get("state", {}) for ev in old_events)
        for ev in iter_events(node.db):
            if ev.kind == EVENT_KIND:
                assert not set(ev.body_json()["data"]["fields"]) & {"subject_ja", "title_ja"}
        assert node.verify_ledger().ok
        assert check_state(node.db, node.types).ok
        # Given a Japanese subject now, the request records it; the state still agrees.
        mine = next(r for r in requests if r.owner == "JPN")
        amended = node.acm.update_request(staff, mine.id, RequestPatch(subject_ja="日米調整"))
        assert amended.subject_ja == "日米調整"
        assert check_state(node.db, node.types).ok
        assert node.verify_ledger().ok
    finally:
        node.close()
