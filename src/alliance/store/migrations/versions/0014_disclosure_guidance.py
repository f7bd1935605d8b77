"""Standing disclosure guidance: a foreign disclosure officer pre-approves
releasing objects of some types to some nations, so that staff may release
such objects without a proposal each time. From this revision, creating or
sending an object released beyond its owner needs such guidance (or a
proposal); nothing stored is changed.

Revision ID: 0014
Revises: 0013 (ACM tiers and positions)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_guidance",
        sa.Column("object_types", sa.JSON(), nullable=False),
        sa.Column("add_rel", sa.String(length=400), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_by_name", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_guidance")),
    )
    with op.batch_alter_table("disclosure_guidance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_guidance_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("disclosure_guidance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_guidance_owner"))

    op.drop_table("disclosure_guidance")
