"""Authority rules the desks ask ``core.authority`` for: who takes part in a
coordination, who speaks for a nation in it, whose concurrence commits a nation,
and who acts on the node itself. Table-driven: role × nation × chain."""

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
    authorize_node,
    concurrence_counts,
    in_chain,
    require_member,
    require_participant,
    require_speaks_for,
)
from alliance.core.errors import Forbidden
from alliance.core.i18n import Text
from alliance.core.markings import Marking

REQUEST = Text("request", "要請")
# A JPN request sent from the Ground Component Command to the US joint force HQ:
# each participating nation takes part through one HQ, nearest first in its chain.
CHAINS = {"JPN": ("jpn-gcc", "jpn-jjoc"), "USA": ("usa-jfhq", "usa-indopacom")}
PARTICIPANTS = {nation: chain[0] for nation, chain in CHAINS.items()}
OUTSIDE = {"JPN": "jpn-adc", "USA": "usa-5af", "KOR": "kor-jcs"}
WHERE = ("speaker", "superior", "outside")
NATIONS = ("JPN", "USA", "KOR")  # sender, addressee, a third nation it is released to


@dataclass(frozen=True)
class Answer:
    """One nation's answer to the request, as the ACM desk checks it."""

    role: Role
    nation: str
    where: str  # the actor's HQ is the one its nation takes part through, above it, or outside
    kind: str  # "comment", "acknowledge" or "position" (concur / non-concur / counter)

    @property
    def id(self) -> str:
        return f"{self.role.value}-{self.nation}-{self.where}-{self.kind}"

    def actor(self) -> Actor:
        chain = CHAINS.get(self.nation)
        if chain is None or self.where == "outside":
            hq = OUTSIDE[self.nation]
        else:
            hq = chain[0] if self.where == "speaker" else chain[1]
        return Actor("u1", "Test User", self.nation, hq, self.role)

    def expected(self) -> str | None:
        """The refusal the policy demands, or None."""
        if self.kind != "comment" and self.nation not in PARTICIPANTS:
            return "not_participant"
        if self.kind == "position" and (self.nation not in CHAINS or self.where == "outside"):
            return "not_in_chain"
        action = Action.CONCUR if self.kind == "position" else Action.COMMENT
        allowed = {
            Action.CONCUR: {Role.COMMANDER},
            Action.COMMENT: {Role.COMMANDER, Role.STAFF_OFFICER, Role.LIAISON_OFFICER},
        }[action]
        return None if self.role in allowed else "role_not_authorized"


ANSWERS = [
    Answer(*combo)
    for combo in itertools.product(
        list(Role), NATIONS, WHERE, ("comment", "acknowledge", "position")
    )
]


def _answer(case: Answer) -> None:
    """The checks in the order the ACM desk makes them."""
    actor = case.actor()
    if case.kind != "comment":
        require_participant(actor, PARTICIPANTS, REQUEST)
    if case.kind == "position":
        speaker = PARTICIPANTS[actor.nation]
        require_speaks_for(actor, speaker, CHAINS[actor.nation], REQUEST)
    action = Action.CONCUR if case.kind == "position" else Action.COMMENT
    marking = Marking.of("JPN", ["USA", "KOR"])
    authorize(actor, action, Target("coordination request", "r1", "JPN", marking), hosted={"JPN"})


@pytest.mark.parametrize("case", ANSWERS, ids=[c.id for c in ANSWERS])
def test_who_may_answer_a_coordination_request(case: Answer) -> None:
    expected = case.expected()
    if expected is None:
        _answer(case)
        return
    with pytest.raises(Forbidden) as caught:
        _answer(case)
    err = caught.value
    assert err.code == expected
    assert err.message.en
    assert err.message.ja
    assert err.message.en != err.message.ja


def test_the_answer_table_covers_every_outcome() -> None:
    outcomes = {c.expected() for c in ANSWERS}
    assert outcomes == {None, "not_participant", "not_in_chain", "role_not_authorized"}


def test_a_third_nation_may_comment_but_not_acknowledge_or_take_a_position() -> None:
    kor = Actor("u", "KOR commander", "KOR", "kor-jcs", Role.COMMANDER)
    with pytest.raises(Forbidden) as caught:
        require_participant(kor, PARTICIPANTS, REQUEST)
    assert caught.value.code == "not_participant"
    assert "KOR is not a participant in this request" in caught.value.message.en
    assert "要請" in caught.value.message.ja


def test_a_position_names_the_hq_that_speaks_for_the_nation() -> None:
    adc = Actor("u", "ADC commander", "JPN", "jpn-adc", Role.COMMANDER)
    with pytest.raises(Forbidden) as caught:
        require_speaks_for(adc, "jpn-gcc", CHAINS["JPN"], REQUEST)
    assert caught.value.code == "not_in_chain"
    assert "must come from jpn-gcc or a superior HQ" in caught.value.message.en
    assert "jpn-gcc" in caught.value.message.ja


@pytest.mark.parametrize(
    ("nation", "member"), [("JPN", True), ("USA", True), ("KOR", False), ("AUS", False)]
)
def test_only_a_member_nation_acts_in_a_working_group(nation: str, member: bool) -> None:
    """Scheduling meetings and holding action items is for member nations; a
    nation the group is merely released to reads it."""
    group = Text("working group", "作業部会")
    actor = Actor("u", f"{nation} commander", nation, f"{nation.lower()}-hq", Role.COMMANDER)
    if member:
        require_member(actor, {"JPN", "USA"}, group)
        return
    with pytest.raises(Forbidden) as caught:
        require_member(actor, {"JPN", "USA"}, group)
    assert caught.value.code == "not_member"
    assert f"{nation} is not a member of this working group" in caught.value.message.en
    assert "作業部会のメンバーではありません" in caught.value.message.ja


@pytest.mark.parametrize(
    ("hq", "chain", "inside"),
    [
        ("jpn-gcc", ("jpn-gcc", "jpn-jjoc"), True),
        ("jpn-jjoc", ("jpn-gcc", "jpn-jjoc"), True),
        ("jpn-adc", ("jpn-gcc", "jpn-jjoc"), False),
        ("jpn-gcc", (), False),
    ],
)
def test_in_chain_is_membership_of_the_hq_in_the_chain(
    hq: str, chain: tuple[str, ...], inside: bool
) -> None:
    assert in_chain(Actor("u", "x", "JPN", hq, Role.COMMANDER), chain) is inside


@pytest.mark.parametrize("role", list(Role))
def test_only_a_concurrence_by_a_role_that_may_concur_counts_towards_a_decision(
    role: Role,
) -> None:
    may_concur = True
    try:
        authorize(
            Actor("u", "x", "USA", "usa-jfhq", role),
            Action.CONCUR,
            Target("coordination request", "r1", "JPN", Marking.of("JPN", ["USA"])),
            hosted={"JPN"},
        )
    except Forbidden:
        may_concur = False
    assert concurrence_counts(role.value) is may_concur
    assert may_concur is (role is Role.COMMANDER)


def test_a_concurrence_recorded_with_an_unknown_role_does_not_count() -> None:
    assert not concurrence_counts("general")
    assert not concurrence_counts("")


@dataclass(frozen=True)
class NodeCase:
    role: Role
    action: Action
    hosted: bool  # the actor's nation is one this node hosts

    @property
    def id(self) -> str:
        return f"{self.role.value}-{self.action.value}-{'hosted' if self.hosted else 'unhosted'}"

    def expected(self) -> str | None:
        allowed = {
            Action.ADMINISTER: {Role.ADMIN},
            Action.MONITOR: {Role.COMMANDER, Role.STAFF_OFFICER, Role.ADMIN},
        }[self.action]
        if self.role not in allowed:
            return "role_not_authorized"
        return None if self.hosted else "not_hosted"


NODE_CASES = [
    NodeCase(*combo)
    for combo in itertools.product(list(Role), (Action.ADMINISTER, Action.MONITOR), (True, False))
]


@pytest.mark.parametrize("case", NODE_CASES, ids=[c.id for c in NODE_CASES])
def test_who_acts_on_the_node_itself(case: NodeCase) -> None:
    actor = Actor("u", "x", "JPN", "jpn-jjoc", case.role)
    hosted = {"JPN", "USA"} if case.hosted else {"USA"}
    expected = case.expected()
    if expected is None:
        grant = authorize_node(actor, case.action, hosted=hosted)
        assert grant.rule == f"node.{case.action.value}"
        assert grant.basis.startswith("JPN ")
        return
    with pytest.raises(Forbidden) as caught:
        authorize_node(actor, case.action, hosted=hosted)
    assert caught.value.code == expected
    if expected == "role_not_authorized":
        assert "this node" in caught.value.message.en
        assert "このノード" in caught.value.message.ja


@pytest.mark.parametrize(
    "action", [a for a in Action if a not in {Action.ADMINISTER, Action.MONITOR}]
)
def test_authorize_node_is_only_for_actions_on_the_node(action: Action) -> None:
    with pytest.raises(ValueError, match="not an action on the node"):
        authorize_node(Actor("u", "x", "JPN", "jpn-jjoc", Role.ADMIN), action, hosted={"JPN"})
