"""Industry: the industry desk's tables (a nation's dataset, national only;
the aggregates it releases; joint plans and each nation's approval of one).
New tables only: nothing stored changes.

Revision ID: 0022
Revises: 0021 (airspace)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "industry_datasets",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_datasets")),
    )
    with op.batch_alter_table("industry_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_datasets_owner"), ["owner"], unique=False)

    op.create_table(
        "industry_plan_approvals",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_plan_approvals")),
    )
    with op.batch_alter_table("industry_plan_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_industry_plan_approvals_owner"), ["owner"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_industry_plan_approvals_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "industry_plans",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("dataset_digest", sa.String(length=80), nullable=False),
        sa.Column("release_ids", sa.JSON(), nullable=False),
        sa.Column("release_digests", sa.JSON(), nullable=False),
        sa.Column("model_hash", sa.String(length=80), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_plans")),
    )
    with op.batch_alter_table("industry_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_plans_owner"), ["owner"], unique=False)

    op.create_table(
        "industry_releases",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("dataset_digest", sa.String(length=80), nullable=False),
        sa.Column("aggregate", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_releases")),
    )
    with op.batch_alter_table("industry_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_releases_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("industry_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_releases_owner"))

    op.drop_table("industry_releases")
    with op.batch_alter_table("industry_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_plans_owner"))

    op.drop_table("industry_plans")
    with op.batch_alter_table("industry_plan_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_plan_approvals_plan_id"))
        batch_op.drop_index(batch_op.f("ix_industry_plan_approvals_owner"))

    op.drop_table("industry_plan_approvals")
    with op.batch_alter_table("industry_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_datasets_owner"))

    op.drop_table("industry_datasets")
