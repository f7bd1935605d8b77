"""The org desk: each nation's command structure, and how the structures meet.

Rules enforced here (besides the authority rules in ``core.authority``):

* an HQ's parent is an HQ of the same nation;
* a command relationship (COCOM, OPCON, TACON, ADCON) never crosses nations;
  a support relationship may, and it belongs to the nation of the supporting
  force — a nation commits its own forces, never a partner's;
* a counterpart link joins one of the owner's HQs to a partner nation's HQ.

The desk is written in two parts along its seam: :mod:`.hierarchy` (nations,
HQs, units) and :mod:`.links` (relationships, counterparts, taskings). Each
change ``foo(actor, ...)`` has a transaction form ``foo_in(tx, actor, ...)``
that another desk's writer job calls inside its own transaction; ``foo`` is
that form run on the writer.
"""

from __future__ import annotations

from alliance.core.authority import Actor

from .common import counterpart_view, hq_view, relationship_view, tasking_view, unit_view
from .facts import FactsOut, facts_view
from .hierarchy import Hierarchy
from .links import Links


class OrgDesk(Hierarchy, Links):
    """Command structures of the N nations, counterpart links, taskings."""

    def facts(self, actor: Actor) -> FactsOut:
        """The sourced public facts shipped with Alliance and, apart, the
        exercise assumptions, as released to the actor's nation (read-only)."""
        return facts_view(actor.nation)


__all__ = [
    "OrgDesk",
    "counterpart_view",
    "hq_view",
    "relationship_view",
    "tasking_view",
    "unit_view",
]
