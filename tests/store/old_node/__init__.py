"""An Alliance node as an older version left it, for the upgrade tests.

``node-0010.json`` was written by ``make_fixture.py`` on the code at schema
revision 0010; :func:`old_node` puts it back, key, settings and database, on
the selected backend.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from alliance.config import Settings, load_settings, write_file
from alliance.store.db import MIGRATIONS, Database

FIXTURE = json.loads((Path(__file__).parent / "node-0010.json").read_text("utf-8"))


def _decode(value: Any, sqlite: bool) -> Any:
    if isinstance(value, dict) and "$dt" in value:
        moment = datetime.fromisoformat(value["$dt"]).astimezone(UTC)
        return moment.replace(tzinfo=None) if sqlite else moment
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    return value


def old_node(home: Path, database_url: str) -> Settings:
    """The old node's key, settings and database, as the old version left them."""
    settings = load_settings(
        home,
        nation=FIXTURE["nation"],
        hosted=FIXTURE["hosted"],
        node_id=FIXTURE["node_id"],
        key_passphrase=FIXTURE["passphrase"],
        database_url=database_url,
    )
    home.mkdir(parents=True)
    settings.key_file.write_bytes(base64.b64decode(FIXTURE["key"]))
    settings.key_file.chmod(0o600)
    write_file(settings)
    db = Database(database_url)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, FIXTURE["revision"])
        meta = sa.MetaData()
        meta.reflect(db.write_engine)
        with db.write_engine.begin() as conn:
            for name, rows in FIXTURE["tables"].items():
                if rows:
                    values = [{k: _decode(v, db.is_sqlite) for k, v in r.items()} for r in rows]
                    conn.execute(meta.tables[name].insert(), values)
            if not db.is_sqlite:  # explicit keys do not move PostgreSQL's sequences
                for table in meta.sorted_tables:
                    for col in table.primary_key.columns:
                        seq = conn.scalar(sa.func.pg_get_serial_sequence(table.name, col.name))
                        if seq is not None:
                            top = sa.select(sa.func.coalesce(sa.func.max(col), 1)).scalar_subquery()
                            conn.scalar(sa.func.setval(seq, top))
    finally:
        db.dispose()
    return settings
