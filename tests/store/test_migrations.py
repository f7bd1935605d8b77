"""Alembic migrations build the schema from nothing on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from alliance.store.db import MIGRATIONS, Database
from alliance.store.schema import Base, MetaRow


def _head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def test_migrate_creates_every_table_from_nothing(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert inspect(db.engine).get_table_names() == []
        db.migrate()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
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
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
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
