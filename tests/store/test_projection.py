"""check_state: tables must still say what the ledger says; edits behind its back show up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from alliance.core.ledger import Event
from alliance.core.markings import Marking
from alliance.desks import object_types
from alliance.org.tables import NationRow
from alliance.store import Database, Tx, Writer
from alliance.store.ledger import iter_events
from alliance.store.owned import record, stamp_new, touch
from alliance.store.projection import check_state

NOW = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)


def _add_nation(code: str, name: str) -> Callable[[Tx], None]:
    def job(tx: Tx) -> None:
        row = stamp_new(
            NationRow(id=code.lower(), name_en=name, name_ja=name),
            owner=code,
            marking=Marking.of(code, ["USA", "JPN"]),
            now=tx.now,
        )
        tx.session.add(row)
        tx.session.flush()
        record(tx, row, "nation", "nation.created", None, None)

    return job


def _rename(ident: str, name: str) -> Callable[[Tx], None]:
    def job(tx: Tx) -> None:
        row = tx.session.get(NationRow, ident)
        assert row is not None
        row.name_en = name
        touch(row, tx.now)
        tx.session.flush()
        record(tx, row, "nation", "nation.changed", None, None)

    return job


@pytest.fixture
def nations(db: Database, writer: Writer) -> Database:
    writer.run(_add_nation("JPN", "Japan"))
    writer.run(_add_nation("USA", "United States"))
    writer.run(_rename("jpn", "Japan (JJOC)"))
    return db


def _sql(db: Database, statement: str) -> None:
    with db.write_engine.begin() as conn:
        assert conn.execute(text(statement)).rowcount == 1


def test_state_built_by_the_writer_matches_the_ledger(nations: Database) -> None:
    report = check_state(nations, object_types())
    assert report.ok, report.drifts
    assert report.objects == 2


def test_a_row_edited_with_sql_is_reported_with_the_field(nations: Database) -> None:
    _sql(nations, "UPDATE nations SET name_en = 'Forged' WHERE id = 'jpn'")
    report = check_state(nations, object_types())
    assert [(d.object_type, d.object_id) for d in report.drifts] == [("nation", "jpn")]
    assert "name_en" in report.drifts[0].reason.en
    assert "name_en" in report.drifts[0].reason.ja


def test_a_widened_marking_on_a_row_is_reported(nations: Database) -> None:
    _sql(nations, "UPDATE nations SET rel = 'AUS,JPN,USA' WHERE id = 'usa'")
    report = check_state(nations, object_types())
    assert [d.object_id for d in report.drifts] == ["usa"]
    assert "rel" in report.drifts[0].reason.en


def test_a_deleted_row_and_a_row_without_event_are_reported(nations: Database) -> None:
    _sql(nations, "DELETE FROM nations WHERE id = 'usa'")
    with nations.write_engine.begin() as conn:
        conn.execute(
            NationRow.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "id": "aus",
                    "owner": "AUS",
                    "rel": "AUS",
                    "tlp": None,
                    "version": 1,
                    "origin": "local",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "name_en": "Australia",
                    "name_ja": "オーストラリア",
                }
            ],
        )
    report = check_state(nations, object_types())
    drifts = {d.object_id: d.reason.en for d in report.drifts}
    assert set(drifts) == {"usa", "aus"}
    assert "missing" in drifts["usa"]
    assert "no event" in drifts["aus"]


def test_a_write_committed_while_the_check_reads_is_not_reported_as_drift(
    nations: Database, writer: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads the ledger, then the tables. A job that commits in
    between (a new object and its event, a change and its event) must be either
    wholly seen or wholly unseen: both are read in one snapshot."""
    from alliance.store import projection

    read_events = iter_events

    def then_write(*args: object, **kwargs: object) -> Iterator[Event]:
        yield from read_events(*args, **kwargs)  # type: ignore[arg-type]
        # Every event has been read; the tables have not. Another thread's writes land now.
        writer.run(_add_nation("AUS", "Australia"))
        writer.run(_rename("usa", "United States (INDOPACOM)"))

    monkeypatch.setattr(projection, "iter_events", then_write)
    report = check_state(nations, object_types())
    assert report.ok, [d.reason.en for d in report.drifts]
    assert report.objects == 2  # as of the snapshot: AUS came after it
    monkeypatch.undo()
    after = check_state(nations, object_types())
    assert after.ok, after.drifts
    assert after.objects == 3
