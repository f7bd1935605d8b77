"""A partner's replicas enter, leave and re-enter the release index with the
row they belong to: applied, withdrawn when the owner narrows the release,
restored when it widens it again (both backends)."""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.org.models import HqIn, HqKind, HqPatch
from alliance.org.tables import HqRow
from alliance.store import release_index
from alliance.store.projection import check_state
from alliance.store.schema import ReleaseIndexRow
from tests.conftest import NodeFactory
from tests.disclosure.helpers import set_release

from .helpers import actor, served_pair, wait_drained

STAFF = actor("JPN", "jpn-jjoc")
VIEWER = actor("USA", "usa-jfhq")


def _entries(node: Node, ident: str) -> set[str]:
    with node.db.read() as s:
        return set(
            s.scalars(
                select(ReleaseIndexRow.nation).where(
                    ReleaseIndexRow.object_table == "hqs", ReleaseIndexRow.object_id == ident
                )
            )
        )


def _origin(node: Node, ident: str) -> str | None:
    with node.db.read() as s:
        row = s.get(HqRow, ident)
        return row.origin if row is not None else None


def _listed(node: Node) -> set[str]:
    return {h.id for h in node.org.list_hqs(VIEWER)}


def _in_step(node: Node) -> None:
    with node.db.read() as s:
        assert release_index.check(s, node.types.tables().values()) == []
    assert check_state(node.db, node.types).ok


def _remark(jpn: Node, nations: list[str]) -> None:
    version = jpn.org.get_hq(STAFF, "jpn-cell-r").version
    set_release(
        jpn,
        STAFF,
        "hq",
        "jpn-cell-r",
        nations,
        lambda ident, kept: jpn.org.update_hq(
            STAFF, ident, HqPatch(version=version, marking=MarkingIn(releasable_to=kept))
        ),
    )


def test_a_replica_is_indexed_withdrawn_and_restored_with_its_row(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    jpn.org.create_hq(
        STAFF,
        HqIn(
            id="jpn-cell-r",
            nation="JPN",
            parent_id="jpn-jjoc",
            kind=HqKind.COMPONENT,
            name_en="JPN Cell R",
            name_ja="日班R",
            short_en="CELL R",
            short_ja="班R",
            # Its parent is released to USA, not AUS: the reference rule allows USA.
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    wait_drained(jpn, [usa])
    assert _origin(usa, "jpn-cell-r") == "replica"
    assert _entries(usa, "jpn-cell-r") == {"JPN", "USA"}
    assert "jpn-cell-r" in _listed(usa)

    _remark(jpn, [])  # narrowed to JPN: withdrawn at USA
    wait_drained(jpn, [usa])
    assert _origin(usa, "jpn-cell-r") == "withdrawn"
    assert _entries(usa, "jpn-cell-r") == {"JPN"}
    assert "jpn-cell-r" not in _listed(usa)
    assert _entries(jpn, "jpn-cell-r") == {"JPN"}

    _remark(jpn, ["USA"])  # widened again: the replica is restored
    wait_drained(jpn, [usa])
    assert _origin(usa, "jpn-cell-r") == "replica"
    assert _entries(usa, "jpn-cell-r") == {"JPN", "USA"}
    assert "jpn-cell-r" in _listed(usa)

    _in_step(jpn)
    _in_step(usa)
