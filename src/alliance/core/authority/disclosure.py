"""Foreign disclosure: who releases a nation's information beyond it."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ..errors import Forbidden, named, object_label
from ..i18n import Text
from .base import (
    ROLE_NAMES,
    Actor,
    Grant,
    Role,
    Target,
    _deny,
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
    what = f"{named(target.kind, target.ident).en}"
    if creating:
        return Forbidden(
            Text(
                f"Releasing a new {object_label(target.kind).en} to {nations} discloses {target.owner}'s "
                f"information, and no standing disclosure guidance of {target.owner} covers "
                f"{target.kind} for {nations}: create it releasable to {target.owner} only and "
                f"propose its release (POST {PROPOSALS_PATH}), or ask {target.owner}'s foreign "
                "disclosure officer for standing guidance.",
                f"新しい{object_label(target.kind).ja}を{nations}へ提供することは{target.owner}の情報の開示ですが、"
                f"{target.owner}の開示基準に{nations}への{object_label(target.kind).ja}の提供を認めるものがありません。"
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
            f"{named(target.kind, target.ident).ja}を{nations}へ提供することは{target.owner}以外への"
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
    what = f"{named(target.kind, target.ident).en}"
    if actor.nation != target.owner:
        raise _deny(
            "not_owner_nation",
            f"{what} belongs to {target.owner}; only {target.owner} decides its release.",
            f"{named(target.kind, target.ident).ja}は{target.owner}の所有です。提供範囲は"
            f"{target.owner}のみが決定します。",
        )
    if target.owner not in set(hosted):
        raise _deny(
            "not_hosted",
            f"This node holds no authority for {target.owner}; {what} is released only at "
            f"{target.owner}'s node.",
            f"このノードは{target.owner}の権限を持ちません。{named(target.kind, target.ident).ja}の"
            f"提供は{target.owner}のノードでのみ決定できます。",
        )
    if actor.role is not role:
        need, have = ROLE_NAMES[role], ROLE_NAMES[actor.role]
        raise _deny(
            "disclosure_role_required",
            f"Only {target.owner}'s {need.en} approves releasing {what} beyond "
            f"{target.owner}; a {have.en} may propose it.",
            f"{named(target.kind, target.ident).ja}を{target.owner}以外へ提供する承認は{target.owner}の"
            f"{need.ja}のみが行えます（{have.ja}は提案のみ可能です）。",
        )
    return Grant(
        rule=f"{target.kind}.disclose",
        basis=f"{actor.nation} {actor.role.value} of {actor.hq_id}, owner foreign disclosure",
    )
