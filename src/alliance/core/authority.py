"""Authority rules: who, by nation, HQ and role, may do what.

Parallel command is the rule this module enforces: every object has one owning
nation, and only that nation's chain of command changes it, approves it or
tasks it. A partner may *request*, *comment* and *concur* on what is released
to it, never command. The rules are pure functions over an :class:`Actor` and
a :class:`Target`; desks build the target (owner, HQ chain, marking) from the
store and record the returned :class:`Grant` in the ledger event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import Forbidden
from .i18n import Text
from .markings import Marking


class Role(StrEnum):
    COMMANDER = "commander"
    STAFF_OFFICER = "staff_officer"
    LIAISON_OFFICER = "liaison_officer"
    VIEWER = "viewer"
    ADMIN = "admin"


ROLE_NAMES: dict[Role, Text] = {
    Role.COMMANDER: Text("commander", "指揮官"),
    Role.STAFF_OFFICER: Text("staff officer", "幕僚"),
    Role.LIAISON_OFFICER: Text("liaison officer", "連絡官"),
    Role.VIEWER: Text("viewer", "閲覧者"),
    Role.ADMIN: Text("node administrator", "ノード管理者"),
}


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    APPROVE = "approve"
    TASK = "task"
    REQUEST = "request"
    COMMENT = "comment"
    CONCUR = "concur"
    DECIDE = "decide"
    ADMINISTER = "administer"


ACTION_NAMES: dict[Action, Text] = {
    Action.VIEW: Text("view", "閲覧"),
    Action.CREATE: Text("create", "作成"),
    Action.CHANGE: Text("change", "変更"),
    Action.APPROVE: Text("approve", "承認"),
    Action.TASK: Text("task", "任務付与"),
    Action.REQUEST: Text("request", "要請"),
    Action.COMMENT: Text("comment", "意見"),
    Action.CONCUR: Text("concur", "同意"),
    Action.DECIDE: Text("record a decision", "決定の記録"),
    Action.ADMINISTER: Text("administer the node", "ノード管理"),
}

# Actions only the owning nation's chain of command may take.
OWNER_ONLY = frozenset({Action.CREATE, Action.CHANGE, Action.APPROVE, Action.TASK, Action.DECIDE})
# Actions a partner may take on what is released to it.
PARTNER_MAY = frozenset({Action.VIEW, Action.REQUEST, Action.COMMENT, Action.CONCUR})

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
}


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
    belongs to and every superior HQ of the same nation. Empty means any HQ of
    the owning nation may act (e.g. a nation-level object).
    """

    kind: str
    ident: str
    owner: str
    marking: Marking
    hq_chain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Grant:
    """Why an action was allowed; recorded as the ``authority`` of a ledger event."""

    rule: str
    basis: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "basis": self.basis}


def _deny(code: str, en: str, ja: str) -> Forbidden:
    return Forbidden(Text(en, ja), code=code)


def authorize(actor: Actor, action: Action, target: Target, *, hosted: Iterable[str]) -> Grant:
    """Allow the action or raise :class:`Forbidden` with a bilingual reason.

    ``hosted`` are the nations whose authority this node holds: a node writes
    only objects owned by a nation it hosts (sovereign nodes).
    """
    act = ACTION_NAMES[action]
    what = f"{target.kind} '{target.ident}'"
    if not target.marking.releases_to(actor.nation) and target.owner != actor.nation:
        raise _deny(
            "not_released",
            f"{what} is not released to {actor.nation}.",
            f"{target.kind}「{target.ident}」は{actor.nation}に公開されていません。",
        )
    if actor.role not in ROLES_FOR[action]:
        role = ROLE_NAMES[actor.role]
        raise _deny(
            "role_not_authorized",
            f"A {role.en} may not {act.en} {what}.",
            f"{role.ja}は{target.kind}「{target.ident}」の{act.ja}を行えません。",
        )
    if action in OWNER_ONLY:
        if actor.nation != target.owner:
            raise _deny(
                "not_owner_nation",
                f"{what} belongs to {target.owner}; only {target.owner}'s chain of command "
                f"may {act.en} it. {actor.nation} may request, comment or concur.",
                f"{target.kind}「{target.ident}」は{target.owner}の所有です。{act.ja}は"
                f"{target.owner}の指揮系統のみが行えます。{actor.nation}は要請・意見・同意のみ可能です。",
            )
        if target.owner not in set(hosted):
            raise _deny(
                "not_hosted",
                f"This node holds no authority for {target.owner}; {what} is changed only at "
                f"{target.owner}'s node.",
                f"このノードは{target.owner}の権限を持ちません。{target.kind}「{target.ident}」は"
                f"{target.owner}のノードでのみ変更できます。",
            )
        if target.hq_chain and actor.hq_id not in target.hq_chain:
            raise _deny(
                "not_in_chain",
                f"{actor.hq_id} is not in the chain of command of {what} "
                f"({' → '.join(reversed(target.hq_chain))}).",
                f"{actor.hq_id}は{target.kind}「{target.ident}」の指揮系統"
                f"（{' → '.join(reversed(target.hq_chain))}）にありません。",
            )
        basis = f"{actor.nation} {actor.role.value} of {actor.hq_id}, owner chain of command"
    elif action in PARTNER_MAY:
        relation = "owner" if actor.nation == target.owner else "partner"
        basis = f"{actor.nation} {actor.role.value} of {actor.hq_id}, {relation}, released"
    else:  # ADMINISTER
        if actor.nation not in set(hosted):
            raise _deny(
                "not_hosted",
                f"{actor.nation} is not hosted by this node.",
                f"{actor.nation}はこのノードで管理されていません。",
            )
        basis = f"{actor.nation} node administrator"
    return Grant(rule=f"{target.kind}.{action.value}", basis=basis)


def can_view(actor: Actor, marking: Marking) -> bool:
    return marking.releases_to(actor.nation)
