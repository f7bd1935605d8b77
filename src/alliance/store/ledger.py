"""Reading the ledger table: the head of the chain, events in order, verification."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliance.core.ledger import GENESIS_PREV, Event, VerifyReport, verify

from .db import Database
from .schema import LedgerRow

_COLUMNS = (
    LedgerRow.seq,
    LedgerRow.event_id,
    LedgerRow.ts,
    LedgerRow.kind,
    LedgerRow.object_type,
    LedgerRow.object_id,
    LedgerRow.owner,
    LedgerRow.rel,
    LedgerRow.tlp,
    LedgerRow.body,
    LedgerRow.hash,
    LedgerRow.prev_hash,
    LedgerRow.sig,
)


_NAMES = ", ".join(c.key for c in _COLUMNS)


def row_values(ev: Event) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "event_id": ev.event_id,
        "ts": ev.ts,
        "kind": ev.kind,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "owner": ev.owner,
        "rel": ev.rel,
        "tlp": ev.tlp,
        "body": ev.body,
        "hash": ev.hash,
        "prev_hash": ev.prev_hash,
        "sig": ev.sig,
    }


def _ts(value: Any) -> datetime:
    """A ledger time as read by the raw driver: SQLite gives text, PostgreSQL a datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _event(row: Any) -> Event:
    return Event(
        seq=row[0],
        event_id=row[1],
        ts=_ts(row[2]),
        kind=row[3],
        object_type=row[4],
        object_id=row[5],
        owner=row[6],
        rel=row[7],
        tlp=row[8],
        body=bytes(row[9]),
        hash=row[10],
        prev_hash=row[11],
        sig=bytes(row[12]),
    )


def head(session: Session) -> tuple[int, str]:
    """Sequence number and hash of the newest event (0 and the genesis hash if none)."""
    row = session.execute(
        select(LedgerRow.seq, LedgerRow.hash).order_by(LedgerRow.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_PREV)


def count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(LedgerRow)) or 0)


def iter_events(db: Database, after: int = 0, chunk: int = 5000) -> Iterator[Event]:
    """Every event with ``seq > after``, in order, read in keyset pages."""
    # The raw driver is used here because verification reads every row; the
    # ORM's per-row processing would cost more than the hash checks.
    sql = f"SELECT {_NAMES} FROM ledger WHERE seq > %s ORDER BY seq LIMIT %s"  # noqa: S608 - fixed column names
    if db.is_sqlite:
        sql = sql.replace("%s", "?")
    last = after
    while True:
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(sql, (last, chunk)).fetchall()
        if not rows:
            return
        for row in rows:
            yield _event(row)
        last = rows[-1][0]


def events_of(db: Database, object_type: str, object_id: str) -> list[Event]:
    with db.read() as s:
        rows = s.execute(
            select(*_COLUMNS)
            .where(LedgerRow.object_type == object_type, LedgerRow.object_id == object_id)
            .order_by(LedgerRow.seq)
        ).all()
    return [_event(r) for r in rows]


def get_event(db: Database, seq: int) -> Event | None:
    with db.read() as s:
        row = s.execute(select(*_COLUMNS).where(LedgerRow.seq == seq)).first()
    return _event(row) if row else None


def verify_database(db: Database, public_raw: bytes, *, workers: int | None = None) -> VerifyReport:
    """Check every stored event: sequence, hash, chain, columns and signature."""
    return verify(iter_events(db), public_raw, workers=workers)
