"""The release index: kept in step with every owned row, in the row's own
transaction; listing by nation is served by it (plans checked on both
backends); the drift check notices an entry out of step; the migration
back-fills it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Table, insert, select, text

from alliance.core.markings import Marking
from alliance.desks import object_types
from alliance.org.tables import NationRow
from alliance.store import Database, Tx, Writer, release_index
from alliance.store.db import MIGRATIONS
from alliance.store.owned import record, released_to, stamp_new, touch, visible
from alliance.store.projection import check_state
from alliance.store.schema import ReleaseIndexRow
from alliance.store.schema.release import INDEX, entries

from .conftest import Boom

NOW = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)


def _indexed(db: Database, ident: str, table: str = "nations") -> set[str]:
    with db.read() as s:
        return set(
            s.scalars(
                select(ReleaseIndexRow.nation).where(
                    ReleaseIndexRow.object_table == table, ReleaseIndexRow.object_id == ident
                )
            )
        )


def _create(
    ident: str, owner: str, nations: list[str], *, fail: bool = False
) -> Callable[[Tx], None]:
    def job(tx: Tx) -> None:
        row = stamp_new(
            NationRow(id=ident, name_en=ident, name_ja=ident),
            owner=owner,
            marking=Marking.of(owner, nations),
            now=tx.now,
        )
        tx.session.add(row)
        tx.session.flush()
        record(tx, row, "nation", "nation.created", None, None)
        if fail:
            raise Boom(ident)

    return job


def _remark(ident: str, marking: Marking) -> Callable[[Tx], None]:
    def job(tx: Tx) -> None:
        row = tx.session.get(NationRow, ident)
        assert row is not None
        row.set_marking(marking)
        touch(row, tx.now)
        tx.session.flush()
        record(tx, row, "nation", "nation.changed", None, None)

    return job


def _listed(db: Database, nation: str) -> list[str]:
    with db.read() as s:
        stmt = released_to(select(NationRow.id), NationRow, nation).order_by(NationRow.id)
        return list(s.scalars(stmt))


# -- in step with the row ------------------------------------------------------------


def test_a_new_row_is_indexed_for_every_nation_it_is_released_to(
    db: Database, writer: Writer
) -> None:
    writer.run(_create("x1", "JPN", ["USA"]))
    writer.run(_create("x2", "JPN", []))
    assert _indexed(db, "x1") == {"JPN", "USA"}
    assert _indexed(db, "x2") == {"JPN"}
    assert _listed(db, "USA") == ["x1"]
    assert _listed(db, "JPN") == ["x1", "x2"]
    assert check_state(db, object_types()).ok


def test_a_failed_job_leaves_no_index_entry(db: Database, writer: Writer) -> None:
    with pytest.raises(Boom):
        writer.run(_create("x1", "JPN", ["USA"], fail=True))
    assert _indexed(db, "x1") == set()
    assert _listed(db, "USA") == []


def test_narrowing_and_widening_a_marking_moves_the_entries_with_it(
    db: Database, writer: Writer
) -> None:
    writer.run(_create("x1", "JPN", ["USA", "AUS"]))
    writer.run(_remark("x1", Marking.of("JPN", ["AUS"])))
    assert _indexed(db, "x1") == {"AUS", "JPN"}
    assert _listed(db, "USA") == []
    writer.run(_remark("x1", Marking.of("JPN", ["USA", "GBR"])))
    assert _indexed(db, "x1") == {"GBR", "JPN", "USA"}
    assert _listed(db, "USA") == ["x1"]
    assert _listed(db, "AUS") == []
    assert check_state(db, object_types()).ok


def test_a_change_that_keeps_the_marking_keeps_the_entries(db: Database, writer: Writer) -> None:
    writer.run(_create("x1", "JPN", ["USA"]))

    def rename(tx: Tx) -> None:
        row = tx.session.get(NationRow, "x1")
        assert row is not None
        row.name_en = "renamed"
        touch(row, tx.now)
        tx.session.flush()
        record(tx, row, "nation", "nation.changed", None, None)

    writer.run(rename)
    assert _indexed(db, "x1") == {"JPN", "USA"}
    assert check_state(db, object_types()).ok


def test_a_deleted_row_takes_its_entries_with_it(db: Database, writer: Writer) -> None:
    writer.run(_create("x1", "JPN", ["USA"]))

    def drop(tx: Tx) -> None:
        row = tx.session.get(NationRow, "x1")
        tx.session.delete(row)

    writer.run(drop)
    assert _indexed(db, "x1") == set()


def test_bulk_written_rows_are_indexed_by_reindex(db: Database, writer: Writer) -> None:
    """What the receiver does for replicas: rows written with Core, then reindexed."""
    table = _nations()
    rows: list[dict[str, Any]] = [
        {
            "id": "usa-r",
            "owner": "USA",
            "rel": "JPN,USA",
            "tlp": None,
            "version": 1,
            "origin": "replica",
            "created_at": NOW,
            "updated_at": NOW,
            "name_en": "r",
            "name_ja": "r",
        },
    ]

    def apply(tx: Tx) -> None:
        conn = tx.session.connection()
        conn.execute(insert(table), rows)
        release_index.reindex(conn, "nations", rows)

    writer.run(apply)
    assert _indexed(db, "usa-r") == {"JPN", "USA"}

    def withdraw(tx: Tx) -> None:
        conn = tx.session.connection()
        conn.execute(table.update().where(table.c.id == "usa-r").values(rel="", origin="withdrawn"))
        release_index.reindex(conn, "nations", [{"id": "usa-r", "owner": "USA", "rel": ""}])

    writer.run(withdraw)
    assert _indexed(db, "usa-r") == {"USA"}
    assert _listed(db, "JPN") == []


def test_visible_and_listing_agree_on_the_owner(db: Database, writer: Writer) -> None:
    """A row whose marking does not name its owner is still its owner's."""

    def odd(tx: Tx) -> None:
        row = stamp_new(
            NationRow(id="x1", name_en="x", name_ja="x"),
            owner="JPN",
            marking=Marking(frozenset({"USA"})),
            now=tx.now,
        )
        tx.session.add(row)

    writer.run(odd)
    assert _listed(db, "JPN") == ["x1"]
    with db.read() as s:
        assert visible(s.get(NationRow, "x1"), "JPN", "nation", "x1").id == "x1"


# -- the drift check -----------------------------------------------------------------


def _nations() -> Table:
    table = NationRow.__table__
    assert isinstance(table, Table)
    return table


def _sql(db: Database, statement: str) -> None:
    with db.write_engine.begin() as conn:
        assert conn.execute(text(statement)).rowcount == 1


def test_a_missing_index_entry_is_reported_as_drift(db: Database, writer: Writer) -> None:
    writer.run(_create("x1", "JPN", ["USA"]))
    _sql(db, "DELETE FROM release_index WHERE object_id = 'x1' AND nation = 'USA'")
    report = check_state(db, object_types())
    assert [(d.object_type, d.object_id) for d in report.drifts] == [("nation", "x1")]
    assert report.drifts[0].reason.en == (
        "its release index lists JPN, but its marking releases it to JPN, USA"
    )
    assert "JPN, USA" in report.drifts[0].reason.ja


def test_an_extra_index_entry_is_reported_as_drift(db: Database, writer: Writer) -> None:
    """An entry that would show a row to a nation it is not released to."""
    writer.run(_create("x1", "JPN", []))
    _sql(db, "INSERT INTO release_index VALUES ('CHN', 'nations', 'x1')")
    _sql(db, "INSERT INTO release_index VALUES ('USA', 'nations', 'ghost')")
    report = check_state(db, object_types())
    assert sorted((d.object_id, d.reason.en) for d in report.drifts) == [
        ("ghost", "its release index lists USA, but its marking releases it to -"),
        ("x1", "its release index lists CHN, JPN, but its marking releases it to JPN"),
    ]


def test_rebuild_repairs_the_index_from_the_rows(db: Database, writer: Writer) -> None:
    writer.run(_create("x1", "JPN", ["USA"]))
    writer.run(_create("x2", "USA", ["JPN"]))
    _sql(db, "DELETE FROM release_index WHERE object_id = 'x1' AND nation = 'USA'")
    _sql(db, "INSERT INTO release_index VALUES ('CHN', 'nations', 'x2')")
    assert not check_state(db, object_types()).ok
    with db.write_session() as s, s.begin():
        assert release_index.rebuild(s, NationRow) == 4
    assert check_state(db, object_types()).ok
    assert _indexed(db, "x1") == {"JPN", "USA"}


# -- listing by nation: keyset pages served by the index ------------------------------

MARKINGS = ["JPN", "JPN,USA", "AUS,JPN,USA", "AUS,JPN"]


def _fill(db: Database, n: int) -> None:
    """``n`` JPN rows with mixed markings, bulk-inserted with their entries."""
    rows: list[dict[str, Any]] = [
        {
            "id": f"n{i:07d}",
            "owner": "JPN",
            "rel": MARKINGS[i % 4],
            "tlp": None,
            "version": 1,
            "origin": "local",
            "created_at": NOW,
            "updated_at": NOW,
            "name_en": "n",
            "name_ja": "n",
        }
        for i in range(n)
    ]
    with db.write_engine.begin() as conn:
        conn.execute(insert(_nations()), rows)
        conn.execute(
            insert(INDEX),
            [e for r in rows for e in entries("nations", r["id"], r["owner"], r["rel"])],
        )
        conn.execute(text("ANALYZE"))


def test_keyset_pages_list_exactly_what_is_released_in_id_order(db: Database) -> None:
    _fill(db, 1000)
    want = [f"n{i:07d}" for i in range(1000) if "USA" in MARKINGS[i % 4]]
    got: list[str] = []
    after: str | None = None
    with db.read() as s:
        while True:
            rows = release_index.page(s, NationRow, "USA", after=after, limit=64)
            if not rows:
                break
            got.extend(r.id for r in rows)
            after = rows[-1].id
    assert got == want
    assert _listed(db, "USA") == want


def _plan(db: Database, after: str | None) -> str:
    stmt = release_index.page_query(NationRow, "USA", after=after, limit=50)
    with db.engine.connect() as conn:
        compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
        if db.is_sqlite:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(r[-1]) for r in rows)
        plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").scalar_one()
        return json.dumps(plan)


def _nodes(plan: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.get("Plans", []))
    return out


@pytest.mark.parametrize("after", [None, "n0005000"], ids=["first page", "deep page"])
def test_a_page_by_nation_walks_the_index_and_reads_only_its_rows(
    db: Database, after: str | None
) -> None:
    """The page's ids come from a range scan of the index's key, each row by its
    own key: no scan of either table, whatever their size. (Sorting the page's
    50 rows is all that is left to sort.)"""
    _fill(db, 10_000)
    plan = _plan(db, after)
    if db.is_sqlite:
        lines = plan.splitlines()
        bound = "(nation=? AND object_table=?" + (" AND object_id>?)" if after else ")")
        assert any(
            line.startswith("SEARCH release_index USING COVERING INDEX") and bound in line
            for line in lines
        ), plan
        assert any("SEARCH nations USING INDEX" in line and "(id=?)" in line for line in lines), (
            plan
        )
        assert not any(line.startswith(("SCAN nations", "SCAN release_index")) for line in lines), (
            plan
        )
    else:
        nodes = _nodes(json.loads(plan))
        on_tables = [n for n in nodes if n.get("Relation Name") in {"nations", "release_index"}]
        assert {n["Relation Name"] for n in on_tables} == {"nations", "release_index"}, plan
        for n in on_tables:  # every read of a table is bounded by its key
            assert n["Node Type"] in {"Index Scan", "Index Only Scan"}, plan
            assert "Index Cond" in n, plan
        assert any(n.get("Index Name") == "pk_release_index" for n in on_tables), plan
        assert all(n["Plan Rows"] <= 50 for n in nodes if n["Node Type"] == "Sort"), plan


def test_the_listing_filter_probes_the_index(db: Database) -> None:
    """The EXISTS form desks use for whole listings: no pattern match on ``rel``."""
    stmt = released_to(select(NationRow.id), NationRow, "USA")
    with db.engine.connect() as conn:
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    assert "release_index" in sql
    assert "LIKE" not in sql.upper()


# -- the migration -------------------------------------------------------------------


def test_migration_0009_back_fills_the_index_of_existing_rows(database_url: str) -> None:
    db = Database(database_url)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0008")
        with db.write_engine.begin() as conn:
            for ident, owner, rel in [
                ("a", "JPN", "JPN,USA"),
                ("b", "USA", ""),
                ("c", "JPN", "AUS"),
            ]:
                conn.execute(
                    text(
                        "INSERT INTO nations (id, owner, rel, version, origin, created_at,"
                        " updated_at, name_en, name_ja) VALUES (:id, :owner, :rel, 1, 'local',"
                        " :now, :now, 'n', 'n')"
                    ),
                    {"id": ident, "owner": owner, "rel": rel, "now": NOW},
                )
        db.migrate()
        assert _indexed(db, "a") == {"JPN", "USA"}
        assert _indexed(db, "b") == {"USA"}
        assert _indexed(db, "c") == {"AUS", "JPN"}
        with db.read() as s:
            assert release_index.check(s, [NationRow]) == []
    finally:
        db.dispose()
