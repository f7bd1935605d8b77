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
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
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
    # Approves widening a release beyond the owner (see "foreign disclosure" below).
    FOREIGN_DISCLOSURE_OFFICER = "foreign_disclosure_officer"


ROLE_NAMES: dict[Role, Text] = {
    Role.COMMANDER: Text("commander", "指揮官"),
    Role.STAFF_OFFICER: Text("staff officer", "幕僚"),
    Role.LIAISON_OFFICER: Text("liaison officer", "連絡官"),
    Role.VIEWER: Text("viewer", "閲覧者"),
    Role.ADMIN: Text("node administrator", "ノード管理者"),
    Role.FOREIGN_DISCLOSURE_OFFICER: Text("foreign disclosure officer", "対外開示担当官"),
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
    Action.MONITOR: Text("read the federation status of", "連携状況の確認"),
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
    what = f"{target.kind} '{target.ident}'"
    if action in OWNER_ONLY and target.unheld:
        return _deny(
            "role_not_authorized",
            f"No HQ holds {what}, so no chain of command may {act.en} it: only "
            f"{target.owner}'s node administrator may create or change it. "
            f"A {role.en} may not.",
            f"{target.kind}「{target.ident}」を保持する司令部がないため、指揮系統による"
            f"{act.ja}はできません。作成・変更は{target.owner}のノード管理者のみが行えます"
            f"（{role.ja}は不可）。",
        )
    return _deny(
        "role_not_authorized",
        f"A {role.en} may not {act.en} {what}.",
        f"{role.ja}は{target.kind}「{target.ident}」の{act.ja}を行えません。",
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


def _owner_chain(actor: Actor, action: Action, target: Target, hosted: set[str]) -> str:
    """The checks of an owner-only action; returns the basis of the grant."""
    act = ACTION_NAMES[action]
    what = f"{target.kind} '{target.ident}'"
    if actor.nation != target.owner:
        raise _deny(
            "not_owner_nation",
            f"{what} belongs to {target.owner}; only {target.owner}'s chain of command "
            f"may {act.en} it. {actor.nation} may request, comment or concur.",
            f"{target.kind}「{target.ident}」は{target.owner}の所有です。{act.ja}は"
            f"{target.owner}の指揮系統のみが行えます。{actor.nation}は要請・意見・同意のみ可能です。",
        )
    if target.owner not in hosted:
        raise _deny(
            "not_hosted",
            f"This node holds no authority for {target.owner}; {what} is changed only at "
            f"{target.owner}'s node.",
            f"このノードは{target.owner}の権限を持ちません。{target.kind}「{target.ident}」は"
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
            f"{target.kind}「{target.ident}」は{target.hq_chain[0]}のものです。",
        )
    if not in_chain(actor, target.hq_chain):
        chain = " → ".join(reversed(target.hq_chain))
        raise _deny(
            "not_in_chain",
            f"{actor.hq_id} is not in the chain of command of {what} ({chain}).",
            f"{actor.hq_id}は{target.kind}「{target.ident}」の指揮系統（{chain}）にありません。",
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
            f"{target.kind} '{target.ident}' is not released to {actor.nation}.",
            f"{target.kind}「{target.ident}」は{actor.nation}に公開されていません。",
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


# -- coordination: who takes part, who speaks for a nation, whose word counts --


def in_chain(actor: Actor, chain: Collection[str]) -> bool:
    """Whether the actor's HQ is in ``chain`` (an HQ and its superiors)."""
    return actor.hq_id in chain


def require_participant(actor: Actor, participants: Collection[str], what: Text) -> None:
    """Only a participating nation (the sender, or a nation addressed) acknowledges
    a coordination or takes a position on it; any nation it is released to may
    comment."""
    if actor.nation not in participants:
        raise _deny(
            "not_participant",
            f"{actor.nation} is not a participant in this {what.en}; it may only comment.",
            f"{actor.nation}はこの{what.ja}の当事国ではありません。意見のみ可能です。",
        )


def require_member(actor: Actor, members: Collection[str], what: Text) -> None:
    """Only a member nation of a standing body (a working group) schedules its
    meetings and holds its action items; any nation it is released to may read."""
    if actor.nation not in members:
        raise _deny(
            "not_member",
            f"{actor.nation} is not a member of this {what.en}.",
            f"{actor.nation}はこの{what.ja}のメンバーではありません。",
        )


def require_speaks_for(actor: Actor, hq_id: str, chain: Collection[str], what: Text) -> None:
    """A nation's position (concur, concur with comment, non-concur) comes from the
    HQ it takes part through (``hq_id``) or a superior of it (``chain``)."""
    if not in_chain(actor, chain):
        raise _deny(
            "not_in_chain",
            f"{actor.hq_id} does not speak for {actor.nation} in this {what.en}; "
            f"the position must come from {hq_id} or a superior HQ.",
            f"{actor.hq_id}はこの{what.ja}で{actor.nation}を代表しません。"
            f"立場の表明は{hq_id}またはその上級司令部が行います。",
        )


def concurrence_counts(role: str, *, delegated: bool = False) -> bool:
    """Whether a concurrence given by a user of ``role`` commits the nation, and so
    counts towards a decision: the roles that may concur (commanders), or a staff
    officer concurring by direction (``delegated``: under a delegation in force,
    see :func:`delegation_in_force`). ``role`` is as recorded on the response (a
    partner's node recorded it)."""
    if role in {r.value for r in ROLES_FOR[Action.CONCUR]}:
        return True
    return delegated and role in {r.value for r in DELEGATES}


def can_view(actor: Actor, marking: Marking) -> bool:
    return marking.releases_to(actor.nation)


# == Delegation of concurrence authority ("by direction" / 命により) ============
#
# A commander may delegate the authority to concur for their HQ to a named
# staff officer of that HQ, at one ACM level (ACG, BOCC, CCC) and for a period;
# the delegation is recorded and revocable. A staff officer concurs only under a
# delegation in force when the position is given; such a concurrence commits the
# nation like the commander's. A revoked or expired delegation gives nothing: the
# staff officer's position is refused. Revocation is not retroactive: a position
# given while the delegation was in force stands until superseded (the commander
# states a new position).

# Who delegates, and to whom.
DELEGATORS = frozenset({Role.COMMANDER})
DELEGATES = frozenset({Role.STAFF_OFFICER})


@dataclass(frozen=True, slots=True)
class Delegation:
    """A delegation of concurrence authority, as the rule sees it."""

    ident: str
    nation: str
    hq_id: str
    commander: str  # the delegating commander's name
    delegate_id: str
    level: str
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None = None

    def in_force(self, at: datetime, level: str) -> bool:
        """Whether it covers a position at ``level`` given at ``at``."""
        if self.level != level or not self.valid_from <= at < self.valid_until:
            return False
        return self.revoked_at is None or at < self.revoked_at


def require_may_delegate(actor: Actor, delegate_nation: str, delegate_hq: str, role: str) -> None:
    """A commander delegates to a staff officer of their own HQ (and nation)."""
    if actor.role not in DELEGATORS:
        raise _deny(
            "role_not_authorized",
            f"Only a commander delegates the authority to concur; a "
            f"{ROLE_NAMES[actor.role].en} may not.",
            f"同意の権限を委任できるのは指揮官のみです（{ROLE_NAMES[actor.role].ja}は不可）。",
        )
    if role not in {r.value for r in DELEGATES}:
        raise _deny(
            "delegate_not_staff",
            "Concurrence authority is delegated to a named staff officer only.",
            "同意の権限は指名された幕僚にのみ委任できます。",
        )
    if delegate_nation != actor.nation or delegate_hq != actor.hq_id:
        raise _deny(
            "delegate_not_own_staff",
            f"A commander delegates to the staff of their own HQ ({actor.hq_id}).",
            f"指揮官は自らの司令部（{actor.hq_id}）の幕僚にのみ委任できます。",
        )


def authorize_position(
    actor: Actor,
    target: Target,
    level: str,
    at: datetime,
    delegations: Iterable[Delegation],
    *,
    hosted: Iterable[str],
) -> tuple[Grant, Delegation | None]:
    """Allow ``actor`` to state a nation's position (concur, concur with comment,
    non-concur) on ``target``, coordinated at ``level``, at ``at``: a commander on
    their own authority, a staff officer by direction under a delegation of
    ``delegations`` in force (returned, to be recorded with the position).
    Raises :class:`Forbidden` otherwise."""
    if actor.role in ROLES_FOR[Action.CONCUR] or actor.role not in DELEGATES:
        return authorize(actor, Action.CONCUR, target, hosted=hosted), None
    grant = authorize(actor, Action.COMMENT, target, hosted=hosted)  # released to the actor
    for d in delegations:
        if (
            d.delegate_id == actor.user_id
            and d.nation == actor.nation
            and d.hq_id == actor.hq_id
            and d.in_force(at, level)
        ):
            basis = f"{grant.basis}, by direction of {d.commander} (delegation {d.ident})"
            return Grant(rule=f"{target.kind}.{Action.CONCUR.value}", basis=basis), d
    raise _deny(
        "no_delegation",
        f"A staff officer states a position only by direction of the commander: no "
        f"delegation of concurrence authority at the {level.upper()} level is in force "
        f"for you (none was given, or it expired or was revoked).",
        f"幕僚は、指揮官から同意権限の委任を受けた場合にのみ「命により」立場を表明できます。"
        f"{level.upper()}レベルの委任が有効ではありません（委任がない、期限切れ、または取消し済み）。",
    )


# -- foreign disclosure: who widens a release beyond the owner ------------------
# Allies route a release of their information to another nation through a
# foreign disclosure officer. A staff officer may narrow an object's release at
# once, but widening it (naming a nation it was not released to) is proposed
# by the owner's chain of command and approved by the owning nation's user
# holding the node's disclosure role (a setting of each node; by default
# :attr:`Role.FOREIGN_DISCLOSURE_OFFICER`). The approval is its own ledger event.

DISCLOSURE_ROLE = Role.FOREIGN_DISCLOSURE_OFFICER
"""The disclosure role of a node whose settings name none."""

PROPOSALS_PATH = "/api/v1/disclosure/proposals"


def disclosure_required(
    target: Target, added: Collection[str], *, creating: bool = False
) -> Forbidden:
    """The refusal of a release beyond the owner that no standing guidance covers:
    it names the nations and says what to do instead."""
    nations = ", ".join(sorted(added))
    what = f"{target.kind} '{target.ident}'"
    if creating:
        return Forbidden(
            Text(
                f"Releasing a new {target.kind} to {nations} discloses {target.owner}'s "
                f"information, and no standing disclosure guidance of {target.owner} covers "
                f"{target.kind} for {nations}: create it releasable to {target.owner} only and "
                f"propose its release (POST {PROPOSALS_PATH}), or ask {target.owner}'s foreign "
                "disclosure officer for standing guidance.",
                f"新しい{target.kind}を{nations}へ提供することは{target.owner}の情報の開示ですが、"
                f"{target.owner}の開示基準に{nations}への{target.kind}の提供を認めるものがありません。"
                f"{target.owner}限りで作成して開示提案（POST {PROPOSALS_PATH}）を行うか、"
                f"{target.owner}の対外開示担当官に開示基準の設定を依頼してください。",
            ),
            field="marking.releasable_to",
            code="disclosure_required",
        )
    return Forbidden(
        Text(
            f"Releasing {what} to {nations} widens it beyond {target.owner}, and no standing "
            f"disclosure guidance of {target.owner} covers it: propose it "
            f"(POST {PROPOSALS_PATH}) for approval by {target.owner}'s foreign disclosure "
            "officer. Narrowing a release needs no approval.",
            f"{target.kind}「{target.ident}」を{nations}へ提供することは{target.owner}以外への"
            f"提供範囲の拡大で、{target.owner}の開示基準にこれを認めるものがありません。"
            f"開示提案（POST {PROPOSALS_PATH}）を行い、{target.owner}の"
            "対外開示担当官の承認を得てください。提供範囲の縮小には承認は不要です。",
        ),
        field="marking.releasable_to",
        code="disclosure_required",
    )


def authorize_disclosure(
    actor: Actor, target: Target, *, hosted: Iterable[str], role: Role = DISCLOSURE_ROLE
) -> Grant:
    """Allow approving (or rejecting) a proposal to widen ``target``'s release, or
    raise :class:`Forbidden`: only a user of the owning nation, on a node that
    holds its authority, holding ``role`` (the node's disclosure role)."""
    what = f"{target.kind} '{target.ident}'"
    if actor.nation != target.owner:
        raise _deny(
            "not_owner_nation",
            f"{what} belongs to {target.owner}; only {target.owner} decides its release.",
            f"{target.kind}「{target.ident}」は{target.owner}の所有です。提供範囲は"
            f"{target.owner}のみが決定します。",
        )
    if target.owner not in set(hosted):
        raise _deny(
            "not_hosted",
            f"This node holds no authority for {target.owner}; {what} is released only at "
            f"{target.owner}'s node.",
            f"このノードは{target.owner}の権限を持ちません。{target.kind}「{target.ident}」の"
            f"提供は{target.owner}のノードでのみ決定できます。",
        )
    if actor.role is not role:
        need, have = ROLE_NAMES[role], ROLE_NAMES[actor.role]
        raise _deny(
            "disclosure_role_required",
            f"Only {target.owner}'s {need.en} approves releasing {what} beyond "
            f"{target.owner}; a {have.en} may propose it.",
            f"{target.kind}「{target.ident}」を{target.owner}以外へ提供する承認は{target.owner}の"
            f"{need.ja}のみが行えます（{have.ja}は提案のみ可能です）。",
        )
    return Grant(
        rule=f"{target.kind}.disclose",
        basis=f"{actor.nation} {actor.role.value} of {actor.hq_id}, owner foreign disclosure",
    )
