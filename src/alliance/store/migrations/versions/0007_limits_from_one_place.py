"""Column sizes read from ``alliance.core.limits``: the three that moved.

Every ``String(n)`` now takes ``n`` from :mod:`alliance.core.limits`, the same
constants the API models and the document loader use. Three columns change
size, all wider than before (no stored value can be cut):

* ``command_relationships.superior_kind`` / ``subordinate_kind``: 8 -> 16
  (``limits.CODE``, a word of a fixed vocabulary: ``hq``, ``unit``);
* ``coordination_responses.kind``: 20 -> 32 (``limits.LABEL``).

``partners.node_id`` keeps 64 (``limits.NODE_ID``): a node id is a
certificate's common name, which holds at most 64 characters (RFC 5280), and
node ids are now checked for that.

The API's limits that were wider than their columns (``echelon`` 300 vs 32,
``home_*`` / ``location_*`` 300 vs 200) were narrowed in the models instead:
the columns keep their sizes.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> [(column, old size, new size)]; literal sizes: a migration records
# what it did, it does not follow later changes of the constants.
RESIZED: dict[str, list[tuple[str, int, int]]] = {
    "command_relationships": [("superior_kind", 8, 16), ("subordinate_kind", 8, 16)],
    "coordination_responses": [("kind", 20, 32)],
}


def upgrade() -> None:
    for table, columns in RESIZED.items():
        with op.batch_alter_table(table) as batch:
            for column, old, new in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.String(length=old),
                    type_=sa.String(length=new),
                    existing_nullable=False,
                )


def downgrade() -> None:
    for table, columns in RESIZED.items():
        with op.batch_alter_table(table) as batch:
            for column, old, new in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.String(length=new),
                    type_=sa.String(length=old),
                    existing_nullable=False,
                )
