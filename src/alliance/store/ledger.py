"""Reading the ledger table: the head of the chain, events in order, verification."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from alliance.core import release
from alliance.core.ledger import GENESIS_PREV, Event, VerifyReport, verify

from . import release_index
from .db import Database
from .schema import LedgerRow, MetaRow
from .schema.base import bind_processor
from .types import ObjectTypes

log = logging.getLogger(__name__)

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


def insert_events(conn: Connection, events: list[Event]) -> None:
    """Insert sealed events with the driver's own executemany.

    The writer inserts every event, and SQLAlchemy's per-row parameter
    processing cost more than sealing; the timestamp still goes through the
    column type's bind processor, so rows are stored exactly as the ORM would.
    """
    if not events:
        return
    table = LedgerRow.__table__
    ts_bind = bind_processor(table.c.ts.type, conn.dialect)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO ledger ({_NAMES}) VALUES ({', '.join([mark] * len(_COLUMNS))})"  # noqa: S608 - fixed names
    conn.exec_driver_sql(
        sql,
        [
            (
                ev.seq,
                ev.event_id,
                ts_bind(ev.ts) if ts_bind else ev.ts,
                ev.kind,
                ev.object_type,
                ev.object_id,
                ev.owner,
                ev.rel,
                ev.tlp,
                ev.body,
                ev.hash,
                ev.prev_hash,
                ev.sig,
            )
            for ev in events
        ],
    )


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


def iter_events(
    db: Database, after: int = 0, chunk: int = 5000, *, session: Session | None = None
) -> Iterator[Event]:
    """Every event with ``seq > after``, in order, read in keyset pages: each
    page on a connection of its own, or all in ``session``'s transaction (a
    :meth:`Database.snapshot`, to compare the ledger with the tables)."""
    # The raw driver is used here because verification reads every row; the
    # ORM's per-row processing would cost more than the hash checks.
    sql = f"SELECT {_NAMES} FROM ledger WHERE seq > %s ORDER BY seq LIMIT %s"  # noqa: S608 - fixed column names
    if db.is_sqlite:
        sql = sql.replace("%s", "?")
    last = after
    while True:
        if session is not None:
            rows = session.connection().exec_driver_sql(sql, (last, chunk)).fetchall()
        else:
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


def _released(ev: Event, nation: str) -> bool:
    """Decided by the signed body, not the copied ``rel`` column: a row edited
    behind the ledger's back releases nothing."""
    if hashlib.sha256(ev.body).hexdigest() != ev.hash:
        log.warning("ledger event %s does not match its hash; withheld", ev.seq)
        return False
    return release.released_body(ev.body_json(), nation)


def _hidden_objects(
    session: Session, events: list[Event], nation: str, types: ObjectTypes
) -> set[tuple[str, str]]:
    """(type, id) of the partner objects among ``events`` whose row here is no
    longer released to ``nation``: withdrawn by their owner, or narrowed since.

    An event was released when it was written; the object it is about may not
    be any more, and what is not released does not exist for a partner — its
    past included. One query per object type, whatever the number of events.
    """
    tables = types.tables()
    wanted: dict[str, set[str]] = {}
    for ev in events:
        if ev.owner != nation and ev.object_type in tables:
            wanted.setdefault(ev.object_type, set()).add(ev.object_id)
    hidden: set[tuple[str, str]] = set()
    for object_type, ids in wanted.items():
        model = tables[object_type]
        shown: set[str] = set()
        chosen = sorted(ids)
        for i in range(0, len(chosen), 500):
            some = select(model.id).where(model.id.in_(chosen[i : i + 500]))
            shown.update(session.scalars(release_index.released_to(some, model, nation)))
        hidden.update((object_type, object_id) for object_id in ids - shown)
    return hidden


def released_events(
    db: Database, nation: str, types: ObjectTypes, *, after: int = 0, limit: int = 100
) -> list[Event]:
    """Events after ``after`` released to ``nation``, oldest first, at most ``limit``;
    none about a partner object (of one of ``types``) that is no longer released
    to ``nation``."""
    out: list[Event] = []
    last = after
    while len(out) < limit:
        with db.read() as s:
            rows = s.execute(
                select(*_COLUMNS)
                .where(LedgerRow.seq > last, release_index.may_release(LedgerRow, nation))
                .order_by(LedgerRow.seq)
                .limit(limit)
            ).all()
            if not rows:
                break
            events = [ev for ev in map(_event, rows) if _released(ev, nation)]
            hidden = _hidden_objects(s, events, nation, types)
        out.extend(ev for ev in events if (ev.object_type, ev.object_id) not in hidden)
        last = rows[-1][0]
    return out[:limit]


def history(
    db: Database, object_type: str, object_id: str, nation: str, types: ObjectTypes
) -> list[Event]:
    """The events of one object that are released to ``nation``; none at all when
    the object is a partner's that is no longer released to ``nation``."""
    events = [ev for ev in events_of(db, object_type, object_id) if _released(ev, nation)]
    with db.read() as s:
        if _hidden_objects(s, events, nation, types):
            return []
    return events


def events_at(session: Session, seqs: list[int]) -> list[Event]:
    """The events with these sequence numbers, in ledger order."""
    out: list[Event] = []
    for i in range(0, len(seqs), 500):
        rows = session.execute(
            select(*_COLUMNS).where(LedgerRow.seq.in_(seqs[i : i + 500])).order_by(LedgerRow.seq)
        ).all()
        out.extend(_event(r) for r in rows)
    return sorted(out, key=lambda e: e.seq)


def get_event(db: Database, seq: int) -> Event | None:
    with db.read() as s:
        row = s.execute(select(*_COLUMNS).where(LedgerRow.seq == seq)).first()
    return _event(row) if row else None


def verify_database(db: Database, public_raw: bytes, *, workers: int | None = None) -> VerifyReport:
    """Check every stored event: sequence, hash, chain, columns and signature."""
    return verify(iter_events(db), public_raw, workers=workers)


# -- the ledger's status: its head, and the last verification --------------------

LAST_VERIFY = "ledger.last_verify"
"""The ``node_meta`` key holding the last verification's outcome (JSON)."""


@dataclass(frozen=True, slots=True)
class VerifyRecord:
    """The outcome of a verification, as kept for the node's health view."""

    at: datetime
    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None
    reason: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class LedgerStatus:
    head_seq: int
    head_hash: str
    events: int
    last_verify: VerifyRecord | None


def verify_record(report: VerifyReport, at: datetime) -> VerifyRecord:
    p = report.problem
    return VerifyRecord(
        at=at,
        ok=report.ok,
        checked=report.checked,
        head_hash=report.head_hash,
        first_bad_seq=p.seq if p else None,
        reason=p.reason.as_dict() if p else None,
    )


def keep_verify(session: Session, record: VerifyRecord) -> None:
    """Keep ``record`` as the last verification (one ``node_meta`` row, replaced)."""
    value = json.dumps(
        {
            "at": record.at.isoformat(),
            "ok": record.ok,
            "checked": record.checked,
            "head_hash": record.head_hash,
            "first_bad_seq": record.first_bad_seq,
            "reason": record.reason,
        }
    )
    session.merge(MetaRow(key=LAST_VERIFY, value=value))


def remember_verify(db: Database, report: VerifyReport, at: datetime) -> None:
    """Keep a verification made outside the node's writer (``alliance ledger
    verify``), in a short transaction of its own."""
    with db.write_session() as session, session.begin():
        db.lock_writer(session)
        keep_verify(session, verify_record(report, at))


def ledger_status(db: Database) -> LedgerStatus:
    """The head (sequence and hash), the number of events and the last verification."""
    with db.snapshot() as s:
        seq, hash_ = head(s)
        events = int(s.scalar(select(func.count()).select_from(LedgerRow)) or 0)
        kept = s.get(MetaRow, LAST_VERIFY)
        value = kept.value if kept is not None else None
    last = None
    if value is not None:
        data = json.loads(value)
        last = VerifyRecord(
            at=datetime.fromisoformat(data["at"]),
            ok=bool(data["ok"]),
            checked=int(data["checked"]),
            head_hash=str(data["head_hash"]),
            first_bad_seq=data["first_bad_seq"],
            reason=data["reason"],
        )
    return LedgerStatus(seq, hash_, events, last)
