"""Cyber: the cyber desk's tables (TAXII collections, one owned row per STIX
object version, the per-nation feed TAXII pages and its counters, the status
of each TAXII POST). New tables only: nothing stored changes.

Revision ID: 0020
Revises: 0019 (inject serial index)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cyber_feed",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("nseq", sa.BigInteger(), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("stix_type", sa.String(length=250), nullable=False),
        sa.Column("modified", sa.String(length=40), nullable=False),
        sa.Column("spec_version", sa.String(length=16), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first", sa.Boolean(), nullable=False),
        sa.Column("last", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_cyber_feed")),
    )
    with op.batch_alter_table("cyber_feed", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cyber_feed_added", ["nation", "collection_id", "date_added"], unique=False
        )
        batch_op.create_index(
            "ix_cyber_feed_last", ["nation", "collection_id", "last", "nseq"], unique=False
        )
        batch_op.create_index(
            "ix_cyber_feed_object", ["nation", "collection_id", "stix_id", "nseq"], unique=False
        )
        batch_op.create_index(
            "ix_cyber_feed_page", ["nation", "collection_id", "nseq"], unique=True
        )
        batch_op.create_index("ix_cyber_feed_row", ["row_id"], unique=False)
        batch_op.create_index("ix_cyber_feed_stix", ["stix_id"], unique=False)
        batch_op.create_index(
            "ix_cyber_feed_type", ["nation", "collection_id", "stix_type", "nseq"], unique=False
        )

    op.create_table(
        "cyber_feed_counters",
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("nseq", sa.BigInteger(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nation", "collection_id", name=op.f("pk_cyber_feed_counters")),
    )
    op.create_table(
        "stix_objects",
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("stix_type", sa.String(length=250), nullable=False),
        sa.Column("modified", sa.String(length=40), nullable=False),
        sa.Column("spec_version", sa.String(length=16), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stix_objects")),
    )
    with op.batch_alter_table("stix_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stix_objects_owner"), ["owner"], unique=False)
        batch_op.create_index("ix_stix_objects_version", ["stix_id", "modified"], unique=False)

    op.create_table(
        "taxii_collections",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_ja", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("writable", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_collections")),
    )
    with op.batch_alter_table("taxii_collections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxii_collections_owner"), ["owner"], unique=False)

    op.create_table(
        "taxii_status",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("request_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_status")),
    )


def downgrade() -> None:
    op.drop_table("taxii_status")
    with op.batch_alter_table("taxii_collections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_collections_owner"))

    op.drop_table("taxii_collections")
    with op.batch_alter_table("stix_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_stix_objects_version")
        batch_op.drop_index(batch_op.f("ix_stix_objects_owner"))

    op.drop_table("stix_objects")
    op.drop_table("cyber_feed_counters")
    with op.batch_alter_table("cyber_feed", schema=None) as batch_op:
        batch_op.drop_index("ix_cyber_feed_type")
        batch_op.drop_index("ix_cyber_feed_stix")
        batch_op.drop_index("ix_cyber_feed_row")
        batch_op.drop_index("ix_cyber_feed_page")
        batch_op.drop_index("ix_cyber_feed_object")
        batch_op.drop_index("ix_cyber_feed_last")
        batch_op.drop_index("ix_cyber_feed_added")

    op.drop_table("cyber_feed")
