"""Authority: parallel command. Only the owner's chain changes, approves or tasks;
a partner requests, comments and concurs on what is released to it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from alliance.core.authority import Action, Actor, Role, Target, authorize, can_view
from alliance.core.errors import Forbidden
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
    },
    Role.STAFF_OFFICER: {
        Action.VIEW,
        Action.CREATE,
        Action.CHANGE,
        Action.REQUEST,
        Action.COMMENT,
    },
    Role.LIAISON_OFFICER: {Action.VIEW, Action.REQUEST, Action.COMMENT},
    Role.VIEWER: {Action.VIEW},
    Role.ADMIN: {Action.VIEW, Action.ADMINISTER},
}
# Commanding acts: only the owning nation's chain of command, only on its node.
COMMAND = {Action.CREATE, Action.CHANGE, Action.APPROVE, Action.TASK, Action.DECIDE}


@dataclass(frozen=True)
class Case:
    role: Role
    action: Action
    own: bool  # actor is of the owning nation
    in_chain: bool  # actor's HQ is in the object's chain of command
    hosted: bool  # this node holds the owning nation's authority
    released: bool  # the object is released to the partner

    @property
    def id(self) -> str:
        return "-".join(
            [
                self.role.value,
                self.action.value,
                "own" if self.own else "partner",
                "in" if self.in_chain else "out",
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
        hq = CHAIN[1] if self.in_chain else ("jpn-asdf-adc" if self.own else "usa-jfhq")
        return Actor("u1", "Test User", nation, hq, self.role)

    def target(self) -> Target:
        marking = Marking.of(OWNER, [PARTNER] if self.released else [])
        return Target("unit", "jpn-11inf-bn1", OWNER, marking, CHAIN)

    def expected(self) -> str | None:
        """The error code the policy demands, or None when the action is allowed."""
        nation = OWNER if self.own else PARTNER
        if not self.own and not self.released:
            return "not_released"
        if self.action not in ROLE_MAY[self.role]:
            return "role_not_authorized"
        if self.action in COMMAND:
            if not self.own:
                return "not_owner_nation"
            if not self.hosted:
                return "not_hosted"
            if not self.in_chain:
                return "not_in_chain"
        if self.action is Action.ADMINISTER and nation not in self.hosted_nations:
            return "not_hosted"
        return None


CASES = [
    Case(*combo)
    for combo in itertools.product(
        list(Role), list(Action), [True, False], [True, False], [True, False], [True, False]
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
            assert ("owner" if case.own else "partner") in grant.basis
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


def test_partner_liaison_may_request_and_the_grant_says_partner() -> None:
    liaison = Actor("u", "US LNO", PARTNER, "usa-jfhq", Role.LIAISON_OFFICER)
    grant = authorize(liaison, Action.REQUEST, _unit(Marking.of(OWNER, [PARTNER])), hosted={OWNER})
    assert grant.rule == "unit.request"
    assert "partner" in grant.basis
    assert grant.to_json() == {"rule": grant.rule, "basis": grant.basis}


def test_unreleased_object_is_not_even_admitted_to_exist_for_a_partner() -> None:
    viewer = Actor("u", "US viewer", PARTNER, "usa-jfhq", Role.VIEWER)
    with pytest.raises(Forbidden) as caught:
        authorize(viewer, Action.VIEW, _unit(Marking.national(OWNER)), hosted={OWNER})
    assert caught.value.code == "not_released"


def test_superior_hq_in_the_chain_may_change_a_subordinate_object() -> None:
    jjoc = Actor("u", "JJOC commander", OWNER, "jpn-jjoc", Role.COMMANDER)
    grant = authorize(jjoc, Action.CHANGE, _unit(Marking.national(OWNER)), hosted={OWNER})
    assert "owner chain of command" in grant.basis


def test_empty_chain_lets_any_hq_of_the_owner_act() -> None:
    other_hq = Actor("u", "ASDF commander", OWNER, "jpn-asdf-adc", Role.COMMANDER)
    grant = authorize(other_hq, Action.APPROVE, _unit(Marking.national(OWNER), ()), hosted={OWNER})
    assert grant.rule == "unit.approve"


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
