"""Alembic migrations build the schema from nothing on every backend."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, select, text

from alliance.core import limits
from alliance.desks import all_desks
from alliance.store.db import MIGRATIONS, Database
from alliance.store.schema import Base, MetaRow


def _head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _product_metadata() -> MetaData:
    """The tables the migrations must build: the infrastructure's and those of
    every registered desk (a test-only desk may have joined ``Base.metadata``
    in this process; its table is its own migration's business)."""
    all_desks()  # desk tables join the metadata when their package is imported
    product = MetaData(naming_convention=Base.metadata.naming_convention)
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if mapper.class_.__module__.startswith("alliance.") and isinstance(table, Table):
            table.to_metadata(product)
    return product


def test_migrate_creates_every_table_from_nothing(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert inspect(db.engine).get_table_names() == []
        db.migrate()
        tables = set(inspect(db.engine).get_table_names())
        assert set(_product_metadata().tables) <= tables
        with db.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == _head_revision()
    finally:
        db.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), _product_metadata()
            )
        assert diff == []
    finally:
        db.dispose()


def test_migrating_again_keeps_schema_and_data(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with db.write_session() as s, s.begin():
            s.add(MetaRow(key="nation", value="JPN"))
        db.migrate()
        with db.read() as s:
            assert s.scalars(select(MetaRow.value).where(MetaRow.key == "nation")).one() == "JPN"
    finally:
        db.dispose()


def _upgrade(db: Database, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _sizes(db: Database, table: str) -> dict[str, int | None]:
    return {
        c["name"]: getattr(c["type"], "length", None) for c in inspect(db.engine).get_columns(table)
    }


def test_0007_widens_columns_to_their_limits_and_keeps_the_rows(database_url: str) -> None:
    """Rows written before 0007 survive it whole (SQLite rebuilds the tables), and the
    widened columns take what they refused before (PostgreSQL enforces sizes)."""
    db = Database(database_url)
    now = "2024-07-27 12:00:00"
    try:
        _upgrade(db, "0006")
        with db.write_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO command_relationships (id, owner, rel, tlp, version, origin, "
                    "created_at, updated_at, kind, superior_kind, superior_id, subordinate_kind, "
                    "subordinate_id, valid_from, caveats_en, caveats_ja, state) VALUES ('r1', 'JPN',"
                    " 'JPN', NULL, 1, 'local', :now, :now, 'tacon', 'hq', 'jpn-jjoc', 'unit', 'jpn-ardb', :now, '注意', '', 'active')"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO partners (nation, node_id, url, ledger_key, ca_pem, "
                    "ca_fingerprint, added_at) VALUES ('USA', :node, 'https://usa:8443', "
                    ":hex, 'PEM', :hex, :now)"
                ),
                {"node": "n" * 64, "hex": "a" * 64, "now": now},
            )
        _upgrade(db, "head")
        assert _sizes(db, "command_relationships")["superior_kind"] == limits.CODE
        assert _sizes(db, "command_relationships")["subordinate_kind"] == limits.CODE
        assert _sizes(db, "coordination_responses")["kind"] == limits.LABEL
        assert _sizes(db, "partners")["node_id"] == limits.NODE_ID
        with db.write_engine.begin() as conn:
            row = conn.execute(
                text("SELECT superior_id, caveats_en, state FROM command_relationships")
            ).one()
            assert tuple(row) == ("jpn-jjoc", "注意", "active")
            assert conn.execute(text("SELECT node_id FROM partners")).scalar_one() == "n" * 64
    finally:
        db.dispose()


def test_0016_keeps_every_row_and_gives_it_no_japanese_text(database_url: str) -> None:
    """A track, a request and an action item written at 0015 survive 0016 whole,
    with no Japanese callsign, remarks, subject or title ("" for a track, NULL
    for a ledger object: what its old events say, as they do not name it)."""
    db = Database(database_url)
    now = "2026-07-27 12:00:00"
    try:
        _upgrade(db, "0015")
        with db.write_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO tracks (owner, uid, rel, tlp, sidc, callsign, lat, lon, hae, "
                    "course, speed, time, stale, how, source, unmanned, operator_nation, "
                    "control_link, remarks, exercise, exercise_name, uas) VALUES ('JPN', "
                    "'JPN-EX-DD01', 'JPN,USA', NULL, 'SDSPCLDD-------', 'BLUE DD 01', 35.0, "
                    "139.0, 0.0, NULL, NULL, :now, :now, 'm-g', 'api', false, NULL, NULL, "
                    "'Escort', true, 'PAPER ABACUS 26', NULL)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO coordination_requests (id, owner, rel, tlp, version, origin, "
                    "created_at, updated_at, kind, level, escalations, from_hq_id, to_hq_ids, "
                    "subject, body, priority, due, state, release_rel, release_tlp, revision, "
                    "author_id, sent_at, closed_at) VALUES ('r1', 'JPN', 'JPN,USA', NULL, 1, "
                    "'local', :now, :now, 'rfs', 'bocc', '[]', "
                    "'jpn-jjoc', '[\"usa-jfhq\"]', 'Range schedule', '', 'routine', NULL, "
                    "'sent', 'JPN,USA', NULL, 1, 'u1', :now, NULL)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO action_items (id, owner, rel, tlp, version, origin, created_at, "
                    "updated_at, group_id, meeting_id, title, assignee, due, state) VALUES ("
                    "'a1', 'JPN', 'JPN,USA', NULL, 1, 'local', :now, :now, 'g1', NULL, "
                    "'Survey sites', 'J3', NULL, 'open')"
                ),
                {"now": now},
            )
        _upgrade(db, "head")
        with db.write_engine.begin() as conn:
            track = conn.execute(
                text("SELECT callsign, remarks, exercise_name, callsign_ja, remarks_ja FROM tracks")
            ).one()
            assert tuple(track) == ("BLUE DD 01", "Escort", "PAPER ABACUS 26", "", "")
            request = conn.execute(
                text("SELECT subject, state, subject_ja FROM coordination_requests")
            ).one()
            assert tuple(request) == ("Range schedule", "sent", None)
            action = conn.execute(text("SELECT title, assignee, title_ja FROM action_items")).one()
            assert tuple(action) == ("Survey sites", "J3", None)
        assert _sizes(db, "tracks")["callsign_ja"] == limits.NAME
        assert _sizes(db, "coordination_requests")["subject_ja"] == limits.TITLE
        assert _sizes(db, "action_items")["title_ja"] == limits.TITLE
    finally:
        db.dispose()
