"""Foreign disclosure: without standing guidance a staff officer cannot widen a
release directly (tests/disclosure/test_guidance.py: with it); a
proposal approved by the owning nation's foreign disclosure officer does, as
its own ledger event; narrowing stays immediate; which role approves is a
setting of each node.

Through the API of a served node (JPN and USA authority), as a client sees it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from alliance.config import load_settings
from alliance.core.authority import Role
from alliance.core.errors import Forbidden
from alliance.disclosure import DisclosureDesk, ProposalDecisionIn, ProposalIn
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from tests.api.conftest import Headers, Site, assert_error
from tests.conftest import DatabaseFactory
from tests.federation.helpers import actor

PROPOSALS = "/disclosure/proposals"


def _unit(site: Site, who: Headers, releasable_to: list[str] | None = None) -> dict[str, Any]:
    made = site.client.post(
        "/org/units",
        json={
            "hq_id": "jpn-gcc",
            "name_en": "Exercise Support Company",
            "name_ja": "演習支援中隊",
            "sidc": "SFGPUCIS---H---",
            "domain": "land",
            "marking": {"releasable_to": releasable_to or []},
        },
        headers=who,
    )
    assert made.status_code == 201, made.text
    unit: dict[str, Any] = made.json()
    return unit


def _fdo(site: Site, nation: str = "JPN", hq: str = "jpn-jjoc") -> Headers:
    return site.as_(nation, Role.FOREIGN_DISCLOSURE_OFFICER.value, hq)


def _propose(site: Site, who: Headers, unit_id: str, nations: list[str]) -> Any:
    return site.client.post(
        PROPOSALS,
        json={
            "object_type": "unit",
            "object_id": unit_id,
            "releasable_to": nations,
            "reason": "The partner's liaison cell needs it for the bilateral exercise.",
        },
        headers=who,
    )


def _events(site: Site, who: Headers, kind: str, ident: str) -> list[dict[str, Any]]:
    got = site.client.get(f"/ledger/objects/{kind}/{ident}", headers=who)
    assert got.status_code == 200, got.text
    events: list[dict[str, Any]] = [e["event"] for e in got.json()]
    return events


@pytest.mark.parametrize("role", ["staff_officer", "commander"])
def test_without_guidance_the_chain_of_command_cannot_widen_a_release_directly(
    bare: Site, role: str
) -> None:
    site = bare  # no standing guidance: every widening needs a proposal
    jpn = site.as_("JPN", role, "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    unit = _unit(site, jpn)
    body = assert_error(
        site.client.patch(
            f"/org/units/{unit['id']}", json={"marking": {"releasable_to": ["USA"]}}, headers=jpn
        ),
        403,
        "disclosure_required",
        "marking.releasable_to",
    )
    # The refusal says what to do instead, in both languages.
    assert "POST /api/v1/disclosure/proposals" in body["message"]["en"]
    assert "foreign disclosure officer" in body["message"]["en"]
    assert "対外開示担当官" in body["message"]["ja"]
    # Nothing changed: still national-only, still version 1, nothing recorded.
    again = site.client.get(f"/org/units/{unit['id']}", headers=jpn).json()
    assert again["marking"]["releasable_to"] == ["JPN"]
    assert again["version"] == 1
    assert site.client.get(f"/org/units/{unit['id']}", headers=usa).status_code == 404
    assert [e["kind"] for e in _events(site, jpn, "unit", unit["id"])] == ["org.unit.created"]


def test_narrowing_a_release_stays_immediate(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    unit = _unit(site, jpn, ["USA"])
    assert site.client.get(f"/org/units/{unit['id']}", headers=usa).status_code == 200
    narrowed = site.client.patch(
        f"/org/units/{unit['id']}", json={"marking": {"releasable_to": []}}, headers=jpn
    )
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["marking"]["releasable_to"] == ["JPN"]
    assert site.client.get(f"/org/units/{unit['id']}", headers=usa).status_code == 404


def test_a_proposal_approved_by_the_foreign_disclosure_officer_releases_it(site: Site) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    commander = site.as_("JPN", "commander", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    usa_fdo = _fdo(site, "USA", "usa-jfhq")
    fdo = _fdo(site)
    unit = _unit(site, staff)

    made = _propose(site, staff, unit["id"], ["USA"])
    assert made.status_code == 201, made.text
    proposal = made.json()
    assert proposal["state"] == "proposed"
    assert proposal["releasable_to"] == ["USA"]
    assert proposal["marking"]["releasable_to"] == ["JPN"]  # the owner's own business
    # Proposed is not released: the partner sees neither the unit nor the proposal.
    assert site.client.get(f"/org/units/{unit['id']}", headers=usa).status_code == 404
    assert_error(site.client.get(f"{PROPOSALS}/{proposal['id']}", headers=usa), 404, "not_found")
    assert site.client.get(PROPOSALS, headers=usa).json() == []
    approve = f"{PROPOSALS}/{proposal['id']}/approve"
    # Neither the proposer, nor the commander, nor the partner's officer approves it.
    assert_error(site.client.post(approve, json={}, headers=staff), 403, "disclosure_role_required")
    assert_error(
        site.client.post(approve, json={}, headers=commander), 403, "disclosure_role_required"
    )
    assert_error(site.client.post(approve, json={}, headers=usa_fdo), 404, "not_found")

    approved = site.client.post(approve, json={"note": "Approved for the exercise."}, headers=fdo)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["decision_note"] == "Approved for the exercise."
    seen = site.client.get(f"/org/units/{unit['id']}", headers=usa)
    assert seen.status_code == 200
    assert seen.json()["marking"]["releasable_to"] == ["JPN", "USA"]
    assert seen.json()["marking"]["by_nation"]["USA"]["banner"]["en"] == "CUI//REL TO USA, JPN"

    # Its own ledger events: the object's release and the proposal's approval.
    unit_events = _events(site, staff, "unit", unit["id"])
    assert [e["kind"] for e in unit_events] == ["org.unit.created", "disclosure.released"]
    released = unit_events[-1]
    assert released["authority"]["rule"] == "unit.disclose"
    assert released["marking"]["releasable_to"] == ["JPN", "USA"]
    kinds = [e["kind"] for e in _events(site, staff, "disclosure_proposal", proposal["id"])]
    assert kinds == ["disclosure.proposed", "disclosure.approved"]
    # Decided once.
    assert_error(site.client.post(approve, json={}, headers=fdo), 409, "invalid_state")


def test_a_rejected_proposal_releases_nothing(site: Site) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    fdo = _fdo(site)
    unit = _unit(site, staff)
    proposal = _propose(site, staff, unit["id"], ["USA"]).json()
    rejected = site.client.post(
        f"{PROPOSALS}/{proposal['id']}/reject", json={"note": "Not needed."}, headers=fdo
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    assert site.client.get(f"/org/units/{unit['id']}", headers=usa).status_code == 404
    assert [e["kind"] for e in _events(site, staff, "unit", unit["id"])] == ["org.unit.created"]
    listed = site.client.get(PROPOSALS, params={"state": "rejected"}, headers=staff).json()
    assert [p["id"] for p in listed] == [proposal["id"]]


def test_a_bad_proposal_is_refused_naming_what_was_wrong_and_nothing_is_stored(
    site: Site,
) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    unit = _unit(site, staff, ["USA"])
    bad_type = site.client.post(
        PROPOSALS,
        json={
            "object_type": "spaceship",
            "object_id": unit["id"],
            "releasable_to": ["USA"],
            "reason": "x",
        },
        headers=staff,
    )
    assert_error(bad_type, 422, "invalid_object_type", "object_type")
    assert_error(_propose(site, staff, unit["id"], ["USA"]), 422, "already_released")
    assert_error(_propose(site, staff, "no-such-unit", ["AUS"]), 404, "not_found", "object_id")
    assert_error(_propose(site, viewer, unit["id"], ["AUS"]), 403, "role_not_authorized")
    assert site.client.get(PROPOSALS, headers=staff).json() == []


def test_which_role_approves_is_a_setting_of_each_node(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    """A node whose alliance.toml names the commander: the commander approves,
    the foreign disclosure officer role does not."""
    home = tmp_path / "jpn"
    home.mkdir()
    (home / "alliance.toml").write_text('disclosure_role = "commander"\n', encoding="utf-8")
    settings = load_settings(home, nation="JPN", database_url=new_database())
    assert settings.disclosure_role is Role.COMMANDER
    node = Node.init(settings).start()
    try:
        doc, digest = parse_document(packaged_seed())
        load_document(node.ctx, doc, digest)
        assert node.ctx.disclosure_role is Role.COMMANDER
        desk = node.desk("disclosure", DisclosureDesk)
        staff = actor("JPN", "jpn-mod", Role.STAFF_OFFICER)
        hq = "jpn-mod"  # the top HQ: it names no other object
        data = ProposalIn(
            object_type="hq", object_id=hq, releasable_to=["AUS"], reason="Exercise liaison."
        )
        proposal = desk.propose(staff, data)
        fdo = actor("JPN", "jpn-jjoc", Role.FOREIGN_DISCLOSURE_OFFICER)
        with pytest.raises(Forbidden) as refused:
            desk.approve(fdo, proposal.id, ProposalDecisionIn())
        assert refused.value.code == "disclosure_role_required"
        assert "commander" in refused.value.message.en
        done = desk.approve(
            actor("JPN", "jpn-jjoc", Role.COMMANDER), proposal.id, ProposalDecisionIn()
        )
        assert done.state == "approved"
        # The default node's desk, given the default role, refuses the commander.
        default = DisclosureDesk(replace(node.ctx, disclosure_role=Role.FOREIGN_DISCLOSURE_OFFICER))
        again = desk.propose(staff, data.model_copy(update={"releasable_to": ["GBR"]}))
        with pytest.raises(Forbidden):
            default.approve(
                actor("JPN", "jpn-jjoc", Role.COMMANDER), again.id, ProposalDecisionIn()
            )
    finally:
        node.close()
