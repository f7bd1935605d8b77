"""The release index: one row per (nation, owned row) the release rule releases."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Index, String, Table, delete, event
from sqlalchemy.orm import Mapped, Mapper, Session, attributes, mapped_column

from alliance.core import limits, release

from .base import Base, OwnedRow


class ReleaseIndexRow(Base):
    """``nation`` may see the row ``object_id`` of the owned table ``object_table``.

    The primary key ``(nation, object_table, object_id)`` is the index every
    listing by nation walks (see :mod:`alliance.store.release_index`); the
    second index finds a row's entries when its marking changes.
    """

    __tablename__ = "release_index"

    nation: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    object_table: Mapped[str] = mapped_column(String(limits.LABEL), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(limits.ID), primary_key=True)

    __table_args__ = (Index("ix_release_index_object", "object_table", "object_id"),)


_table = ReleaseIndexRow.__table__
assert isinstance(_table, Table)
INDEX: Table = _table
_CHUNK = 500


def entries(table: str, object_id: str, owner: str, rel: str | None) -> list[dict[str, str]]:
    """The index rows of one owned row: one per nation the rule releases it to."""
    return [
        {"nation": n, "object_table": table, "object_id": object_id}
        for n in sorted(release.index_nations(owner, rel))
    ]


Follower = Callable[[Connection, Sequence[str]], None]
"""Keeps an index of a desk's own in step with an owned table: called with the
ids of rows just inserted, or whose owner or release changed, in the write's
transaction (after their release-index entries are written)."""

_FOLLOWERS: dict[str, list[Follower]] = {}


def follow(table: str, follower: Follower) -> None:
    """Call ``follower`` whenever the release index of ``table``'s rows is
    written: by the ORM (a desk's change) or in bulk (replicas from a partner).
    For a desk whose readers page by something else than id (TAXII pages by
    the time an object was added here): its index follows the one rule without
    the writers knowing it exists."""
    _FOLLOWERS.setdefault(table, []).append(follower)


def index_new(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add the index entries of ``rows`` just inserted into the owned table
    ``table`` by a bulk write (they have none yet), in the caller's transaction.

    Through the driver's executemany: three plain strings per entry need no
    type processing, and a page of replicas writes thousands of entries."""
    name = str(table)  # a plain str: the driver inspects a str subclass per parameter
    new = [
        (n, name, r["id"])
        for r in rows
        for n in sorted(release.index_nations(r["owner"], r["rel"]))
    ]
    if new:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        # The table name is this module's constant; every value is a parameter.
        sql = f"INSERT INTO {INDEX.name} (nation, object_table, object_id) VALUES "  # noqa: S608
        conn.exec_driver_sql(sql + f"({mark}, {mark}, {mark})", new)
    for follower in _FOLLOWERS.get(str(table), ()):
        follower(conn, [r["id"] for r in rows])


def reindex(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the index entries of ``rows`` (dicts with ``id``, ``owner``, ``rel``)
    of the owned table ``table``: for writes that bypass the ORM (bulk inserts
    and updates), in the caller's transaction."""
    if not rows:
        return
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), _CHUNK):
        conn.execute(
            delete(INDEX).where(
                INDEX.c.object_table == table, INDEX.c.object_id.in_(ids[i : i + _CHUNK])
            )
        )
    index_new(conn, table, rows)


_PENDING = "alliance.release_index.new"
"""Key in a connection's ``info`` of the owned rows a flush inserted, whose
index entries are written once at the flush's end (one executemany instead
of one statement per row: a batch of deliveries or a page of replicas is
hundreds of rows)."""


def _before_flush(session: Session, _ctx: object, _instances: object) -> None:
    # Whatever a failed flush left behind on this connection is not ours.
    session.connection().info.pop(_PENDING, None)


def _after_insert(_mapper: Mapper[Any], conn: Connection, row: OwnedRow) -> None:
    pending: dict[str, list[dict[str, Any]]] = conn.info.setdefault(_PENDING, {})
    pending.setdefault(row.__tablename__, []).append(
        {"id": row.id, "owner": row.owner, "rel": row.rel}
    )


def _after_flush(session: Session, _ctx: object) -> None:
    conn = session.connection()
    for table, rows in (conn.info.pop(_PENDING, None) or {}).items():
        index_new(conn, table, rows)


def _after_update(_mapper: Mapper[Any], conn: Connection, row: OwnedRow) -> None:
    changed = any(attributes.get_history(row, key).has_changes() for key in ("rel", "owner"))
    if changed:
        reindex(conn, row.__tablename__, [{"id": row.id, "owner": row.owner, "rel": row.rel}])


def _after_delete(_mapper: Mapper[Any], conn: Connection, row: OwnedRow) -> None:
    conn.execute(
        delete(INDEX).where(INDEX.c.object_table == row.__tablename__, INDEX.c.object_id == row.id)
    )


# Mapper events of every owned table, present and future (propagate=True). They
# run inside the flush, on its connection, hence in the row's own transaction;
# declared with the table so that no session can write an owned row without them.
event.listen(OwnedRow, "after_insert", _after_insert, propagate=True)
event.listen(OwnedRow, "after_update", _after_update, propagate=True)
event.listen(OwnedRow, "after_delete", _after_delete, propagate=True)
event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)
