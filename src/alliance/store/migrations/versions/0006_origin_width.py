"""Room for every origin a row can have: ``withdrawn`` is nine characters.

A replica whose release the partner took back is kept with
``origin = "withdrawn"``; ``String(8)`` refused it on PostgreSQL (SQLite does
not enforce lengths), so the receiver's first withdrawal stopped the link.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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


def upgrade() -> None:
    for table in OWNED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "origin", existing_type=sa.String(length=8), type_=sa.String(length=16)
            )


def downgrade() -> None:
    for table in OWNED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "origin", existing_type=sa.String(length=16), type_=sa.String(length=8)
            )
