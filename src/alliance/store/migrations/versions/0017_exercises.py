"""Exercises: the exercise desk's tables (exercises with their own clock,
training objectives, exercise-scoped roles, injects (the MSEL), deliveries to
player inboxes, observations and evaluations). New tables only: nothing
stored is changed.

Revision ID: 0017
Revises: 0016 (bilingual data)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercise_evaluations",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("observation_id", sa.String(length=64), nullable=False),
        sa.Column("objective_id", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("comment_ja", sa.Text(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_evaluations")),
    )
    with op.batch_alter_table("exercise_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_evaluations_exercise_id"), ["exercise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exercise_evaluations_observation_id"), ["observation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exercise_evaluations_owner"), ["owner"], unique=False)

    op.create_table(
        "exercise_objectives",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_ja", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_ja", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_objectives")),
    )
    with op.batch_alter_table("exercise_objectives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_objectives_exercise_id"), ["exercise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exercise_objectives_owner"), ["owner"], unique=False)

    op.create_table(
        "exercise_observations",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("inject_id", sa.String(length=64), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=True),
        sa.Column("player_hq_id", sa.String(length=64), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("observed_ex", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("response_ja", sa.Text(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_observations")),
    )
    with op.batch_alter_table("exercise_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_observations_exercise_id"), ["exercise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exercise_observations_inject_id"), ["inject_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exercise_observations_owner"), ["owner"], unique=False)

    op.create_table(
        "exercise_roles",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_roles")),
    )
    with op.batch_alter_table("exercise_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_roles_exercise_id"), ["exercise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exercise_roles_owner"), ["owner"], unique=False)

    op.create_table(
        "exercises",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_ja", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_ja", sa.Text(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("h_hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clock_state", sa.String(length=16), nullable=False),
        sa.Column("clock_speed", sa.Float(), nullable=False),
        sa.Column("clock_real", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clock_ex", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exercises_owner"), ["owner"], unique=False)

    op.create_table(
        "inject_deliveries",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("inject_id", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("addressee_hq_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_ja", sa.Text(), nullable=False),
        sa.Column("due_ex", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inject_deliveries")),
        sa.UniqueConstraint("inject_id", name=op.f("uq_inject_deliveries_inject_id")),
    )
    with op.batch_alter_table("inject_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inject_deliveries_addressee_hq_id"), ["addressee_hq_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inject_deliveries_exercise_id"), ["exercise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inject_deliveries_owner"), ["owner"], unique=False)

    op.create_table(
        "injects",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("due_ex", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offset_s", sa.Integer(), nullable=True),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("addressee_hq_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_ja", sa.Text(), nullable=False),
        sa.Column("expected_action", sa.Text(), nullable=False),
        sa.Column("expected_action_ja", sa.Text(), nullable=False),
        sa.Column("objective_ids", sa.JSON(), nullable=False),
        sa.Column("controller", sa.String(length=200), nullable=False),
        sa.Column("release_rel", sa.String(length=400), nullable=False),
        sa.Column("release_tlp", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injects")),
    )
    with op.batch_alter_table("injects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_injects_due_dtg", ["state", "exercise_id", "due_ex"], unique=False
        )
        batch_op.create_index(
            "ix_injects_due_offset", ["state", "exercise_id", "offset_s"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_injects_exercise_id"), ["exercise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_injects_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("injects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_injects_owner"))
        batch_op.drop_index(batch_op.f("ix_injects_exercise_id"))
        batch_op.drop_index("ix_injects_due_offset")
        batch_op.drop_index("ix_injects_due_dtg")

    op.drop_table("injects")
    with op.batch_alter_table("inject_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inject_deliveries_owner"))
        batch_op.drop_index(batch_op.f("ix_inject_deliveries_exercise_id"))
        batch_op.drop_index(batch_op.f("ix_inject_deliveries_addressee_hq_id"))

    op.drop_table("inject_deliveries")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercises_owner"))

    op.drop_table("exercises")
    with op.batch_alter_table("exercise_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_roles_owner"))
        batch_op.drop_index(batch_op.f("ix_exercise_roles_exercise_id"))

    op.drop_table("exercise_roles")
    with op.batch_alter_table("exercise_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_observations_owner"))
        batch_op.drop_index(batch_op.f("ix_exercise_observations_inject_id"))
        batch_op.drop_index(batch_op.f("ix_exercise_observations_exercise_id"))

    op.drop_table("exercise_observations")
    with op.batch_alter_table("exercise_objectives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_objectives_owner"))
        batch_op.drop_index(batch_op.f("ix_exercise_objectives_exercise_id"))

    op.drop_table("exercise_objectives")
    with op.batch_alter_table("exercise_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_evaluations_owner"))
        batch_op.drop_index(batch_op.f("ix_exercise_evaluations_observation_id"))
        batch_op.drop_index(batch_op.f("ix_exercise_evaluations_exercise_id"))

    op.drop_table("exercise_evaluations")
