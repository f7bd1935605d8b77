"""A draft coordination request stays national-only; sending applies its marking.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: Columns this revision writes into existing rows (a request written before it
#: keeps the marking it was given); the node records the rows so rewritten in
#: its ledger (alliance.store.upgrade).
REWRITES = {"coordination_requests": frozenset({"release_rel", "release_tlp"})}


def upgrade() -> None:
    with op.batch_alter_table("coordination_requests") as batch:
        batch.add_column(
            sa.Column("release_rel", sa.String(length=400), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("release_tlp", sa.String(length=16), nullable=True))
    # Requests written before this revision keep the marking they were given.
    op.execute("UPDATE coordination_requests SET release_rel = rel, release_tlp = tlp")


def downgrade() -> None:
    with op.batch_alter_table("coordination_requests") as batch:
        batch.drop_column("release_tlp")
        batch.drop_column("release_rel")
