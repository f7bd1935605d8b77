"""Injects: an index on (exercise_id, owner, serial), the duplicate-serial
check of every new MSEL row (it walked the exercise's whole MSEL: creating
the 10,000th row cost several times the first). An index only: nothing
stored changes.

Revision ID: 0019
Revises: 0018 (plans)
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("injects", schema=None) as batch_op:
        batch_op.create_index("ix_injects_serial", ["exercise_id", "owner", "serial"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("injects", schema=None) as batch_op:
        batch_op.drop_index("ix_injects_serial")
