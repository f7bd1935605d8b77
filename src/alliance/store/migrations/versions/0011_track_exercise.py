"""Tracks carry exercise data and an unmanned aircraft's link details.

``exercise`` and ``exercise_name`` flag and name exercise data wherever a
track goes; ``uas`` holds an unmanned aircraft's time in link state, control
station and lost-link route (JSON). Existing tracks are real-world tracks
without those details: nothing is rewritten.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.add_column(
            sa.Column("exercise", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("exercise_name", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("uas", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.drop_column("uas")
        batch.drop_column("exercise_name")
        batch.drop_column("exercise")
