"""Write a new Alembic revision by comparing the schema with a migrated database.

    python tools/new_migration.py "add tracks table"

Review the generated file under src/alliance/store/migrations/versions/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from alliance.desks import all_desks
from alliance.store.db import MIGRATIONS, Database


def main(message: str) -> None:
    # Desk tables join the metadata autogenerate compares when their package is
    # imported; the migration environment itself imports no desk.
    all_desks()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'm.db'}")
        db.migrate()
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)
        db.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
