"""Authority rules: who, by nation, HQ and role, may do what.

Parallel command is the rule this module enforces: every object has one owning
nation, and only that nation's chain of command changes it, approves it or
tasks it. A partner may *request* (its own coordination request, addressed to
the owner's HQ), *comment* and *concur* on what is released to it, never
command. The rules are pure functions over an :class:`Actor` and a
:class:`Target`; desks build the target (owner, HQ chain, marking) from the
store and record the returned :class:`Grant` in the ledger event.

An object no HQ holds (a top-level HQ being created, a working group's item
for a nation the group names no HQ of) is not "anyone's of that nation": only
the owning nation's node administrator creates or changes it. Position
reports (tracks) are the one kind any HQ of the owning nation writes.

One module per area: :mod:`.base` (roles, actors, targets, grants, the owner
chain), :mod:`.coordination` (participants, speaking for a nation, delegation)
and :mod:`.disclosure` (foreign disclosure).
"""

from __future__ import annotations

from .base import (
    ACTION_NAMES,
    NATION_WIDE,
    NODE_ACTIONS,
    OWNER_ONLY,
    PARTNER_MAY,
    ROLE_NAMES,
    ROLES_FOR,
    ROLES_WITHOUT_CHAIN,
    THIS_NODE,
    Action,
    Actor,
    Grant,
    Role,
    Target,
    authorize,
    authorize_node,
    in_chain,
    require_role,
    roles_for,
)
from .coordination import (
    DELEGATES,
    DELEGATORS,
    Delegation,
    authorize_position,
    can_view,
    concurrence_counts,
    require_may_delegate,
    require_member,
    require_participant,
    require_speaks_for,
)
from .disclosure import (
    DISCLOSURE_ROLE,
    PROPOSALS_PATH,
    authorize_disclosure,
    disclosure_required,
)

__all__ = [
    "ACTION_NAMES",
    "DELEGATES",
    "DELEGATORS",
    "DISCLOSURE_ROLE",
    "NATION_WIDE",
    "NODE_ACTIONS",
    "OWNER_ONLY",
    "PARTNER_MAY",
    "PROPOSALS_PATH",
    "ROLES_FOR",
    "ROLES_WITHOUT_CHAIN",
    "ROLE_NAMES",
    "THIS_NODE",
    "Action",
    "Actor",
    "Delegation",
    "Grant",
    "Role",
    "Target",
    "authorize",
    "authorize_disclosure",
    "authorize_node",
    "authorize_position",
    "can_view",
    "concurrence_counts",
    "disclosure_required",
    "in_chain",
    "require_may_delegate",
    "require_member",
    "require_participant",
    "require_role",
    "require_speaks_for",
    "roles_for",
]
