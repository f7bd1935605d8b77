"""Authority: parallel command. Only the owner's chain changes, approves or tasks;
a partner requests, comments and concurs on what is released to it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from alliance.core.authority import (
    Action,
    Actor,
    Role,
    Target,
    authorize,
    can_view,
    require_role,
)
from alliance.core.errors import Forbidden
from alliance.core.i18n import Text
from alliance.core.markings import Marking

OWNER = "JPN"
PARTNER = "USA"
# A JPN unit under the Ground Component Command, under the JJOC (nearest first).
CHAIN = ("jpn-11inf", "jpn-gcc", "jpn-jjoc")

# The policy, written per role from the design: what each role may do at all.
ROLE_MAY = {
    Role.COMMANDER: {
        Action.VIEW,
        Action.CREATE,
        Action.CHANGE,
        Action.APPROVE,
        Action.TASK,
        Action.REQUEST,
        Action.COMMENT,
        Action.CONCUR,
        Action.DECIDE,
        Action.MONITOR,
    },
    Role.STAFF_OFFICER: {
        Action.VIEW,
        Action.CREATE,
        Action.CHANGE,
        Action.REQUEST,
        Action.COMMENT,
        Action.MONITOR,
    },
    # A liaison officer drafts, amends and sends requests and comments; never more.
    Role.LIAISON_OFFICER: {Action.VIEW, Action.REQUEST, Action.COMMENT},
    Role.VIEWER: {Action.VIEW},
    Role.ADMIN: {Action.VIEW, Action.ADMINISTER, Action.MONITOR},
    # Approves widening a release (authorize_disclosure); by the table, only views.
    Role.FOREIGN_DISCLOSURE_OFFICER: {Action.VIEW},
}
# What may be done to an object no HQ holds (a top-level HQ being created): the
# owning nation's node administrator creates or changes it; nothing else.
UNHELD_MAY = {Role.ADMIN: {Action.CREATE, Action.CHANGE}}
# Acts of the owning nation's chain of command only, on its own node. A request
# is the requesting nation's own object: a partner requests by drafting its own.
COMMAND = {
    Action.CREATE,
    Action.CHANGE,
    Action.APPROVE,
    Action.TASK,
    Action.REQUEST,
    Action.DECIDE,
}
NODE = {Action.ADMINISTER, Action.MONITOR}
# Where the actor's HQ stands against the object's chain of command.
WHERE = ("holder", "superior", "outside")


@dataclass(frozen=True)
class Case:
    role: Role
    action: Action
    own: bool  # actor is of the owning nation
    where: str  # the actor's HQ holds the object, is above it, or is outside its chain
    held: bool  # some HQ holds the object (its chain is not empty)
    hosted: bool  # this node holds the owning nation's authority
    released: bool  # the object is released to the partner

    @property
    def id(self) -> str:
        return "-".join(
            [
                self.role.value,
                self.action.value,
                "own" if self.own else "partner",
                self.where,
                "held" if self.held else "unheld",
                "hosted" if self.hosted else "unhosted",
                "rel" if self.released else "norel",
            ]
        )

    @property
    def hosted_nations(self) -> set[str]:
        # Not hosted: a node of a third nation that holds a replica.
        return {OWNER} if self.hosted else {"KOR"}

    def actor(self) -> Actor:
        nation = OWNER if self.own else PARTNER
        if self.where == "outside":
            hq = "jpn-asdf-adc" if self.own else "usa-jfhq"
        else:
            hq = CHAIN[0] if self.where == "holder" else CHAIN[1]
        return Actor("u1", "Test User", nation, hq, self.role)

    def target(self) -> Target:
        marking = Marking.of(OWNER, [PARTNER] if self.released else [])
        return Target("unit", "jpn-11inf-bn1", OWNER, marking, CHAIN if self.held else ())

    def expected(self) -> str | None:
        """The error code the policy demands, or None when the action is allowed."""
        nation = OWNER if self.own else PARTNER
        if not self.own and not self.released:
            return "not_released"
        unheld = self.action in COMMAND and not self.held
        may = UNHELD_MAY.get(self.role, set()) if unheld else ROLE_MAY[self.role]
        if self.action not in may:
            return "role_not_authorized"
        if self.action in COMMAND:
            if not self.own:
                return "not_owner_nation"
            if not self.hosted:
                return "not_hosted"
            if self.held and self.where == "outside":
                return "not_in_chain"
            if self.held and self.role is Role.LIAISON_OFFICER and self.where != "holder":
                return "not_in_chain"
        if self.action in NODE and nation not in self.hosted_nations:
            return "not_hosted"
        return None


CASES = [
    Case(*combo)
    for combo in itertools.product(
        list(Role),
        list(Action),
        [True, False],
        WHERE,
        [True, False],
        [True, False],
        [True, False],
    )
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_authority_table(case: Case) -> None:
    actor, target = case.actor(), case.target()
    expected = case.expected()
    if expected is None:
        grant = authorize(actor, case.action, target, hosted=case.hosted_nations)
        assert grant.rule == f"unit.{case.action.value}"
        assert actor.nation in grant.basis
        if case.action is not Action.ADMINISTER:
            assert actor.hq_id in grant.basis
        if case.action in COMMAND:
            assert grant.basis.endswith(
                "owner chain of command"
                if case.held
                else "owner node administrator (no HQ holds it)"
            )
        elif case.action not in NODE:
            assert grant.basis.endswith(("owner" if case.own else "partner") + ", released")
        return
    with pytest.raises(Forbidden) as caught:
        authorize(actor, case.action, target, hosted=case.hosted_nations)
    err = caught.value
    assert err.code == expected
    assert err.status == 403
    assert err.message.en
    assert err.message.ja
    assert err.message.en != err.message.ja


def test_the_table_covers_every_outcome() -> None:
    outcomes = {c.expected() for c in CASES}
    assert outcomes == {
        None,
        "not_released",
        "role_not_authorized",
        "not_owner_nation",
        "not_hosted",
        "not_in_chain",
    }
    # Every role is allowed something and refused something.
    for role in Role:
        mine = [c.expected() for c in CASES if c.role is role]
        assert None in mine
        assert "role_not_authorized" in mine


def _unit(marking: Marking, chain: tuple[str, ...] = CHAIN) -> Target:
    return Target("unit", "jpn-11inf-bn1", OWNER, marking, chain)


def test_partner_commander_cannot_task_our_unit_even_when_released() -> None:
    usa = Actor("u", "US commander", PARTNER, "usa-jfhq", Role.COMMANDER)
    with pytest.raises(Forbidden) as caught:
        authorize(usa, Action.TASK, _unit(Marking.of(OWNER, [PARTNER])), hosted={OWNER, PARTNER})
    assert caught.value.code == "not_owner_nation"
    assert "JPN" in caught.value.message.en
    assert "JPN" in caught.value.message.ja


def test_partner_cannot_claim_an_hq_in_our_chain() -> None:
    impostor = Actor("u", "US commander", PARTNER, "jpn-gcc", Role.COMMANDER)
    with pytest.raises(Forbidden) as caught:
        authorize(impostor, Action.CHANGE, _unit(Marking.of(OWNER, [PARTNER])), hosted={OWNER})
    assert caught.value.code == "not_owner_nation"


def _request(owner: str, chain: tuple[str, ...]) -> Target:
    partner = PARTNER if owner == OWNER else OWNER
    return Target("coordination_request", "new", owner, Marking.of(owner, [partner]), chain)


def test_a_partner_requests_by_drafting_its_own_request_never_ours() -> None:
    liaison = Actor("u", "US LNO", PARTNER, "usa-jfhq", Role.LIAISON_OFFICER)
    own = authorize(
        liaison,
        Action.REQUEST,
        _request(PARTNER, ("usa-jfhq", "usa-indopacom")),
        hosted={PARTNER},
    )
    assert own.rule == "coordination_request.request"
    assert own.basis == "USA liaison_officer of usa-jfhq, owner chain of command"
    assert own.to_json() == {"rule": own.rule, "basis": own.basis}
    # Amending or sending JPN's request is JPN's business, even for a request addressed to USA.
    with pytest.raises(Forbidden) as caught:
        authorize(liaison, Action.REQUEST, _request(OWNER, CHAIN[1:]), hosted={OWNER, PARTNER})
    assert caught.value.code == "not_owner_nation"
    assert "draft, amend or send" in caught.value.message.en


def test_a_liaison_officer_requests_only_for_the_hq_they_serve() -> None:
    liaison = Actor("u", "JJOC LNO", OWNER, "jpn-jjoc", Role.LIAISON_OFFICER)
    grant = authorize(liaison, Action.REQUEST, _request(OWNER, ("jpn-jjoc",)), hosted={OWNER})
    assert grant.basis == "JPN liaison_officer of jpn-jjoc, owner chain of command"
    # A subordinate HQ's request is that HQ's (or its commander's and staff's) to send.
    with pytest.raises(Forbidden) as caught:
        authorize(liaison, Action.REQUEST, _request(OWNER, ("jpn-gcc", "jpn-jjoc")), hosted={OWNER})
    assert caught.value.code == "not_in_chain"
    assert "jpn-gcc" in caught.value.message.en
    assert "jpn-gcc" in caught.value.message.ja
    staff = Actor("u", "JJOC J3", OWNER, "jpn-jjoc", Role.STAFF_OFFICER)
    superior = authorize(
        staff, Action.REQUEST, _request(OWNER, ("jpn-gcc", "jpn-jjoc")), hosted={OWNER}
    )
    assert superior.basis == "JPN staff_officer of jpn-jjoc, owner chain of command"


@pytest.mark.parametrize(
    "action",
    [Action.CREATE, Action.CHANGE, Action.APPROVE, Action.TASK, Action.CONCUR, Action.DECIDE],
)
def test_a_liaison_officer_never_commands_concurs_or_decides(action: Action) -> None:
    liaison = Actor("u", "JJOC LNO", OWNER, "jpn-jjoc", Role.LIAISON_OFFICER)
    with pytest.raises(Forbidden) as caught:
        authorize(liaison, action, _request(OWNER, ("jpn-jjoc",)), hosted={OWNER})
    assert caught.value.code == "role_not_authorized"
    assert caught.value.message.en.startswith("A liaison officer may not")


def test_unreleased_object_is_not_even_admitted_to_exist_for_a_partner() -> None:
    viewer = Actor("u", "US viewer", PARTNER, "usa-jfhq", Role.VIEWER)
    with pytest.raises(Forbidden) as caught:
        authorize(viewer, Action.VIEW, _unit(Marking.national(OWNER)), hosted={OWNER})
    assert caught.value.code == "not_released"


def test_superior_hq_in_the_chain_may_change_a_subordinate_object() -> None:
    jjoc = Actor("u", "JJOC commander", OWNER, "jpn-jjoc", Role.COMMANDER)
    grant = authorize(jjoc, Action.CHANGE, _unit(Marking.national(OWNER)), hosted={OWNER})
    assert "owner chain of command" in grant.basis


def _top_level_hq() -> Target:
    """An HQ being created with no parent: no HQ above it holds it."""
    return Target("hq", "jpn-new-top", OWNER, Marking.national(OWNER), ())


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.STAFF_OFFICER])
def test_no_commander_or_staff_officer_creates_what_no_hq_holds(role: Role) -> None:
    jjoc = Actor("u", "JJOC", OWNER, "jpn-jjoc", role)
    for action in (Action.CREATE, Action.CHANGE):
        with pytest.raises(Forbidden) as caught:
            authorize(jjoc, action, _top_level_hq(), hosted={OWNER})
        assert caught.value.code == "role_not_authorized"
        assert "node administrator" in caught.value.message.en
        assert "ノード管理者" in caught.value.message.ja


def test_the_node_administrator_creates_what_no_hq_holds_and_nothing_else() -> None:
    admin = Actor("u", "JPN admin", OWNER, "jpn-jjoc", Role.ADMIN)
    grant = authorize(admin, Action.CREATE, _top_level_hq(), hosted={OWNER})
    assert grant.rule == "hq.create"
    assert grant.basis == "JPN admin of jpn-jjoc, owner node administrator (no HQ holds it)"
    assert authorize(admin, Action.CHANGE, _top_level_hq(), hosted={OWNER}).rule == "hq.change"
    # An administrator never commands: not on an unheld object, not on a held one.
    for action in (Action.APPROVE, Action.TASK, Action.REQUEST, Action.CONCUR, Action.DECIDE):
        with pytest.raises(Forbidden) as caught:
            authorize(admin, action, _top_level_hq(), hosted={OWNER})
        assert caught.value.code == "role_not_authorized", action
    for action in (Action.CREATE, Action.CHANGE, Action.TASK, Action.CONCUR, Action.DECIDE):
        with pytest.raises(Forbidden) as caught:
            authorize(admin, action, _unit(Marking.national(OWNER)), hosted={OWNER})
        assert caught.value.code == "role_not_authorized", action
    # Another nation's administrator, or a node without JPN's authority: refused.
    usa_admin = Actor("u", "USA admin", PARTNER, "usa-jfhq", Role.ADMIN)
    released = Target("hq", "jpn-new-top", OWNER, Marking.of(OWNER, [PARTNER]), ())
    with pytest.raises(Forbidden) as caught:
        authorize(usa_admin, Action.CREATE, released, hosted={OWNER, PARTNER})
    assert caught.value.code == "not_owner_nation"
    with pytest.raises(Forbidden) as caught:
        authorize(admin, Action.CREATE, _top_level_hq(), hosted={PARTNER})
    assert caught.value.code == "not_hosted"


def test_tracks_are_reported_by_any_hq_of_the_owning_nation() -> None:
    track = Target("track", "JPN-P1-01", OWNER, Marking.national(OWNER))
    adc_staff = Actor("u", "ADC staff", OWNER, "jpn-asdf-adc", Role.STAFF_OFFICER)
    grant = authorize(adc_staff, Action.CHANGE, track, hosted={OWNER})
    assert grant.basis == "JPN staff_officer of jpn-asdf-adc, owner nation (any HQ reports it)"
    for role in (Role.VIEWER, Role.LIAISON_OFFICER, Role.ADMIN):
        with pytest.raises(Forbidden) as caught:
            authorize(
                Actor("u", "x", OWNER, "jpn-jjoc", role), Action.CHANGE, track, hosted={OWNER}
            )
        assert caught.value.code == "role_not_authorized", role
    usa = Actor("u", "US staff", PARTNER, "usa-jfhq", Role.STAFF_OFFICER)
    shared = Target("track", "JPN-P1-01", OWNER, Marking.of(OWNER, [PARTNER]))
    with pytest.raises(Forbidden) as caught:
        authorize(usa, Action.CHANGE, shared, hosted={OWNER, PARTNER})
    assert caught.value.code == "not_owner_nation"


@pytest.mark.parametrize("role", list(Role))
def test_federation_status_is_for_commanders_staff_and_administrators(role: Role) -> None:
    actor = Actor("u", "x", OWNER, "jpn-jjoc", role)
    what = Text("this node", "このノード")
    if role in {Role.COMMANDER, Role.STAFF_OFFICER, Role.ADMIN}:
        require_role(actor, Action.MONITOR, what)
        return
    with pytest.raises(Forbidden) as caught:
        require_role(actor, Action.MONITOR, what)
    assert caught.value.code == "role_not_authorized"
    assert "this node" in caught.value.message.en
    assert "このノード" in caught.value.message.ja


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_the_administrator_administers_the_node(role: Role) -> None:
    with pytest.raises(Forbidden) as caught:
        require_role(Actor("u", "x", OWNER, "jpn-jjoc", role), Action.ADMINISTER, Text("a", "b"))
    assert caught.value.code == "role_not_authorized"


def test_not_in_chain_message_shows_the_chain_top_down() -> None:
    other_hq = Actor("u", "ASDF commander", OWNER, "jpn-asdf-adc", Role.COMMANDER)
    with pytest.raises(Forbidden) as caught:
        authorize(other_hq, Action.CHANGE, _unit(Marking.national(OWNER)), hosted={OWNER})
    assert "jpn-jjoc → jpn-gcc → jpn-11inf" in caught.value.message.en
    assert "jpn-jjoc → jpn-gcc → jpn-11inf" in caught.value.message.ja


def test_can_view_follows_the_marking() -> None:
    usa = Actor("u", "US viewer", PARTNER, "usa-jfhq", Role.VIEWER)
    assert can_view(usa, Marking.of(OWNER, [PARTNER]))
    assert not can_view(usa, Marking.national(OWNER))
