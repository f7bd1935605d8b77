"""Rows in bulk through the database driver: a page of replicas, a batch of stream items.

Federation reads and writes thousands of rows at a time, and SQLAlchemy's
per-row parameter and result processing would cost more than the rest of
the work (the ledger writer inserts its events the same way, see
:func:`alliance.store.ledger.insert_events`). Every value still goes
through its column type's bind or result processor, so rows are stored and
read exactly as SQLAlchemy would store and read them (the processors of the
dialect's own implementation of the type, as SQLAlchemy uses: for a time on
SQLite that is its text form, not the driver's default conversion).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from alliance.store.schema.base import bind_processor


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` every row (all with the same keys) in one executemany."""
    if not rows:
        return
    keys = tuple(rows[0])
    sql, order = _insert_sql(conn.dialect, table, keys)
    conn.exec_driver_sql(sql, _parameters(conn.dialect, table, order, rows))


def update_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``UPDATE`` every row by its ``id`` (all with the same keys) in one executemany."""
    if not rows:
        return
    keys = tuple(rows[0])
    sql, order = _update_sql(conn.dialect, table, keys)
    conn.exec_driver_sql(sql, _parameters(conn.dialect, table, order, rows))


def select_by_id(conn: Connection, table: Table, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every row whose ``id`` is in ``ids``, as column values, in chunks of 500."""
    names = tuple(c.key for c in table.c)
    dialect = conn.dialect
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        sql = _select_sql(dialect, table, names, len(chunk))
        result = conn.exec_driver_sql(sql, tuple(chunk))
        # Each column's processor is chosen for the type the driver reports
        # (as SQLAlchemy does): psycopg's numeric ones need it to know a float.
        description = result.cursor.description if result.cursor is not None else None
        codes = [d[1] for d in description] if description else [None] * len(names)
        results = [
            (k, table.c[k].type.dialect_impl(dialect).result_processor(dialect, code))
            for k, code in zip(names, codes, strict=True)
        ]
        for row in result.fetchall():
            out.append({k: f(v) if f else v for (k, f), v in zip(results, row, strict=True)})
    return out


def _mark(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


@cache
def _insert_sql(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> tuple[str, list[str]]:
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(quote(k) for k in keys)
    marks = ", ".join([_mark(dialect)] * len(keys))
    return f"INSERT INTO {name} ({columns}) VALUES ({marks})", list(keys)  # noqa: S608 - column names


@cache
def _update_sql(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> tuple[str, list[str]]:
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    rest = [k for k in keys if k != "id"]
    sets = ", ".join(f"{quote(k)} = {_mark(dialect)}" for k in rest)
    return f"UPDATE {name} SET {sets} WHERE id = {_mark(dialect)}", [*rest, "id"]  # noqa: S608


@cache
def _select_sql(dialect: Dialect, table: Table, names: tuple[str, ...], n: int) -> str:
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(quote(k) for k in names)
    marks = ", ".join([_mark(dialect)] * n)
    return f"SELECT {columns} FROM {name} WHERE id IN ({marks})"  # noqa: S608 - column names


def _parameters(
    dialect: Dialect, table: Table, order: list[str], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    binds: list[tuple[int, Callable[[Any], Any]]] = []
    for i, k in enumerate(order):
        bind = bind_processor(table.c[k].type, dialect)
        if bind is not None:
            binds.append((i, bind))
    if len(order) == 1:
        key, only = order[0], binds[0][1] if binds else None
        return [(only(row[key]) if only else row[key],) for row in rows]
    # One C call takes a row's values in column order; then only the columns
    # that have a processor (times; binary on SQLite) are converted.
    take = itemgetter(*order)
    if not binds:
        return [take(row) for row in rows]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(take(row))
        for i, bind in binds:
            values[i] = bind(values[i])
        out.append(tuple(values))
    return out
