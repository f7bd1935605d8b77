"""Schema upgrades, recorded in the ledger so that the drift check stays true.

A migration that writes into existing owned rows (a new column with a value,
an old value mapped to a new one) makes those rows differ from the last state
their events recorded; ``alliance ledger verify --state`` would then report
every one of them as changed behind the ledger's back. So a migration that
does so says which columns of which tables it writes, in a module constant::

    REWRITES = {"coordination_requests": frozenset({"level", "escalations"})}

and when the node next starts (or ``alliance upgrade`` runs) it records, for
each owned row whose only differences from its last event lie in those
columns, one ``schema.migrated`` event holding the row's new state, signed by
the node, national-only (it is this node's bookkeeping: partners migrate their
own copies and record their own). A row that differs anywhere else is left
alone: the drift check still reports it, an upgrade never launders an edit
made behind the ledger's back.

Which revisions the ledger has caught up with is kept in ``node_meta``
(``ledger_schema``); a node created before this record existed has caught up
with none, which is harmless (rows that agree with their events are not
touched).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Grant
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking

from .db import MIGRATIONS, Database
from .owned import snapshot
from .projection import normal_state
from .schema import LedgerRow
from .schema.ledger import MetaRow
from .types import ObjectTypes
from .writer import Tx

log = logging.getLogger(__name__)

LEDGER_SCHEMA = "ledger_schema"  # the node_meta key: the revision the ledger has caught up with
EVENT_KIND = "schema.migrated"


@cache
def _scripts() -> ScriptDirectory:
    # Read once per process: the node reads the head at every start.
    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    """The newest schema revision this version of Alliance knows."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the project always ships migrations
        raise RuntimeError("no schema migrations found")
    return head


def rewrites_since(revision: str | None) -> dict[str, frozenset[str]]:
    """The columns, by table, that the revisions after ``revision`` (up to the
    head; all of them for ``None``) write into existing rows."""
    scripts = _scripts()
    out: dict[str, frozenset[str]] = {}
    for script in scripts.iterate_revisions(scripts.get_current_head(), revision or "base"):
        declared: Mapping[str, frozenset[str]] = getattr(script.module, "REWRITES", {})
        for table, columns in declared.items():
            out[table] = out.get(table, frozenset()) | frozenset(columns)
    return out


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What recording an upgrade did."""

    since: str | None  # the revision the ledger had caught up with
    to: str
    recorded: int  # rows recorded as migrated
    left: int  # rows that differ elsewhere too (still drift)


def _last_states(s: Session, object_type: str) -> dict[str, dict[str, Any]]:
    """The last state each object of ``object_type`` was given in the ledger."""
    states: dict[str, dict[str, Any]] = {}
    rows = s.execute(
        select(LedgerRow.object_id, LedgerRow.body)
        .where(LedgerRow.object_type == object_type)
        .order_by(LedgerRow.seq)
    )
    for object_id, body in rows:
        state = orjson.loads(body)["data"].get("state")
        if isinstance(state, dict):
            states[object_id] = state
    return states


def ledger_schema(s: Session) -> str | None:
    row = s.get(MetaRow, LEDGER_SCHEMA)
    return row.value if row is not None else None


def pending(db: Database) -> str | None:
    """``None`` when the database's schema and its ledger are both at this
    version's head; otherwise the revision they have reached (the older)."""
    to = head_revision()
    with db.engine.connect() as conn:
        schema = MigrationContext.configure(conn).get_current_revision()
    if schema != to:
        return schema or "base"
    with db.read() as s:
        ledger = ledger_schema(s)
    return None if ledger == to else (ledger or "base")


def record_upgrade(tx: Tx, types: ObjectTypes, nation: str) -> Upgrade:
    """Record the rows the schema revisions after the ledger's last recorded
    one rewrote (see the module's text); then note the head as caught up."""
    s = tx.session
    since = ledger_schema(s)
    to = head_revision()
    recorded = left = 0
    if since != to:
        rewritten = rewrites_since(since)
        for t in types.values():
            columns = rewritten.get(t.table.__tablename__)
            if not columns:
                continue
            states = _last_states(s, t.name)
            for row in s.scalars(select(t.table).order_by(t.table.id)):
                want = states.get(row.id)
                if want is None:
                    continue  # no event: the drift check says so; nothing to record
                have = normal_state(snapshot(row))
                diff = {k for k in set(have) | set(want) if have.get(k) != want.get(k)}
                if not diff:
                    continue
                if not diff <= columns:
                    left += 1
                    continue
                tx.record(
                    EventDraft(
                        kind=EVENT_KIND,
                        object_type=t.name,
                        object_id=row.id,
                        owner=row.owner,
                        marking=Marking.national(nation),
                        data={
                            "state": snapshot(row),
                            "fields": sorted(diff),
                            "schema": {"from": since, "to": to},
                        },
                        authority=Grant(
                            "schema.upgrade",
                            f"schema upgrade {since or 'base'} -> {to} wrote {', '.join(sorted(diff))}",
                        ),
                    )
                )
                recorded += 1
        meta = s.get(MetaRow, LEDGER_SCHEMA)
        if meta is None:
            s.add(MetaRow(key=LEDGER_SCHEMA, value=to))
        else:
            meta.value = to
    if recorded or left:
        log.info(
            "schema upgrade %s -> %s: %d rows recorded as migrated, %d differ elsewhere",
            since,
            to,
            recorded,
            left,
        )
    return Upgrade(since, to, recorded, left)


__all__ = [
    "EVENT_KIND",
    "LEDGER_SCHEMA",
    "Upgrade",
    "head_revision",
    "pending",
    "record_upgrade",
]
