"""Roles, actions, actors, targets and grants; the owner-chain rule (``authorize``)
and actions on the node itself."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .. import glossary
from ..errors import Forbidden, named
from ..i18n import Text
from ..markings import Marking


class Role(StrEnum):
    COMMANDER = "commander"
    STAFF_OFFICER = "staff_officer"
    LIAISON_OFFICER = "liaison_officer"
    VIEWER = "viewer"
    ADMIN = "admin"
    # Approves widening a release beyond the owner (see "foreign disclosure" below).
    FOREIGN_DISCLOSURE_OFFICER = "foreign_disclosure_officer"


# The roles' names are the glossary's (``role_<role>``; the foreign disclosure
# officer is a markings term), so that the API, the console and the command
# line use one Japanese word for each.
ROLE_NAMES: dict[Role, Text] = {
    role: glossary.term(
        "foreign_disclosure_officer"
        if role is Role.FOREIGN_DISCLOSURE_OFFICER
        else f"role_{role.value}"
    )
    for role in Role
}


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    APPROVE = "approve"
    TASK = "task"
    REQUEST = "request"  # draft, amend and send the nation's own coordination request
    COMMENT = "comment"
    CONCUR = "concur"
    DECIDE = "decide"
    ADMINISTER = "administer"
    MONITOR = "monitor"  # read the node's federation status


ACTION_NAMES: dict[Action, Text] = {
    Action.VIEW: Text("view", "閲覧"),
    Action.CREATE: Text("create", "作成"),
    Action.CHANGE: Text("change", "変更"),
    Action.APPROVE: Text("approve", "承認"),
    Action.TASK: Text("task", "任務付与"),
    Action.REQUEST: Text("draft, amend or send", "起案・修正・送付"),
    Action.COMMENT: Text("comment", "意見"),
    Action.CONCUR: Text("concur", "同意"),
    Action.DECIDE: Text("record a decision", "決定の記録"),
    Action.ADMINISTER: Text("administer", "管理"),
    Action.MONITOR: Text(
        "read the federation status and ledger status of", "連携状況・台帳状況の確認"
    ),
}

# Actions only the owning nation's chain of command may take. A request is the
# requesting nation's own object, written from one of its HQs: a partner
# requests by drafting its own, addressed to the owner's HQ.
OWNER_ONLY = frozenset(
    {Action.CREATE, Action.CHANGE, Action.APPROVE, Action.TASK, Action.REQUEST, Action.DECIDE}
)
# Actions a partner may take on what is released to it.
PARTNER_MAY = frozenset({Action.VIEW, Action.COMMENT, Action.CONCUR})
# Actions on the node itself, by its own nations' users.
NODE_ACTIONS = frozenset({Action.ADMINISTER, Action.MONITOR})

ROLES_FOR: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.CREATE: frozenset({Role.COMMANDER, Role.STAFF_OFFICER}),
    Action.CHANGE: frozenset({Role.COMMANDER, Role.STAFF_OFFICER}),
    Action.APPROVE: frozenset({Role.COMMANDER}),
    Action.TASK: frozenset({Role.COMMANDER}),
    Action.REQUEST: frozenset({Role.COMMANDER, Role.STAFF_OFFICER, Role.LIAISON_OFFICER}),
    Action.COMMENT: frozenset({Role.COMMANDER, Role.STAFF_OFFICER, Role.LIAISON_OFFICER}),
    Action.CONCUR: frozenset({Role.COMMANDER}),
    Action.DECIDE: frozenset({Role.COMMANDER}),
    Action.ADMINISTER: frozenset({Role.ADMIN}),
    # Link health is the staff's and the administrator's business; it is not
    # shown to viewers or liaison officers.
    Action.MONITOR: frozenset({Role.COMMANDER, Role.STAFF_OFFICER, Role.ADMIN}),
}

# Owner-only actions on an object no HQ holds: only the owning nation's node
# administrator creates or changes it; nobody approves, tasks, requests or
# decides on it (those always come from a chain of command).
ROLES_WITHOUT_CHAIN: dict[Action, frozenset[Role]] = {
    Action.CREATE: frozenset({Role.ADMIN}),
    Action.CHANGE: frozenset({Role.ADMIN}),
}

# Kinds of object any HQ of the owning nation writes: a position report is the
# nation's, not one HQ's (a TAK client of any HQ reports for its nation).
NATION_WIDE = frozenset({"track"})


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in user: one nation, one HQ, one role."""

    user_id: str
    name: str
    nation: str
    hq_id: str
    role: Role

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user_id,
            "name": self.name,
            "nation": self.nation,
            "hq": self.hq_id,
            "role": self.role.value,
        }


@dataclass(frozen=True, slots=True)
class Target:
    """What an action is taken on.

    ``hq_chain`` lists the HQs with authority over the object: the HQ it
    belongs to (first) and every superior HQ of the same nation. Empty means
    no HQ holds the object: owner-only actions then need the owning nation's
    node administrator, except for the kinds in :data:`NATION_WIDE`, which any
    HQ of the owning nation writes.
    """

    kind: str
    ident: str
    owner: str
    marking: Marking
    hq_chain: tuple[str, ...] = ()

    @property
    def unheld(self) -> bool:
        """No HQ holds this object (and it is not a nation-wide report)."""
        return not self.hq_chain and self.kind not in NATION_WIDE


@dataclass(frozen=True, slots=True)
class Grant:
    """Why an action was allowed; recorded as the ``authority`` of a ledger event."""

    rule: str
    basis: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "basis": self.basis}


def _deny(code: str, en: str, ja: str) -> Forbidden:
    return Forbidden(Text(en, ja), code=code)


def roles_for(action: Action, target: Target) -> frozenset[Role]:
    """The roles that may take ``action`` on ``target`` at all."""
    if action in OWNER_ONLY and target.unheld:
        return ROLES_WITHOUT_CHAIN.get(action, frozenset())
    return ROLES_FOR[action]


def _role_refused(actor: Actor, action: Action, target: Target) -> Forbidden:
    role, act = ROLE_NAMES[actor.role], ACTION_NAMES[action]
    name = named(target.kind, target.ident)
    what, what_ja = name.en, name.ja
    if action in OWNER_ONLY and target.unheld:
        return _deny(
            "role_not_authorized",
            f"No HQ holds {what}, so no chain of command may {act.en} it: only "
            f"{target.owner}'s node administrator may create or change it. "
            f"A {role.en} may not.",
            f"{what_ja}を保持する司令部がないため、指揮系統による"
            f"{act.ja}はできません。作成・変更は{target.owner}のノード管理者のみが行えます"
            f"（{role.ja}は不可）。",
        )
    return _deny(
        "role_not_authorized",
        f"A {role.en} may not {act.en} {what}.",
        f"{role.ja}は{what_ja}の{act.ja}を行えません。",
    )


def require_role(actor: Actor, action: Action, what: Text) -> None:
    """Refuse an action on the node itself (``what``: e.g. its federation links)
    to a role that may not take it."""
    if actor.role not in ROLES_FOR[action]:
        role, act = ROLE_NAMES[actor.role], ACTION_NAMES[action]
        raise _deny(
            "role_not_authorized",
            f"A {role.en} may not {act.en} {what.en}.",
            f"{role.ja}は{what.ja}の{act.ja}を行えません。",
        )


def in_chain(actor: Actor, chain: Collection[str]) -> bool:
    """Whether the actor's HQ is in ``chain`` (an HQ and its superiors)."""
    return actor.hq_id in chain


def _owner_chain(actor: Actor, action: Action, target: Target, hosted: set[str]) -> str:
    """The checks of an owner-only action; returns the basis of the grant."""
    act = ACTION_NAMES[action]
    name = named(target.kind, target.ident)
    what, what_ja = name.en, name.ja
    if actor.nation != target.owner:
        raise _deny(
            "not_owner_nation",
            f"{what} belongs to {target.owner}; only {target.owner}'s chain of command "
            f"may {act.en} it. {actor.nation} may request, comment or concur.",
            f"{what_ja}は{target.owner}の所有です。{act.ja}は"
            f"{target.owner}の指揮系統のみが行えます。{actor.nation}は要請・意見・同意のみ可能です。",
        )
    if target.owner not in hosted:
        raise _deny(
            "not_hosted",
            f"This node holds no authority for {target.owner}; {what} is changed only at "
            f"{target.owner}'s node.",
            f"このノードは{target.owner}の権限を持ちません。{what_ja}は"
            f"{target.owner}のノードでのみ変更できます。",
        )
    head = f"{actor.nation} {actor.role.value} of {actor.hq_id}"
    if not target.hq_chain:
        if target.unheld:
            return f"{head}, owner node administrator (no HQ holds it)"
        return f"{head}, owner nation (any HQ reports it)"
    if actor.role is Role.LIAISON_OFFICER and actor.hq_id != target.hq_chain[0]:
        # A liaison officer speaks for the HQ they serve, not for its subordinates.
        raise _deny(
            "not_in_chain",
            f"A liaison officer acts only for their own HQ ({actor.hq_id}); {what} is "
            f"{target.hq_chain[0]}'s.",
            f"連絡官は自らの司令部（{actor.hq_id}）のためにのみ行動します。"
            f"{what_ja}は{target.hq_chain[0]}のものです。",
        )
    if not in_chain(actor, target.hq_chain):
        chain = " → ".join(reversed(target.hq_chain))
        raise _deny(
            "not_in_chain",
            f"{actor.hq_id} is not in the chain of command of {what} ({chain}).",
            f"{actor.hq_id}は{what_ja}の指揮系統（{chain}）にありません。",
        )
    return f"{head}, owner chain of command"


def authorize(actor: Actor, action: Action, target: Target, *, hosted: Iterable[str]) -> Grant:
    """Allow the action or raise :class:`Forbidden` with a bilingual reason.

    ``hosted`` are the nations whose authority this node holds: a node writes
    only objects owned by a nation it hosts (sovereign nodes).
    """
    hosted = set(hosted)
    if not target.marking.releases_to(actor.nation) and target.owner != actor.nation:
        raise _deny(
            "not_released",
            f"{named(target.kind, target.ident).en} is not released to {actor.nation}.",
            f"{named(target.kind, target.ident).ja}は{actor.nation}に公開されていません。",
        )
    if actor.role not in roles_for(action, target):
        raise _role_refused(actor, action, target)
    if action in OWNER_ONLY:
        basis = _owner_chain(actor, action, target, hosted)
    elif action in PARTNER_MAY:
        relation = "owner" if actor.nation == target.owner else "partner"
        basis = f"{actor.nation} {actor.role.value} of {actor.hq_id}, {relation}, released"
    else:  # NODE_ACTIONS
        basis = _node_basis(actor, action, hosted)
    return Grant(rule=f"{target.kind}.{action.value}", basis=basis)


def _node_basis(actor: Actor, action: Action, hosted: Collection[str]) -> str:
    if actor.nation not in hosted:
        raise _deny(
            "not_hosted",
            f"{actor.nation} is not hosted by this node.",
            f"{actor.nation}はこのノードで管理されていません。",
        )
    if action is Action.ADMINISTER:
        return f"{actor.nation} node administrator"
    return f"{actor.nation} {actor.role.value} of {actor.hq_id}, node"


THIS_NODE = Text("this node", "このノード")


def authorize_node(
    actor: Actor, action: Action, *, hosted: Iterable[str], what: Text = THIS_NODE
) -> Grant:
    """Allow an action on the node itself (administer it, read its federation
    status) or raise :class:`Forbidden`: the actor's role must be one that takes
    it, and the actor's nation one this node hosts."""
    if action not in NODE_ACTIONS:
        raise ValueError(f"{action} is not an action on the node")
    require_role(actor, action, what)
    return Grant(rule=f"node.{action.value}", basis=_node_basis(actor, action, set(hosted)))
