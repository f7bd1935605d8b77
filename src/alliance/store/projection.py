"""State is built from the ledger: check that the tables still say what the events say.

Every event about an owned object carries the object's full state after the
change (``data.state``). Replaying the ledger therefore gives the state each
table must hold; a row changed behind the ledger's back (an edit made
directly in the database) shows up as a difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select

from alliance.core.i18n import Text

from .db import Database
from .ledger import iter_events
from .owned import snapshot
from .schema import (
    ActionItemRow,
    CommandRelationshipRow,
    CoordinationRequestRow,
    CoordinationResponseRow,
    CounterpartRow,
    DecisionRow,
    HqRow,
    MeetingRow,
    NationRow,
    OwnedRow,
    TaskingRow,
    UnitRow,
    WorkingGroupRow,
)

TABLES: dict[str, type[OwnedRow]] = {
    "nation": NationRow,
    "hq": HqRow,
    "unit": UnitRow,
    "relationship": CommandRelationshipRow,
    "counterpart": CounterpartRow,
    "tasking": TaskingRow,
    "coordination_request": CoordinationRequestRow,
    "coordination_response": CoordinationResponseRow,
    "decision": DecisionRow,
    "working_group": WorkingGroupRow,
    "meeting": MeetingRow,
    "action_item": ActionItemRow,
}


@dataclass(frozen=True, slots=True)
class Drift:
    object_type: str
    object_id: str
    reason: Text


@dataclass(slots=True)
class StateReport:
    objects: int = 0
    drifts: list[Drift] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drifts


def _normal(state: dict[str, Any]) -> dict[str, Any]:
    # JSON round-trip so that both sides compare as stored in events.
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(state, option=orjson.OPT_SORT_KEYS))
    return loaded


def check_state(db: Database) -> StateReport:
    """Compare every owned table with the last state the ledger recorded for each row."""
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in iter_events(db):
        if ev.object_type in TABLES:
            state = ev.body_json()["data"].get("state")
            if isinstance(state, dict):
                expected[(ev.object_type, ev.object_id)] = state
    report = StateReport()
    with db.read() as s:
        for object_type, model in TABLES.items():
            for row in s.scalars(select(model)):
                report.objects += 1
                key = (object_type, row.id)
                want = expected.pop(key, None)
                if want is None:
                    report.drifts.append(
                        Drift(
                            object_type,
                            row.id,
                            Text("row has no event in the ledger", "台帳にイベントのない行です"),
                        )
                    )
                    continue
                have = _normal(snapshot(row))
                diff = sorted(k for k in set(have) | set(want) if have.get(k) != want.get(k))
                if diff:
                    fields = ", ".join(diff)
                    report.drifts.append(
                        Drift(
                            object_type,
                            row.id,
                            Text(
                                f"differs from its last event in: {fields}",
                                f"最後のイベントと異なる項目: {fields}",
                            ),
                        )
                    )
    for (object_type, object_id), _state in sorted(expected.items()):
        report.drifts.append(
            Drift(
                object_type,
                object_id,
                Text(
                    "recorded in the ledger but missing from its table",
                    "台帳に記録されていますが表にありません",
                ),
            )
        )
    return report
