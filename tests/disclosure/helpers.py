"""Setting an object's release the way a node allows it, for tests that need a
release as a step: narrowing directly (the desk's own patch), widening through
a disclosure proposal approved by the owning nation's foreign disclosure
officer (``alliance.disclosure``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from alliance.core.authority import Actor, Role
from alliance.disclosure import DisclosureDesk, ProposalDecisionIn, ProposalIn
from alliance.node import Node
from alliance.store.owned import owned_kind
from tests.api.conftest import Site

Narrow = Callable[[str, list[str]], object]


def set_release(
    node: Node,
    proposer: Actor,
    object_type: str,
    object_id: str,
    nations: Iterable[str],
    narrow: Narrow | None = None,
) -> None:
    """Release the object to exactly ``nations`` (and its owner): ``narrow(id, kept)``
    drops the others (the desk's patch with the nations kept), then what is
    added is proposed by ``proposer`` and approved by the owner's foreign
    disclosure officer."""
    kind = owned_kind(object_type)
    assert kind is not None, object_type
    with node.db.read() as s:
        row = kind.find(s, proposer.nation, object_id)
        owner, current = row.owner, row.marking.releasable_to
    wanted = frozenset(nations) | {owner}
    kept = current & wanted
    if kept != current:
        assert narrow is not None, "narrowing needs the desk's patch"
        narrow(object_id, sorted(kept - {owner}))
    added = sorted(wanted - current)
    if added:
        widen(node, proposer, object_type, object_id, added)


def widen(
    node: Node, proposer: Actor, object_type: str, object_id: str, nations: list[str]
) -> None:
    """Propose releasing the object to ``nations`` as well (those it is not yet
    released to), and approve it."""
    kind = owned_kind(object_type)
    assert kind is not None, object_type
    with node.db.read() as s:
        current = kind.find(s, proposer.nation, object_id).marking.releasable_to
    nations = sorted(set(nations) - current)
    if not nations:
        return
    desk = node.desk("disclosure", DisclosureDesk)
    data = ProposalIn(
        object_type=object_type, object_id=object_id, releasable_to=nations, reason="Test step."
    )
    proposal = desk.propose(proposer, data)
    fdo = Actor(
        f"t-{proposer.nation}-fdo",
        f"test {proposer.nation} foreign disclosure officer",
        proposer.nation,
        proposer.hq_id,
        Role.FOREIGN_DISCLOSURE_OFFICER,
    )
    desk.approve(fdo, proposal.id, ProposalDecisionIn())


def release_over_api(
    site: Site, who: dict[str, str], object_type: str, object_id: str, nations: list[str]
) -> None:
    """As :func:`widen`, through the API: ``who`` proposes, the owner's foreign
    disclosure officer (of the standard cast, at the owner's top HQ) approves."""
    made = site.client.post(
        "/disclosure/proposals",
        json={
            "object_type": object_type,
            "object_id": object_id,
            "releasable_to": nations,
            "reason": "Test step.",
        },
        headers=who,
    )
    assert made.status_code == 201, made.text
    proposal = made.json()
    top = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[proposal["owner"]]
    fdo = site.as_(proposal["owner"], Role.FOREIGN_DISCLOSURE_OFFICER.value, top)
    approved = site.client.post(
        f"/disclosure/proposals/{proposal['id']}/approve", json={}, headers=fdo
    )
    assert approved.status_code == 200, approved.text
