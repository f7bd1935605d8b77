"""The example desk's migration step: create its table on a node's database.

A real desk's migration is a revision in the one Alembic history
(``src/alliance/store/migrations/versions``), so that one revision number
orders every desk's schema changes and ``alliance serve`` applies them. A
desk that exists only for a test must not add a revision there (every real
node would get its table), so its step is this function, which the test
runs on each node's database after ``Node.init``, as the revision would.
It states the table as a revision does (explicit, not from the model), and
is idempotent.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

from alliance.core import limits
from alliance.store import Database


def upgrade(db: Database) -> None:
    table = Table(
        "example_notes",
        MetaData(),
        Column("id", String(limits.ID), primary_key=True),
        Column("owner", String(limits.NATION), nullable=False, index=True),
        Column("rel", String(limits.REL), nullable=False),
        Column("tlp", String(limits.TLP)),
        Column("version", Integer, nullable=False),
        Column("origin", String(limits.ORIGIN), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("hq_id", String(limits.ID), nullable=False, index=True),
        Column("text", String(limits.TITLE), nullable=False),
    )
    table.create(db.write_engine, checkfirst=True)
