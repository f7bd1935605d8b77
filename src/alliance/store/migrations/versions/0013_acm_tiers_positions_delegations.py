"""The ACM's tiers, graded positions, answers to RFIs and delegation of concurrence.

- A request is coordinated at a level of the Alliance Coordination Mechanism
  (``acg``, ``bocc``, ``ccc``) and records its escalations. Requests written
  before this revision were coordinated between the JJOC and the JFHQ and their
  counterparts, the BOCC's business: they are at ``bocc``, never escalated.
- A response may carry graded comments (critical, substantive, administrative)
  and, for a staff officer's position, the delegation it was given under.
  Existing responses are mapped to the new kinds, nothing dropped:
  * on an RFI, a ``reply`` by an addressee becomes its ``answer``; any other
    ``reply``, and a position taken on an RFI (an RFI is answered, not
    concurred), becomes a ``comment`` whose text starts with the old kind;
  * elsewhere a ``reply`` becomes a ``comment``; a ``counter_proposal`` becomes
    a ``non_concur`` whose text is kept as one critical comment; a
    ``non_concur`` without comments gets its text as one critical comment (a
    non-concurrence rests on a critical comment until it is resolved).
- Delegations of concurrence authority get their table, and so do national
  decisions (each nation's own decision implementing a coordinated outcome,
  which is what a "decision" row now records).

The signed ledger keeps the history as it was written; the rows say what the
desk now reads.

Revision ID: 0013
Revises: 0012 (disclosure proposals)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Columns this revision writes into existing rows (see above); the node records
#: the rows so rewritten in its ledger (alliance.store.upgrade).
REWRITES = {
    "coordination_requests": frozenset({"level", "escalations"}),
    "coordination_responses": frozenset({"kind", "text", "comments"}),
}

MIGRATED_NON_CONCUR = (
    "Non-concurrence recorded before graded comments. / 区分付き意見導入前の不同意。"
)
MIGRATED_COUNTER = "Counter-proposal recorded before graded comments. / 区分付き意見導入前の対案。"


def upgrade() -> None:
    op.create_table(
        "concurrence_delegations",
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("commander_id", sa.String(length=64), nullable=False),
        sa.Column("commander_name", sa.String(length=200), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("delegate_name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concurrence_delegations")),
    )
    with op.batch_alter_table("concurrence_delegations") as batch:
        batch.create_index(
            batch.f("ix_concurrence_delegations_delegate_id"), ["delegate_id"], unique=False
        )
        batch.create_index(batch.f("ix_concurrence_delegations_owner"), ["owner"], unique=False)

    op.create_table(
        "national_decisions",
        sa.Column("outcome_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("hq_id", sa.String(length=64), nullable=False),
        sa.Column("course", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("tasking_ids", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by_name", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("rel", sa.String(length=400), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_decisions")),
    )
    with op.batch_alter_table("national_decisions") as batch:
        batch.create_index(
            batch.f("ix_national_decisions_outcome_id"), ["outcome_id"], unique=False
        )
        batch.create_index(batch.f("ix_national_decisions_owner"), ["owner"], unique=False)

    with op.batch_alter_table("coordination_requests") as batch:
        batch.add_column(
            sa.Column("level", sa.String(length=16), nullable=False, server_default="bocc")
        )
        batch.add_column(sa.Column("escalations", sa.JSON(), nullable=True))
    with op.batch_alter_table("coordination_responses") as batch:
        batch.add_column(sa.Column("comments", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("delegation_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("by_direction_of", sa.String(length=200), nullable=True))

    conn = op.get_bind()
    requests = sa.table(
        "coordination_requests",
        sa.column("id", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("owner", sa.String()),
        sa.column("escalations", sa.JSON()),
    )
    responses = sa.table(
        "coordination_responses",
        sa.column("id", sa.String()),
        sa.column("request_id", sa.String()),
        sa.column("owner", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("text", sa.Text()),
        sa.column("comments", sa.JSON()),
    )
    conn.execute(sa.update(requests).values(escalations=[]))
    kinds = {
        r.id: (r.kind, r.owner)
        for r in conn.execute(sa.select(requests.c.id, requests.c.kind, requests.c.owner))
    }
    for r in conn.execute(
        sa.select(
            responses.c.id,
            responses.c.request_id,
            responses.c.owner,
            responses.c.kind,
            responses.c.text,
        )
    ).all():
        kind, text, comments = migrate_response(kinds.get(r.request_id), r.owner, r.kind, r.text)
        conn.execute(
            sa.update(responses)
            .where(responses.c.id == r.id)
            .values(kind=kind, text=text, comments=comments)
        )
    with op.batch_alter_table("coordination_requests") as batch:
        batch.alter_column("escalations", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("coordination_responses") as batch:
        batch.alter_column("comments", existing_type=sa.JSON(), nullable=False)


def migrate_response(
    request: tuple[str, str] | None, owner: str, kind: str, text: str
) -> tuple[str, str, list[dict[str, str]]]:
    """An old response's new kind, text and graded comments."""
    rfi = request is not None and request[0] == "rfi"
    sender = request[1] if request is not None else None
    if rfi:
        if kind == "reply" and owner != sender:
            return "answer", text, []
        if kind in ("reply", "concur", "non_concur", "counter_proposal"):
            return "comment", f"({kind}) {text}".strip(), []
        return kind, text, []
    if kind == "reply":
        return "comment", text, []
    if kind == "counter_proposal":
        return "non_concur", text, [_critical(text or MIGRATED_COUNTER)]
    if kind == "non_concur":
        return kind, text, [_critical(text or MIGRATED_NON_CONCUR)]
    return kind, text, []


def _critical(text: str) -> dict[str, str]:
    return {"grade": "critical", "text": text[:2000], "ref": ""}


def downgrade() -> None:
    conn = op.get_bind()
    responses = sa.table("coordination_responses", sa.column("kind", sa.String()))
    conn.execute(sa.update(responses).where(responses.c.kind == "answer").values(kind="reply"))
    conn.execute(
        sa.update(responses).where(responses.c.kind == "concur_with_comment").values(kind="concur")
    )
    with op.batch_alter_table("coordination_responses") as batch:
        batch.drop_column("by_direction_of")
        batch.drop_column("delegation_id")
        batch.drop_column("comments")
    with op.batch_alter_table("coordination_requests") as batch:
        batch.drop_column("escalations")
        batch.drop_column("level")
    with op.batch_alter_table("concurrence_delegations") as batch:
        batch.drop_index(batch.f("ix_concurrence_delegations_owner"))
        batch.drop_index(batch.f("ix_concurrence_delegations_delegate_id"))
    op.drop_table("concurrence_delegations")
    with op.batch_alter_table("national_decisions") as batch:
        batch.drop_index(batch.f("ix_national_decisions_owner"))
        batch.drop_index(batch.f("ix_national_decisions_outcome_id"))
    op.drop_table("national_decisions")
