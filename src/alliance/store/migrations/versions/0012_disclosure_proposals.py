"""The disclosure desk: proposals to widen a release beyond the owner nation.

Widening an object's release is proposed by the owner's staff and approved by
the owning nation's foreign disclosure officer (issue 11). Existing releases
stand: this only adds the proposals' table.

Revision ID: 0012
Revises: 0011 (track exercise data)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_proposals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("add_rel", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_proposals")),
    )
    for column in ("owner", "object_id", "state"):
        op.create_index(op.f(f"ix_disclosure_proposals_{column}"), "disclosure_proposals", [column])


def downgrade() -> None:
    for column in ("owner", "object_id", "state"):
        op.drop_index(op.f(f"ix_disclosure_proposals_{column}"), table_name="disclosure_proposals")
    op.drop_table("disclosure_proposals")
