"""Bilingual data, not only bilingual labels: the Japanese beside the English.

- A track may carry its callsign and remarks in Japanese (``callsign_ja``,
  ``remarks_ja``). Tracks are a stream beside the ledger; the existing ones
  get ``""`` (no Japanese given).
- A coordination request may carry its subject in Japanese (``subject_ja``),
  and an action item its title (``title_ja``). These are owned objects whose
  state the ledger records; the new columns are NULL where nothing was given,
  which is what an event written before this revision says too (a key an
  event lacks compares as NULL: :mod:`alliance.store.projection`). So no
  stored row is rewritten and nothing is declared in REWRITES: the old
  events still verify, and the drift check still agrees with every row.

Revision ID: 0016
Revises: 0015 (sign-in passwords and sessions)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.add_column(
            sa.Column("callsign_ja", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("remarks_ja", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("coordination_requests") as batch:
        batch.add_column(sa.Column("subject_ja", sa.String(length=300), nullable=True))
    with op.batch_alter_table("action_items") as batch:
        batch.add_column(sa.Column("title_ja", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_items") as batch:
        batch.drop_column("title_ja")
    with op.batch_alter_table("coordination_requests") as batch:
        batch.drop_column("subject_ja")
    with op.batch_alter_table("tracks") as batch:
        batch.drop_column("remarks_ja")
        batch.drop_column("callsign_ja")
