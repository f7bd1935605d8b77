"""State is built from the ledger: check that the tables still say what the events say.

Every event about an owned object carries the object's full state after the
change (``data.state``). Replaying the ledger therefore gives the state each
table must hold; a row changed behind the ledger's back (an edit made
directly in the database) shows up as a difference.

An object has one owner for life: every event about it names the same
owner, and its row names that owner too. A row whose owner differs from the
one its events name, or events that name two owners for one object (the
ledger of a node that let a partner take over an object), are reported with
both owners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.i18n import Text

from . import release_index
from .db import Database
from .ledger import iter_events
from .owned import snapshot
from .types import ObjectTypes


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


def normal_state(state: dict[str, Any]) -> dict[str, Any]:
    # JSON round-trip so that both sides compare as stored in events.
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(state, option=orjson.OPT_SORT_KEYS))
    return loaded


def _drift(object_type: str, object_id: str, en: str, ja: str) -> Drift:
    return Drift(object_type, object_id, Text(en, ja))


def _owner_drift(key: tuple[str, str], owners: list[str], row_owner: str | None) -> Drift | None:
    """The object's events name more than one owner, or its row another owner."""
    if len(owners) > 1:
        named = ", ".join(owners)
        return _drift(
            *key,
            f"its ledger events name more than one owner ({named}): an object has one owner",
            f"台帳のイベントが複数の所有国（{named}）を示しています。対象の所有国は一つです",
        )
    if row_owner is not None and owners and row_owner != owners[0]:
        return _drift(
            *key,
            f"the row's owner is {row_owner}, but its ledger events name {owners[0]}",
            f"行の所有国は{row_owner}ですが、台帳のイベントは{owners[0]}を示しています",
        )
    return None


def _index_drifts(session: Session, types: ObjectTypes) -> list[Drift]:
    """Rows whose release index entries are not the nations their marking releases them to."""
    tables = types.tables()
    names = {model.__tablename__: name for name, model in tables.items()}
    out = []
    for d in release_index.check(session, tables.values()):
        have, want = ", ".join(sorted(d.have)) or "-", ", ".join(sorted(d.want)) or "-"
        out.append(
            _drift(
                names[d.object_table],
                d.object_id,
                f"its release index lists {have}, but its marking releases it to {want}",
                f"提供先索引は{have}ですが、区分による提供先は{want}です",
            )
        )
    return out


def check_state(db: Database, types: ObjectTypes) -> StateReport:
    """Compare the table of every object type in ``types`` with the last state the
    ledger recorded for each row, and each row's owner with the owner its events
    name; and each row's release index entries with its marking. ``types`` comes
    from the desk registry: every owned type is checked.

    Ledger and tables are read in one snapshot: a write that commits while the
    check runs is either wholly in what it compares or wholly out."""
    tables = types.tables()
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    owners: dict[tuple[str, str], list[str]] = {}  # in the order the ledger names them
    report = StateReport()
    with db.snapshot() as s:
        for ev in iter_events(db, session=s):
            if ev.object_type in tables:
                key = (ev.object_type, ev.object_id)
                named = owners.setdefault(key, [])
                if ev.owner not in named:
                    named.append(ev.owner)
                state = ev.body_json()["data"].get("state")
                if isinstance(state, dict):
                    expected[key] = state
        for object_type, model in tables.items():
            for row in s.scalars(select(model)):
                report.objects += 1
                key = (object_type, row.id)
                owner_drift = _owner_drift(key, owners.get(key, []), row.owner)
                if owner_drift is not None:
                    report.drifts.append(owner_drift)
                want = expected.pop(key, None)
                if want is None:
                    report.drifts.append(
                        _drift(*key, "row has no event in the ledger", "台帳にイベントのない行です")
                    )
                    continue
                have = normal_state(snapshot(row))
                diff = sorted(k for k in set(have) | set(want) if have.get(k) != want.get(k))
                if owner_drift is not None:
                    diff = [k for k in diff if k != "owner"]  # said above, with both owners
                if diff:
                    fields = ", ".join(diff)
                    report.drifts.append(
                        _drift(
                            *key,
                            f"differs from its last event in: {fields}",
                            f"最後のイベントと異なる項目: {fields}",
                        )
                    )
        index_drifts = _index_drifts(s, types)
    for key, _state in sorted(expected.items()):
        owner_drift = _owner_drift(key, owners[key], None)
        if owner_drift is not None:
            report.drifts.append(owner_drift)
        report.drifts.append(
            _drift(
                *key,
                "recorded in the ledger but missing from its table",
                "台帳に記録されていますが表にありません",
            )
        )
    # A row already reported (edited or deleted behind the ledger's back) is not
    # reported again because its index entries still say what the ledger says.
    seen = {(d.object_type, d.object_id) for d in report.drifts}
    report.drifts.extend(d for d in index_drifts if (d.object_type, d.object_id) not in seen)
    return report
