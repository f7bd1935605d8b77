"""The ACM desk: coordination between counterpart HQs under the Alliance
Coordination Mechanism, the decision log, and working groups.

Single writer holds here too. A request belongs to the nation that sends it;
each partner answers with responses it owns. The lifecycle shown to users
(draft → sent → acknowledged → answered (an RFI) or concurred / non-concurred →
decided / closed) is derived from the owner's state and the partners' latest
positions on the current revision, so no nation ever writes another's object.
A decision is recorded only when every participating nation's commander has
concurred on the current revision.

The desk is written in three parts along its seams: :mod:`.requests` (the
requesting nation's side), :mod:`.decisions` (responses and decisions) and
:mod:`.delegations` (who concurs by direction) and :mod:`.groups` (working
groups, meetings, action items). Each change
``foo(actor, ...)`` has a transaction form ``foo_in(tx, actor, ...)`` that
another desk's writer job calls inside its own transaction (plans opening a
coordination request on a conflict, say); ``foo`` is that form run on the writer.
"""

from __future__ import annotations

from .common import (
    action_view,
    decision_view,
    delegation_view,
    group_view,
    meeting_view,
    response_view,
)
from .decisions import Decisions
from .delegations import Delegations
from .groups import Groups
from .outcomes import Outcomes
from .requests import Requests


class AcmDesk(Requests, Decisions, Outcomes, Delegations, Groups):
    """Coordination requests, responses, coordinated outcomes and the national
    decisions implementing them, delegations and working groups."""


__all__ = [
    "AcmDesk",
    "action_view",
    "decision_view",
    "delegation_view",
    "group_view",
    "meeting_view",
    "response_view",
]
