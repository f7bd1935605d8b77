"""The release index: what is released to a nation, found by an index.

Every owned row is released to the nations its marking names and to its
owner (the one rule, :mod:`alliance.core.release`). Until now a listing for
a nation filtered ``rel LIKE '%USA%'``: no index can serve a pattern with a
leading wildcard, so a page by nation read the whole table, and the cost of
a page grew with the collection.

**The choice: a per-nation release table**, ``release_index(nation,
object_table, object_id)``, primary key in that order, beside the owned
tables, rather than an indexed array column (``rel text[]`` with a GIN index).

* It is one design on both backends. SQLite, the default backend, has no
  array type and no inverted index: an array would be PostgreSQL-only, and
  SQLite would keep the full scan. A B-tree over ``(nation, object_table,
  object_id)`` is what both planners know best.
* It serves keyset paging directly: ``WHERE nation = ? AND object_table = ?
  AND object_id > ? ORDER BY object_id LIMIT n`` is a range scan of the
  primary key that stops after ``n`` entries, each joined to its row by the
  row's primary key — the same work at 1,000 and 1,000,000 rows. A GIN
  index answers "which rows contain USA" as a bitmap, which PostgreSQL must
  then sort by id: the cost of a page grows with the number of matches.
* It is generic over owned tables: an entry names the row's table and id, so
  a desk's new table is indexed without any edit here. The table name (not
  the object type's name from the desk registry) is the key because the
  store knows every row's table and must not depend on the registry above it.
* Its cost is a few narrow rows per object (one per nation released to),
  written in the same transaction as the row.

**Kept in step with the row, in the same transaction.** ORM writes (the
owned-row helpers: :func:`alliance.store.owned.stamp_new`,
:meth:`~alliance.store.schema.base.Owned.set_marking`, every desk change)
are followed by the mapper events below, which run inside the flush; bulk
Core writes (replicas applied from a partner) call :func:`reindex` with the
rows they wrote. :func:`check` reports an index entry out of step with its
row (the drift check, :func:`alliance.store.projection.check_state`, calls
it), and :func:`rebuild` rewrites the index of a table from its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from alliance.core import release

from .schema.base import Owned, OwnedRow
from .schema.release import INDEX, Follower, entries, follow, index_new, reindex

S = TypeVar("S", bound=Select[Any])
R = TypeVar("R", bound=OwnedRow)

_INDEX = INDEX


def _table_name(model: type[Owned]) -> str:
    name = getattr(model, "__tablename__", None)
    if not isinstance(name, str):
        raise TypeError(f"{model.__name__} is not an owned table")
    return name


# -- reading ---------------------------------------------------------------------


def released_to(stmt: S, model: type[Owned], nation: str) -> S:
    """Only rows of ``model`` released to ``nation``: an ``EXISTS`` probe of the
    index's primary key per row (each planner turns it into a semi-join)."""
    entry = _INDEX.c
    return stmt.where(
        exists().where(
            entry.nation == nation,
            entry.object_table == _table_name(model),
            entry.object_id == model.id,
        )
    )


def page(
    session: Session, model: type[R], nation: str, *, after: str | None = None, limit: int = 50
) -> list[R]:
    """One page of the rows of ``model`` released to ``nation``, by id, after ``after``.

    Keyset paging (never ``OFFSET``): the query walks the index's primary key
    from ``(nation, table, after)`` and stops after ``limit`` entries, so a
    deep page costs what the first one does, whatever the size of the table.
    """
    return list(session.scalars(page_query(model, nation, after=after, limit=limit)))


def page_query(
    model: type[R], nation: str, *, after: str | None = None, limit: int = 50
) -> Select[Any]:
    """The statement :func:`page` runs (for ``EXPLAIN``): the page's ids first,
    from the index alone (a bounded range scan of its primary key), then their
    rows by primary key. Choosing the ids in a subquery of their own keeps every
    planner from a merge join that would read the owned table from its start."""
    entry = _INDEX.c
    ids = select(entry.object_id).where(
        entry.nation == nation, entry.object_table == _table_name(model)
    )
    if after is not None:
        ids = ids.where(entry.object_id > after)
    chosen = ids.order_by(entry.object_id).limit(limit).subquery("page")
    return select(model).join(chosen, chosen.c.object_id == model.id).order_by(model.id)


def may_release(model: Any, nation: str) -> ColumnElement[bool]:
    """A coarse SQL filter on a table with ``owner`` and ``rel`` columns (the
    ledger): true for every row the rule releases to ``nation``, and possibly
    a few more (``rel`` is matched as text). The caller decides each row that
    passes by its signed body (:func:`alliance.core.release.released_body`)."""
    return or_(model.owner == nation, model.rel.contains(nation))


# -- repairing and checking ----------------------------------------------------


def rebuild(session: Session, model: type[Owned]) -> int:
    """Rewrite the index of ``model``'s table from its rows; returns the entries written."""
    table = _table_name(model)
    session.execute(delete(_INDEX).where(_INDEX.c.object_table == table))
    written = 0
    for chunk in _rows(session, model):
        new = [e for object_id, owner, rel in chunk for e in entries(table, object_id, owner, rel)]
        session.execute(insert(_INDEX), new)
        written += len(new)
    return written


def _rows(session: Session, model: type[Owned]) -> Iterator[list[tuple[str, str, str]]]:
    last = ""
    while True:
        chunk = [
            (r[0], r[1], r[2])
            for r in session.execute(
                select(model.id, model.owner, model.rel)
                .where(model.id > last)
                .order_by(model.id)
                .limit(5000)
            )
        ]
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


@dataclass(frozen=True, slots=True)
class IndexDrift:
    """An owned row whose index entries are not what the rule derives from it
    (``want`` empty: entries for a row that does not exist)."""

    object_table: str
    object_id: str
    have: frozenset[str]
    want: frozenset[str]


def check(session: Session, models: Iterable[type[Owned]]) -> list[IndexDrift]:
    """Every row of ``models`` whose index entries differ from its marking, and
    every entry of those tables that names no row."""
    drifts: list[IndexDrift] = []
    for model in models:
        table = _table_name(model)
        have: dict[str, set[str]] = {}
        for nation, object_id in session.execute(
            select(_INDEX.c.nation, _INDEX.c.object_id).where(_INDEX.c.object_table == table)
        ):
            have.setdefault(object_id, set()).add(nation)
        for chunk in _rows(session, model):
            for object_id, owner, rel in chunk:
                want = release.index_nations(owner, rel)
                found = frozenset(have.pop(object_id, ()))
                if found != want:
                    drifts.append(IndexDrift(table, object_id, found, want))
        drifts.extend(
            IndexDrift(table, object_id, frozenset(ns), frozenset())
            for object_id, ns in sorted(have.items())
        )
    return drifts


__all__ = [
    "Follower",
    "IndexDrift",
    "check",
    "entries",
    "follow",
    "index_new",
    "may_release",
    "page",
    "page_query",
    "rebuild",
    "reindex",
    "released_to",
]
