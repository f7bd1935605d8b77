"""verify_database catches rows edited directly with SQL and names the first bad seq."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from alliance.core.keys import NodeKey
from alliance.store import Database, Writer
from alliance.store.ledger import count, events_of, get_event, head, iter_events, verify_database
from alliance.store.schema import LedgerRow

from .conftest import put, stored_events

N = 12
BAD = 5


@pytest.fixture
def ledger(db: Database, writer: Writer) -> Database:
    for i in range(1, N + 1):
        writer.run(put(f"k{i}", value=f"value {i}", tlp="AMBER" if i % 2 else None))
    return db


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.write_engine.begin() as conn:
        result = conn.execute(text(statement), params)
        assert result.rowcount == 1


def _problem_seq(db: Database, key: NodeKey) -> int:
    report = verify_database(db, key.public_raw, workers=2)
    assert not report.ok
    assert report.problem is not None
    assert report.problem.reason.en
    assert report.problem.reason.ja
    assert report.checked == report.problem.seq - 1
    return report.problem.seq


def test_untouched_ledger_verifies(ledger: Database, key: NodeKey) -> None:
    report = verify_database(ledger, key.public_raw)
    assert report.ok
    assert report.checked == N == count(ledger)
    with ledger.read() as s:
        assert head(s) == (N, report.head_hash)


def test_reading_helpers_return_the_stored_events(ledger: Database) -> None:
    events = stored_events(ledger)
    assert list(iter_events(ledger, chunk=5)) == events  # keyset pages of 5
    assert list(iter_events(ledger, after=10)) == events[10:]
    assert get_event(ledger, BAD) == events[BAD - 1]
    assert get_event(ledger, N + 1) is None
    assert events_of(ledger, "meta", f"k{BAD}") == [events[BAD - 1]]
    assert events[0].ts.tzinfo is not None


def test_edited_body_is_caught(ledger: Database, key: NodeKey) -> None:
    body = stored_events(ledger)[BAD - 1].body
    forged = body.replace(f'"value {BAD}"'.encode(), b'"forged"')
    assert forged != body
    _sql(ledger, "UPDATE ledger SET body = :b WHERE seq = :s", b=forged, s=BAD)
    assert _problem_seq(ledger, key) == BAD


def test_widened_rel_column_is_caught(ledger: Database, key: NodeKey) -> None:
    _sql(ledger, "UPDATE ledger SET rel = 'AUS,JPN,USA' WHERE seq = :s", s=BAD)
    assert _problem_seq(ledger, key) == BAD


def test_edited_kind_column_is_caught(ledger: Database, key: NodeKey) -> None:
    _sql(ledger, "UPDATE ledger SET kind = 'meta.deleted' WHERE seq = :s", s=BAD)
    assert _problem_seq(ledger, key) == BAD


def test_edited_ts_column_is_caught(ledger: Database, key: NodeKey) -> None:
    moved = stored_events(ledger)[BAD - 1].ts.replace(year=2020)
    with ledger.write_engine.begin() as conn:
        conn.execute(update(LedgerRow).where(LedgerRow.seq == BAD).values(ts=moved))
    assert _problem_seq(ledger, key) == BAD


def test_replaced_signature_is_caught(ledger: Database, key: NodeKey) -> None:
    ev = stored_events(ledger)[BAD - 1]
    other = NodeKey.generate().sign(bytes.fromhex(ev.hash))
    _sql(ledger, "UPDATE ledger SET sig = :g WHERE seq = :s", g=other, s=BAD)
    assert _problem_seq(ledger, key) == BAD


def test_signature_with_extra_bytes_is_caught(ledger: Database, key: NodeKey) -> None:
    ev = stored_events(ledger)[BAD - 1]
    _sql(ledger, "UPDATE ledger SET sig = :g WHERE seq = :s", g=ev.sig + b"\0", s=BAD)
    assert _problem_seq(ledger, key) == BAD


def test_deleted_middle_row_is_caught_as_a_gap(ledger: Database, key: NodeKey) -> None:
    _sql(ledger, "DELETE FROM ledger WHERE seq = :s", s=BAD)
    assert _problem_seq(ledger, key) == BAD
    report = verify_database(ledger, key.public_raw)
    assert report.problem is not None
    assert f"expected {BAD}, found {BAD + 1}" in report.problem.reason.en


def test_edited_last_row_is_caught(ledger: Database, key: NodeKey) -> None:
    _sql(ledger, "UPDATE ledger SET rel = 'JPN' WHERE seq = :s", s=N)
    assert _problem_seq(ledger, key) == N


def test_the_earliest_edit_is_named(ledger: Database, key: NodeKey) -> None:
    _sql(ledger, "UPDATE ledger SET kind = 'meta.deleted' WHERE seq = :s", s=9)
    _sql(ledger, "UPDATE ledger SET rel = 'AUS,JPN,USA' WHERE seq = :s", s=3)
    assert _problem_seq(ledger, key) == 3
