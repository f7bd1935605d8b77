"""The feed TAXII pages: which versions each nation may read, in the order they
were added here, found by an index.

Derived from ``stix_objects`` by the one release rule
(:func:`alliance.core.release.index_nations`), like the store's release
index, and kept in step with it the same way: :func:`refresh` runs in the
write's own transaction, for a desk's writes and for replicas applied from a
partner alike (it follows the release index, see :func:`install`).

**Why a per-nation entry numbered by arrival.** TAXII pages a collection by
the time each object was *added to this server* (``added_after``,
``X-TAXII-Date-Added-First/Last``, ``next``). A page for one nation is then a
bounded range scan of ``(nation, collection_id, last, nseq)`` from the key the
previous page ended on: the same work at a thousand or a million objects, and
whatever a reader may not see is simply not in its range — counts, ``more``,
``next`` and the date headers are computed from what it may see and nothing
else. ``first``/``last`` mark each nation's earliest and latest readable
version of an object, so ``match[version]=last`` (the default) is a filter of
the same scan, not a group-by over every version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    cast,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import Text as RunningText
from sqlalchemy.orm import Session

from alliance.core import release

from .tables import CounterRow, FeedRow, StixRow

_feed, _objects, _counters = FeedRow.__table__, StixRow.__table__, CounterRow.__table__
assert isinstance(_feed, Table)
assert isinstance(_objects, Table)
assert isinstance(_counters, Table)
FEED: Table = _feed
OBJECTS: Table = _objects
COUNTERS: Table = _counters
_CHUNK = 500


def refresh(conn: Connection, row_ids: Sequence[str]) -> None:
    """Bring the entries of the version rows ``row_ids`` in step with the rows:
    an entry for each nation the rule releases a live version to (a deleted
    version and a withdrawn replica have none), each nation's ``first`` and
    ``last`` versions of every object touched marked again. An entry that
    stays keeps its ``nseq`` and ``date_added``."""
    if not row_ids:
        return
    rows: dict[str, Any] = {}
    have: dict[tuple[str, str], int] = {}
    for i in range(0, len(row_ids), _CHUNK):
        chunk = list(row_ids[i : i + _CHUNK])
        for r in conn.execute(
            select(
                OBJECTS.c.id,
                OBJECTS.c.owner,
                OBJECTS.c.rel,
                OBJECTS.c.origin,
                OBJECTS.c.deleted,
                OBJECTS.c.collection_id,
                OBJECTS.c.stix_id,
                OBJECTS.c.stix_type,
                OBJECTS.c.modified,
                OBJECTS.c.spec_version,
            ).where(OBJECTS.c.id.in_(chunk))
        ):
            rows[r.id] = r
        for seq, nation, row_id in conn.execute(
            select(FEED.c.seq, FEED.c.nation, FEED.c.row_id).where(FEED.c.row_id.in_(chunk))
        ):
            have[(row_id, nation)] = seq
    want: dict[tuple[str, str], Any] = {}
    for r in rows.values():
        if r.deleted or r.origin == "withdrawn":
            continue
        for nation in release.index_nations(r.owner, r.rel):
            want[(r.id, nation)] = r
    gone = [seq for key, seq in have.items() if key not in want]
    for i in range(0, len(gone), _CHUNK):
        conn.execute(delete(FEED).where(FEED.c.seq.in_(gone[i : i + _CHUNK])))
    new = [
        {
            "nation": nation,
            "collection_id": r.collection_id,
            "row_id": row_id,
            "stix_id": r.stix_id,
            "stix_type": r.stix_type,
            "modified": r.modified,
            "spec_version": r.spec_version,
            "first": False,
            "last": False,
        }
        for (row_id, nation), r in want.items()
        if (row_id, nation) not in have
    ]
    _number(conn, new)
    _mark_ends(conn, {r.stix_id for r in rows.values()}, new)


def _number(conn: Connection, new: list[dict[str, Any]]) -> None:
    """Give each new entry the next ``nseq`` and ``date_added`` of its nation's
    view of its collection: now, or a microsecond after the last one given
    there (so ``date_added`` orders that view as ``nseq`` does, and a client
    passing a page's last date back as ``added_after`` misses nothing)."""
    c = COUNTERS.c
    marks: dict[tuple[str, str], tuple[int, datetime] | None] = {}
    for key in sorted({(n["nation"], n["collection_id"]) for n in new}):
        found = conn.execute(
            select(c.nseq, c.date_added).where(c.nation == key[0], c.collection_id == key[1])
        ).first()
        marks[key] = (found.nseq, found.date_added) if found is not None else None
    existed = {key for key, mark in marks.items() if mark is not None}
    now = datetime.now(UTC)
    for n in new:
        key = (n["nation"], n["collection_id"])
        mark = marks[key]
        number = mark[0] + 1 if mark is not None else 1
        when = now if mark is None or now > mark[1] else mark[1] + timedelta(microseconds=1)
        n["nseq"], n["date_added"] = number, when
        marks[key] = (number, when)
    for key, mark in marks.items():
        assert mark is not None
        values = {"nseq": mark[0], "date_added": mark[1]}
        if key in existed:
            conn.execute(
                update(COUNTERS)
                .where(c.nation == key[0], c.collection_id == key[1])
                .values(**values)
            )
        else:
            conn.execute(insert(COUNTERS).values(nation=key[0], collection_id=key[1], **values))


def _mark_ends(conn: Connection, stix_ids: set[str], new: list[dict[str, Any]]) -> None:
    """Insert ``new`` with each nation's first and last version of every object
    in ``stix_ids`` marked (in each collection holding it), and re-mark the
    entries already there that change."""
    existing: list[Any] = []
    ids = sorted(stix_ids)
    for i in range(0, len(ids), _CHUNK):
        existing.extend(
            conn.execute(
                select(
                    FEED.c.seq,
                    FEED.c.nation,
                    FEED.c.collection_id,
                    FEED.c.stix_id,
                    FEED.c.modified,
                    FEED.c.first,
                    FEED.c.last,
                ).where(FEED.c.stix_id.in_(ids[i : i + _CHUNK]))
            )
        )
    ends: dict[tuple[str, str, str], tuple[str, str]] = {}
    keyed = [((e.nation, e.collection_id, e.stix_id), e.modified) for e in existing] + [
        ((n["nation"], n["collection_id"], n["stix_id"]), n["modified"]) for n in new
    ]
    for key, modified in keyed:
        lo, hi = ends.get(key, (modified, modified))
        ends[key] = (min(lo, modified), max(hi, modified))
    for n in new:
        lo, hi = ends[(n["nation"], n["collection_id"], n["stix_id"])]
        n["first"], n["last"] = n["modified"] == lo, n["modified"] == hi
    if new:
        conn.execute(insert(FEED), new)
    changed = []
    for e in existing:
        lo, hi = ends[(e.nation, e.collection_id, e.stix_id)]
        first, last = e.modified == lo, e.modified == hi
        if (bool(e.first), bool(e.last)) != (first, last):
            changed.append({"s": e.seq, "f": first, "l": last})
    if changed:
        conn.execute(
            update(FEED)
            .where(FEED.c.seq == bindparam("s"))
            .values(first=bindparam("f"), last=bindparam("l")),
            changed,
        )


def install() -> None:
    """Follow the release index of ``stix_objects``: every write of its rows,
    by the ORM or in bulk, refreshes their entries in the same transaction."""
    from alliance.store.release_index import follow

    follow(StixRow.__tablename__, refresh)


# -- reading -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """What one TAXII request asks of a collection, as filters of the feed.

    ``versions``: ``last``, ``first``, ``all`` or timestamps (canonical form),
    any combination (TAXII's ``match[version]``)."""

    nation: str
    collection_id: str
    after: int | None = None
    added_after: datetime | None = None
    types: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Entry:
    nseq: int
    row_id: str
    stix_id: str
    stix_type: str
    modified: str
    spec_version: str
    date_added: datetime


def statement(q: Query) -> Select[Any]:
    """The page's statement: a range scan of the nation's entries from the key
    the previous page ended on, ``limit + 1`` of them (one more tells ``more``)."""
    f = FEED.c
    stmt = select(
        f.nseq, f.row_id, f.stix_id, f.stix_type, f.modified, f.spec_version, f.date_added
    ).where(f.nation == q.nation, f.collection_id == q.collection_id)
    if "all" not in q.versions:
        wanted = []
        if "last" in q.versions:
            wanted.append(f.last.is_(True))
        if "first" in q.versions:
            wanted.append(f.first.is_(True))
        stamps = [v for v in q.versions if v not in ("last", "first")]
        if stamps:
            wanted.append(f.modified.in_(stamps))
        stmt = stmt.where(or_(*wanted) if len(wanted) > 1 else wanted[0])
    if q.types:
        stmt = stmt.where(f.stix_type.in_(q.types))
    if q.ids:
        stmt = stmt.where(f.stix_id.in_(q.ids))
    if q.spec_versions:
        stmt = stmt.where(f.spec_version.in_(q.spec_versions))
    if q.after is not None:
        stmt = stmt.where(f.nseq > q.after)
    if q.added_after is not None:
        stmt = stmt.where(f.date_added > q.added_after)
    return stmt.order_by(f.nseq).limit(q.limit + 1)


def page(session: Session, q: Query) -> tuple[list[Entry], bool]:
    """One page of entries for ``q`` and whether more follow.

    ``added_after`` becomes a key to start from, found by the index on
    ``date_added`` (entries are added in ``seq`` and ``date_added`` order
    alike), so a poll for what is new scans only what is new."""
    if q.added_after is not None:
        f = FEED.c
        start = session.execute(
            select(f.nseq)
            .where(
                f.nation == q.nation,
                f.collection_id == q.collection_id,
                f.date_added > q.added_after,
            )
            .order_by(f.date_added)
            .limit(1)
        ).scalar()
        if start is None:
            return [], False
        if q.after is None or q.after < start - 1:
            q = replace(q, after=start - 1)
    found = [Entry(*r) for r in session.execute(statement(q))]
    return found[: q.limit], len(found) > q.limit


def bodies(session: Session, entries: Sequence[Entry]) -> list[str]:
    """The STIX objects of ``entries``, in their order, as the JSON text stored:
    a page is served without decoding and encoding each object again."""
    ids = [e.row_id for e in entries]
    found: dict[str, str] = {}
    text = cast(StixRow.body, RunningText)
    for i in range(0, len(ids), _CHUNK):
        for row_id, body in session.execute(
            select(StixRow.id, text).where(StixRow.id.in_(ids[i : i + _CHUNK]))
        ):
            found[row_id] = body
    return [found[i] for i in ids]


__all__ = ["Entry", "Query", "bodies", "install", "page", "refresh", "statement"]
