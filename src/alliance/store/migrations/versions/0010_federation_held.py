"""Items of an object type this node does not understand yet are held, not fatal.

A partner running a newer version may release objects of a type this node
has no table for. Such an item used to be quarantined and stop the link;
now it is kept here (as it was sent, signature included) and applied once
the node understands its type, while the link runs on. Each link also
records the object types the partner says it understands (its hello).

Revision ID: 0010
Revises: 0008 (re-pointed at merge to follow the release index, 0009)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("federation_links") as batch:
        batch.add_column(sa.Column("partner_types", sa.Text(), nullable=True))
    op.create_table(
        "federation_held",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner", sa.String(length=3), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_held")),
    )
    op.create_index(
        "ux_federation_held_partner_seq", "federation_held", ["partner", "seq"], unique=True
    )
    op.create_index(
        "ix_federation_held_object",
        "federation_held",
        ["partner", "object_type", "object_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_federation_held_object", table_name="federation_held")
    op.drop_index("ux_federation_held_partner_seq", table_name="federation_held")
    op.drop_table("federation_held")
    with op.batch_alter_table("federation_links") as batch:
        batch.drop_column("partner_types")
