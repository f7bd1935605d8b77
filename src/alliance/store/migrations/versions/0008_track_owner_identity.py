"""A track is identified by its owner and its uid.

Before, the uid alone was the key: a report from one nation on a uid another
nation held was refused (telling the sender that the uid existed), and a
partner's track with one of our uids stopped its feed. Now each nation's
tracks live under ``(owner, uid)``; the history rows carry the owner too.
``how`` takes the width of every short code (``limits.LABEL``).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("track_history") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=3), nullable=True))
    # Every history row belongs to the one track that held its uid.
    op.execute(
        "UPDATE track_history SET owner = "
        "(SELECT tracks.owner FROM tracks WHERE tracks.uid = track_history.uid)"
    )
    op.execute("DELETE FROM track_history WHERE owner IS NULL")
    with op.batch_alter_table("track_history") as batch:
        batch.alter_column("owner", existing_type=sa.String(length=3), nullable=False)
        batch.drop_index("ix_track_history_uid_time")
        batch.create_index("ix_track_history_owner_uid_time", ["owner", "uid", "time"])

    with op.batch_alter_table("tracks") as batch:
        batch.drop_index("ix_tracks_owner")
        batch.drop_constraint("pk_tracks", type_="primary")
        batch.create_primary_key("pk_tracks", ["owner", "uid"])
        batch.alter_column("how", existing_type=sa.String(length=16), type_=sa.String(length=32))


def downgrade() -> None:
    # One track per uid again: where nations shared a uid, the first owner's stays.
    op.execute(
        "DELETE FROM tracks WHERE EXISTS (SELECT 1 FROM tracks AS other "
        "WHERE other.uid = tracks.uid AND other.owner < tracks.owner)"
    )
    op.execute(
        "DELETE FROM track_history WHERE NOT EXISTS (SELECT 1 FROM tracks "
        "WHERE tracks.uid = track_history.uid AND tracks.owner = track_history.owner)"
    )
    with op.batch_alter_table("tracks") as batch:
        batch.alter_column("how", existing_type=sa.String(length=32), type_=sa.String(length=16))
        batch.drop_constraint("pk_tracks", type_="primary")
        batch.create_primary_key("pk_tracks", ["uid"])
        batch.create_index("ix_tracks_owner", ["owner"])
    with op.batch_alter_table("track_history") as batch:
        batch.drop_index("ix_track_history_owner_uid_time")
        batch.create_index("ix_track_history_uid_time", ["uid", "time"])
        batch.drop_column("owner")
