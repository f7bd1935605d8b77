"""Airspace: the airspace desk's tables (each coordination measure's volume and
its purpose, two owned objects, and the link from a cross-nation conflict to
its coordination request, conformance alerts). New tables only: nothing stored changes.

Revision ID: 0021
Revises: 0020 (cyber)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "airspace_alerts",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("volume_id", sa.String(length=64), nullable=False),
        sa.Column("designator", sa.String(length=40), nullable=False),
        sa.Column("track_uid", sa.String(length=200), nullable=False),
        sa.Column("callsign", sa.String(length=200), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("alt_ft", sa.Float(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("control_link", sa.String(length=16), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airspace_alerts")),
    )
    with op.batch_alter_table("airspace_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_airspace_alerts_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_airspace_alerts_volume_id"), ["volume_id"], unique=False
        )

    op.create_table(
        "airspace_coordinations",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("volume_a", sa.String(length=64), nullable=False),
        sa.Column("volume_b", sa.String(length=64), nullable=False),
        sa.Column("rev_a", sa.Integer(), nullable=False),
        sa.Column("rev_b", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airspace_coordinations")),
    )
    with op.batch_alter_table("airspace_coordinations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_airspace_coordinations_owner"), ["owner"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_airspace_coordinations_volume_a"), ["volume_a"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_airspace_coordinations_volume_b"), ["volume_b"], unique=False
        )

    op.create_table(
        "airspace_measures",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("volume_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_ja", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airspace_measures")),
    )
    with op.batch_alter_table("airspace_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_airspace_measures_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_airspace_measures_volume_id"), ["volume_id"], unique=False
        )

    op.create_table(
        "airspace_volumes",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("designator", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("volume", sa.JSON(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lower_ft", sa.Float(), nullable=False),
        sa.Column("upper_ft", sa.Float(), nullable=False),
        sa.Column("volume_rev", sa.Integer(), nullable=False),
        sa.Column("aircraft", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airspace_volumes")),
    )
    with op.batch_alter_table("airspace_volumes", schema=None) as batch_op:
        batch_op.create_index("ix_airspace_volumes_end", ["end_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_airspace_volumes_owner"), ["owner"], unique=False)


def downgrade() -> None:
    op.drop_table("airspace_alerts")
    op.drop_table("airspace_coordinations")
    with op.batch_alter_table("airspace_volumes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_airspace_volumes_owner"))
        batch_op.drop_index("ix_airspace_volumes_end")

    op.drop_table("airspace_volumes")
    with op.batch_alter_table("airspace_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_airspace_measures_volume_id"))
        batch_op.drop_index(batch_op.f("ix_airspace_measures_owner"))

    op.drop_table("airspace_measures")
