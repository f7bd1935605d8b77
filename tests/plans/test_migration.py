"""Migration 0018 adds the plans desk's tables and the hash column of ACM
responses; the responses written before keep a NULL hash (judged by their
revision number) and nothing stored is rewritten; it downgrades cleanly."""

from __future__ import annotations

import sqlalchemy as sa

from alliance.store.db import Database
from tests.acm.test_migration import _request, _response, _upgrade

PLAN_TABLES = {"plans", "plan_lines", "plan_approvals", "plan_comments"}


def test_0018_keeps_old_responses_with_no_hash_and_downgrades(database_url: str) -> None:
    db = Database(database_url)
    try:
        _upgrade(db, "0017")
        meta = sa.MetaData()
        meta.reflect(db.write_engine, only=["coordination_requests", "coordination_responses"])
        with db.write_engine.begin() as conn:
            conn.execute(
                sa.insert(meta.tables["coordination_requests"]),
                [{**_request("q", "rfs"), "level": "bocc", "escalations": []}],
            )
            conn.execute(
                sa.insert(meta.tables["coordination_responses"]),
                [
                    {
                        **_response("r", "q", "USA", "concur", "Yes."),
                        "comments": [],
                        "delegation_id": None,
                    }
                ],
            )
        _upgrade(db, "0018")
        names = set(sa.inspect(db.write_engine).get_table_names())
        assert names >= PLAN_TABLES
        with db.write_engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT kind, text, request_hash FROM coordination_responses")
            ).one()
        assert tuple(row) == ("concur", "Yes.", None)
        from alembic import command
        from alembic.config import Config

        from alliance.store.db import MIGRATIONS

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0017")
        inspector = sa.inspect(db.write_engine)
        assert not (set(inspector.get_table_names()) & PLAN_TABLES)
        columns = {c["name"] for c in inspector.get_columns("coordination_responses")}
        assert "request_hash" not in columns
    finally:
        db.dispose()
