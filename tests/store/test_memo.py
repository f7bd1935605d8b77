"""The session memo (``alliance.store.memo``) as the chain of command uses it:
asked twice in a job, the chain is read once; any change to what it rests on
(an HQ, a command relationship) is seen at once, flushed or not."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event

from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org.chain import hq_chain
from alliance.org.tables import CommandRelationshipRow, HqRow
from alliance.store import Tx

from ..conftest import NodeFactory


def _opcon(superior: str, subordinate: str, now: datetime) -> CommandRelationshipRow:
    row = CommandRelationshipRow(
        id=new_id(),
        kind="opcon",
        superior_kind="hq",
        superior_id=superior,
        subordinate_kind="hq",
        subordinate_id=subordinate,
        state="active",
        valid_from=now,
        created_at=now,
        updated_at=now,
        caveats_en="",
        caveats_ja="",
        owner="JPN",
    )
    row.set_marking(Marking.national("JPN"))
    return row


def test_the_chain_is_read_once_per_job_and_follows_every_change(make_node: NodeFactory) -> None:
    node = make_node("JPN")

    def job(tx: Tx) -> dict[str, Any]:
        s = tx.session
        seen: dict[str, Any] = {"first": hq_chain(s, "jpn-sff")}
        statements: list[str] = []

        def count(*_args: Any) -> None:
            statements.append("sql")

        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            seen["again"] = hq_chain(s, "jpn-sff")
            seen["sql_again"] = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        # Not flushed yet: a new OPCON over the HQ's parent puts its holder in the chain.
        rel = _opcon("jpn-ioc", "jpn-sf", tx.now)
        s.add(rel)
        seen["opcon"] = hq_chain(s, "jpn-sff")
        rel.state = "ended"  # an attribute set, no flush: out of the chain again
        seen["ended"] = hq_chain(s, "jpn-sff")
        s.flush()
        hq = s.get(HqRow, "jpn-sf")
        assert hq is not None
        hq.parent_id = "jpn-mod"  # the structure changed under the chain
        seen["moved"] = hq_chain(s, "jpn-sff")
        raise _Rollback(seen)

    try:
        node.writer.run(job)
    except _Rollback as done:
        seen = done.seen
    else:  # pragma: no cover - the job always raises
        raise AssertionError("the job did not run")

    assert seen["first"] == ("jpn-sff", "jpn-sf", "jpn-jjoc", "jpn-mod")
    assert seen["again"] == seen["first"]
    assert seen["sql_again"] == 0
    assert "jpn-ioc" in seen["opcon"]
    assert seen["opcon"][:4] == seen["first"]
    assert seen["ended"] == seen["first"]
    # jpn-sf's superior is now jpn-mod (JJOC stays in the chain only by the
    # seed's OPCON over jpn-sf, after the structure).
    assert seen["moved"][:3] == ("jpn-sff", "jpn-sf", "jpn-mod")
    # Nothing of the job was kept: the stored structure is as it was.
    with node.db.read() as s:
        assert hq_chain(s, "jpn-sff") == seen["first"]


class _Rollback(Exception):
    def __init__(self, seen: dict[str, Any]) -> None:
        super().__init__("rolled back on purpose")
        self.seen = seen
