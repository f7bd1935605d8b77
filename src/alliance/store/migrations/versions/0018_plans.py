"""Plans: the plans desk's tables (bilateral exercise and template plans,
their national lines, each nation's approval and execution of its own lines
of one revision, comments and proposals), and the content hash a responder
saw on each ACM response (coordination_responses.request_hash, NULL on the
responses written before: they are judged by their revision number). New
tables and one nullable column: nothing stored is rewritten.

Revision ID: 0018
Revises: 0017 (exercises)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_approvals",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("act", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tasking_ids", sa.JSON(), nullable=False),
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_role", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_approvals")),
    )
    with op.batch_alter_table("plan_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_approvals_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_approvals_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_comments",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_ja", sa.Text(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_hq_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_comments")),
    )
    with op.batch_alter_table("plan_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_comments_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_comments_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_lines",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("component", sa.String(length=32), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_ja", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("detail_ja", sa.Text(), nullable=False),
        sa.Column("coordination", sa.Text(), nullable=False),
        sa.Column("coordination_ja", sa.Text(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.Column("tasking_ids", sa.JSON(), nullable=False),
        sa.Column("executed_edits", sa.Integer(), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_lines")),
    )
    with op.batch_alter_table("plan_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_lines_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_lines_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_ja", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("purpose_ja", sa.Text(), nullable=False),
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_owner"), ["owner"], unique=False)

    with op.batch_alter_table("coordination_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_hash", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coordination_responses", schema=None) as batch_op:
        batch_op.drop_column("request_hash")

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_owner"))

    op.drop_table("plans")
    with op.batch_alter_table("plan_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_lines_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_lines_owner"))

    op.drop_table("plan_lines")
    with op.batch_alter_table("plan_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_comments_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_comments_owner"))

    op.drop_table("plan_comments")
    with op.batch_alter_table("plan_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_approvals_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_approvals_owner"))

    op.drop_table("plan_approvals")
