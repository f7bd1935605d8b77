"""The release index: visibility by nation served by an index, not ``rel LIKE``.

One row per (nation, owned row) that the release rule releases — the nations
a row's marking names, and its owner — keyed ``(nation, object_table,
object_id)``. Listing what is released to a nation walks that key instead of
reading every row of a table (see :mod:`alliance.store.release_index`).

The back-fill reads every owned table that exists at this revision and
splits its ``rel`` column here (a migration must not import application
code that may change later): the owner, and each comma-separated trigraph.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table of owned objects at this revision.
OWNED_TABLES = (
    "nations",
    "hqs",
    "units",
    "command_relationships",
    "counterparts",
    "taskings",
    "coordination_requests",
    "coordination_responses",
    "decisions",
    "working_groups",
    "wg_meetings",
    "action_items",
)
CHUNK = 5000


def upgrade() -> None:
    index = op.create_table(
        "release_index",
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("object_table", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "nation", "object_table", "object_id", name=op.f("pk_release_index")
        ),
    )
    op.create_index(
        "ix_release_index_object", "release_index", ["object_table", "object_id"], unique=False
    )
    conn = op.get_bind()
    existing = set(sa.inspect(conn).get_table_names())
    for name in OWNED_TABLES:
        if name in existing:
            _backfill(conn, index, name)


def _backfill(conn: sa.Connection, index: sa.Table, name: str) -> None:
    """Index every row of ``name``, read in keyset pages by id."""
    table = sa.table(name, sa.column("id"), sa.column("owner"), sa.column("rel"))
    last = ""
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.owner, table.c.rel)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        entries = [
            {"nation": nation, "object_table": name, "object_id": object_id}
            for object_id, owner, rel in rows
            for nation in sorted({owner, *(n for n in (rel or "").split(",") if n)})
        ]
        conn.execute(index.insert(), entries)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_release_index_object", table_name="release_index")
    op.drop_table("release_index")
