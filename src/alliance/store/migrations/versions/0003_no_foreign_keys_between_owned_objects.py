"""No foreign keys between owned objects.

A partner node may release a child without its parent (a unit without its
HQ), and a new partner's first sync arrives in ledger order, not in parent
order: references between owned objects are checked by the desks when a
nation writes its own objects, not by the database for replicas.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> [(constraint name, column, referred table)]
FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "hqs": [("fk_hqs_parent_id_hqs", "parent_id", "hqs")],
    "units": [("fk_units_hq_id_hqs", "hq_id", "hqs")],
    "counterparts": [
        ("fk_counterparts_hq_id_hqs", "hq_id", "hqs"),
        ("fk_counterparts_partner_hq_id_hqs", "partner_hq_id", "hqs"),
    ],
    "taskings": [
        ("fk_taskings_unit_id_units", "unit_id", "units"),
        ("fk_taskings_issuing_hq_id_hqs", "issuing_hq_id", "hqs"),
    ],
    "coordination_requests": [("fk_coordination_requests_from_hq_id_hqs", "from_hq_id", "hqs")],
    "coordination_responses": [
        (
            "fk_coordination_responses_request_id_coordination_requests",
            "request_id",
            "coordination_requests",
        )
    ],
    "decisions": [
        ("fk_decisions_request_id_coordination_requests", "request_id", "coordination_requests")
    ],
    "wg_meetings": [("fk_wg_meetings_group_id_working_groups", "group_id", "working_groups")],
    "action_items": [
        ("fk_action_items_group_id_working_groups", "group_id", "working_groups"),
        ("fk_action_items_meeting_id_wg_meetings", "meeting_id", "wg_meetings"),
    ],
}


def upgrade() -> None:
    for table, keys in FOREIGN_KEYS.items():
        with op.batch_alter_table(table) as batch:
            for name, _column, _referred in keys:
                batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    for table, keys in FOREIGN_KEYS.items():
        with op.batch_alter_table(table) as batch:
            for name, column, referred in keys:
                batch.create_foreign_key(name, referred, [column], ["id"])
