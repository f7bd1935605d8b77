"""The stored side of the industry desk through the API, on one node hosting
both nations: datasets hold a nation's own detail only and stay national;
releasing is a commander's decision; a joint plan names one release per
partner; it is approved only when both nations approve its current
revision; its plots and tables come from the stored plan; bad input changes
nothing stored."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from alliance.core.authority import Actor, Role
from alliance.core.errors import Forbidden
from alliance.disclosure import DisclosureDesk, GuidanceIn
from alliance.industry import IndustryDesk, parse_model
from alliance.industry.records import DatasetIn, JointPlanIn, ReleaseIn
from tests.api.conftest import Site, assert_error, site
from tests.conftest import NodeFactory

from .models import own

__all__ = ["site"]

S = "/industry"


def _dataset(site: Site, nation: str, hq: str, **changes: Any) -> dict[str, Any]:
    r = site.client.post(
        f"{S}/datasets",
        json={"name": f"{nation} own lines", "model": own(nation, **changes)},
        headers=site.as_(nation, "staff_officer", hq),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _release(site: Site, nation: str, hq: str, dataset: str, to: str) -> dict[str, Any]:
    r = site.client.post(
        f"{S}/datasets/{dataset}/releases",
        json={"to": [to], "note": "For the joint plan"},
        headers=site.as_(nation, "commander", hq),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_dataset_holds_its_own_nations_detail_only_and_stays_national(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "commander", "usa-jfhq")
    mixed = own("JPN")
    mixed["suppliers"][0]["nation"] = "USA"
    body = assert_error(
        site.client.post(f"{S}/datasets", json={"name": "x", "model": mixed}, headers=jpn),
        422,
        "not_own_detail",
        "model.suppliers.0.nation",
    )
    assert "S-jpn" in body["message"]["en"]
    assert "S-jpn" in body["message"]["ja"]
    assert site.client.get(f"{S}/datasets", headers=jpn).json() == []

    made = _dataset(site, "JPN", "jpn-jjoc")
    assert made["marking"]["releasable_to"] == ["JPN"]
    assert site.client.get(f"{S}/datasets/{made['id']}", headers=usa).status_code == 404
    assert site.client.get(f"{S}/datasets", headers=usa).json() == []
    # No marking may be asked for: the input has none.
    assert_error(
        site.client.post(
            f"{S}/datasets",
            json={"name": "x", "model": own("JPN"), "marking": {"releasable_to": ["USA"]}},
            headers=jpn,
        ),
        422,
        "invalid",
    )

    # Nor may a disclosure proposal widen it: the type is national only.
    assert_error(
        site.client.post(
            "/disclosure/proposals",
            json={"object_type": "industry_dataset", "object_id": made["id"],
                  "releasable_to": ["USA"], "reason": "Share it all"},
            headers=site.as_("JPN", "commander", "jpn-jjoc"),
        ),
        422, "invalid_object_type", "object_type",
    )  # fmt: skip

    # A bad change is refused naming the field; the stored dataset is as it was.
    bad = own("JPN")
    bad["lines"][0]["rate_per_year"] = -5
    assert_error(
        site.client.patch(f"{S}/datasets/{made['id']}", json={"model": bad}, headers=jpn),
        422,
        "invalid",
    )
    after = site.client.get(f"{S}/datasets/{made['id']}", headers=jpn).json()
    assert (after["version"], after["digest"]) == (made["version"], made["digest"])


def test_releasing_is_a_commanders_decision_to_named_partners(site: Site) -> None:
    made = _dataset(site, "JPN", "jpn-jjoc")
    url = f"{S}/datasets/{made['id']}/releases"
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    assert_error(site.client.post(url, json={"to": ["USA"]}, headers=staff), 403,
                 "role_not_authorized")  # fmt: skip
    cdr = site.as_("JPN", "commander", "jpn-jjoc")
    assert_error(site.client.post(url, json={"to": ["JPN"]}, headers=cdr), 422, "invalid", "to")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    assert site.client.post(url, json={"to": ["USA"]}, headers=usa_cdr).status_code == 404
    released = _release(site, "JPN", "jpn-jjoc", made["id"], "USA")
    assert released["marking"]["releasable_to"] == ["JPN", "USA"]
    assert released["name"] == "JPN aggregates"
    seen = site.client.get(f"{S}/releases/{released['id']}", headers=usa_cdr).json()
    assert seen["aggregate"]["lines"][0] == {
        "item": "P",
        "per_period": [2.0, 2.0, 2.0],
        "unit_cost": 10.0,
        "lead_time": None,
    }
    assert "L-jpn" not in str(seen)
    assert "S1" not in str(seen["aggregate"])
    # the decision is in the ledger, with who took it
    events = site.client.get(
        f"/ledger/objects/industry_release/{released['id']}", headers=cdr
    ).json()
    assert [(e["event"]["kind"], e["event"]["authority"]) for e in events] == [
        (
            "industry.release.decided",
            {
                "rule": "industry_release.decide",
                "basis": "JPN commander of jpn-jjoc, owner chain of command",
            },
        )
    ]


def test_a_joint_plan_is_approved_only_when_both_approve_its_current_revision(
    site: Site,
) -> None:
    jset = _dataset(site, "JPN", "jpn-jjoc")
    uset = _dataset(site, "USA", "usa-jfhq")
    urel = _release(site, "USA", "usa-jfhq", uset["id"], "JPN")
    jrel = _release(site, "JPN", "jpn-jjoc", jset["id"], "USA")
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    body = {"title": "Joint", "dataset_id": jset["id"], "release_ids": [jrel["id"]]}
    assert_error(site.client.post(f"{S}/plans", json=body, headers=staff), 422, "invalid",
                 "release_ids.0")  # fmt: skip
    body["release_ids"] = [urel["id"], urel["id"]]
    assert_error(site.client.post(f"{S}/plans", json=body, headers=staff), 422, "invalid",
                 "release_ids.1")  # fmt: skip
    body["release_ids"] = [urel["id"]]
    r = site.client.post(f"{S}/plans", json=body, headers=staff)
    assert r.status_code == 201, r.text
    plan = r.json()
    # Both nations' claimants, JPN's line and USA's released capacity: each
    # needs 4 by March; JPN's line makes 2 a month on 1 seeker a month, USA
    # likewise: 3 each, 1 short each.
    assert plan["participants"] == ["JPN", "USA"]
    assert plan["plan"]["weighted_shortfall"] == 2.0
    # What both see: per nation and item; JPN's own line and supplier stay home.
    shared = plan["plan"]
    assert [s["key"] for s in shared["production"]] == ["JPN/P", "USA/P"]
    assert [s["key"] for s in shared["supply"]] == ["JPN/C", "USA/C"]
    assert "L-jpn" not in str(shared)
    assert "S-jpn" not in str(shared)
    assert shared["bottlenecks"][0]["text"]["en"].startswith("JPN's Seeker supply (combined) is")
    assert shared["bottlenecks"][0]["text"]["ja"].startswith("JPNのシーカー供給（合計）は")
    # ...and the owner alone sees its own in full, solved again from the same inputs.
    detail = site.client.get(f"{S}/plans/{plan['id']}/detail", headers=staff)
    assert detail.status_code == 200, detail.text
    assert [s["key"] for s in detail.json()["production"]] == ["L-jpn/P", "usa-released-P/P"]
    assert detail.json()["weighted_shortfall"] == 2.0
    assert detail.json()["model_hash"] == plan["model_hash"].removeprefix("sha256:")
    assert_error(
        site.client.get(f"{S}/plans/{plan['id']}/detail",
                        headers=site.as_("USA", "commander", "usa-jfhq")),
        403, "not_owner_nation",
    )  # fmt: skip
    assert plan["status"] == "awaiting_approval"
    assert plan["awaiting"] == ["JPN", "USA"]

    url = f"{S}/plans/{plan['id']}/approvals"
    h = plan["content_hash"]
    assert_error(site.client.post(url, json={"content_hash": h}, headers=staff), 403,
                 "role_not_authorized")  # fmt: skip
    jcdr, ucdr = site.as_("JPN", "commander", "jpn-jjoc"), site.as_("USA", "commander", "usa-jfhq")
    assert site.client.post(url, json={"content_hash": h}, headers=ucdr).status_code == 201
    now = site.client.get(f"{S}/plans/{plan['id']}", headers=jcdr).json()
    assert now["awaiting"] == ["JPN"]
    assert site.client.post(url, json={"content_hash": h}, headers=jcdr).status_code == 201
    assert site.client.get(f"{S}/plans/{plan['id']}", headers=ucdr).json()["status"] == "approved"

    # USA withdraws: no longer approved.
    r = site.client.post(url, json={"content_hash": h, "approve": False}, headers=ucdr)
    assert r.status_code == 201
    assert site.client.get(f"{S}/plans/{plan['id']}", headers=jcdr).json()["awaiting"] == ["USA"]

    # A new revision: earlier approvals do not count, an approval of the old hash is refused.
    r = site.client.post(f"{S}/plans/{plan['id']}/revisions", json={}, headers=staff)
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["revision"] == 2
    assert again["content_hash"] != h
    assert again["awaiting"] == ["JPN", "USA"]
    assert again["plan"]["weighted_shortfall"] == 2.0  # same inputs, same plan
    assert again["model_hash"] == plan["model_hash"]
    assert_error(site.client.post(url, json={"content_hash": h}, headers=jcdr), 409,
                 "stale_revision", "content_hash")  # fmt: skip
    # A revision keeps the participants: the plan without USA's release is a new plan.
    own_only = site.client.post(
        f"{S}/plans/{plan['id']}/revisions", json={"release_ids": []}, headers=staff
    )
    assert_error(own_only, 422, "invalid")
    alone = site.client.post(
        f"{S}/plans", json={"title": "JPN alone", "dataset_id": jset["id"], "release_ids": []},
        headers=staff,
    ).json()  # fmt: skip
    assert alone["participants"] == ["JPN"]
    assert alone["marking"]["releasable_to"] == ["JPN"]
    assert_error(
        site.client.post(f"{S}/plans/{alone['id']}/revisions",
                         json={"release_ids": [urel["id"]]}, headers=staff),
        422, "invalid", "release_ids",
    )  # fmt: skip
    assert site.client.get(f"{S}/plans/{alone['id']}", headers=staff).json()["revision"] == 1
    # Only the owner solves it again.
    assert_error(
        site.client.post(f"{S}/plans/{plan['id']}/revisions", json={},
                         headers=site.as_("USA", "staff_officer", "usa-jfhq")),
        403, "not_owner_nation",
    )  # fmt: skip
    # Once the dataset changes, the detail of this revision cannot be had again:
    # said, not solved on other data; a revision on the dataset by name can.
    changed = own("JPN")
    changed["lines"][0]["rate_per_year"] = 36
    r = site.client.patch(f"{S}/datasets/{jset['id']}", json={"model": changed}, headers=staff)
    assert r.status_code == 200, r.text
    assert_error(site.client.get(f"{S}/plans/{plan['id']}/detail", headers=staff), 409,
                 "inputs_changed")  # fmt: skip
    assert_error(site.client.post(f"{S}/plans/{plan['id']}/revisions", json={}, headers=staff),
                 422, "invalid", "dataset_id")  # fmt: skip
    r = site.client.post(
        f"{S}/plans/{plan['id']}/revisions", json={"dataset_id": jset["id"]}, headers=staff
    )
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == 3
    assert r.json()["model_hash"] != plan["model_hash"]
    assert site.client.get(f"{S}/plans/{plan['id']}/detail", headers=staff).status_code == 200


def test_the_stored_plan_gives_its_plots_and_tables(site: Site) -> None:
    jset = _dataset(site, "JPN", "jpn-jjoc")
    uset = _dataset(site, "USA", "usa-jfhq")
    urel = _release(site, "USA", "usa-jfhq", uset["id"], "JPN")
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    body = {"title": "Joint", "dataset_id": jset["id"], "release_ids": [urel["id"]]}
    plan = site.client.post(f"{S}/plans", json=body, headers=staff).json()
    usa = site.as_("USA", "viewer", "usa-jfhq")
    base = f"{S}/plans/{plan['id']}"
    svg = site.client.get(f"{base}/plots/deliveries.svg", headers=usa)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text
    png = site.client.get(f"{base}/plots/shortfall.png", headers=usa)
    assert png.content.startswith(b"\x89PNG")
    assert site.client.get(f"{base}/plots/nothing.svg", headers=usa).status_code == 422
    csv = site.client.get(f"{base}/export.csv", headers=usa)
    assert csv.status_code == 200
    assert "K-jpn" in csv.text
    xlsx = site.client.get(f"{base}/export.xlsx", headers=usa)
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames


def test_without_guidance_for_joint_plans_none_is_solved_or_stored(
    make_node: NodeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Releasing a plan to a partner is a disclosure like any other: with
    guidance for releases and none for plans, the plan is refused (before the
    solve) and nothing is stored."""
    node = make_node("JPN", hosted=["USA"], guidance=False)
    fdo = Actor("fdo-usa", "USA FDO", "USA", "usa-jfhq", Role.FOREIGN_DISCLOSURE_OFFICER)
    node.desk("disclosure", DisclosureDesk).issue_guidance(
        fdo, GuidanceIn(object_types=["industry_release"], releasable_to=["JPN"], note="Test")
    )
    desk = node.desk("industry", IndustryDesk)
    usa = Actor("cdr-usa", "USA commander", "USA", "usa-jfhq", Role.COMMANDER)
    jpn = Actor("cdr-jpn", "JPN commander", "JPN", "jpn-jjoc", Role.COMMANDER)
    theirs = desk.create_dataset(usa, DatasetIn(name="USA", model=parse_model(own("USA"))))
    released = desk.release(usa, theirs.id, ReleaseIn(to=["JPN"]))
    mine = desk.create_dataset(jpn, DatasetIn(name="JPN", model=parse_model(own("JPN"))))

    def no_solve(*_args: object, **_kw: object) -> None:
        raise AssertionError("solved a plan it could not store")

    monkeypatch.setattr("alliance.industry.joint.solve", no_solve)
    with pytest.raises(Forbidden) as refused:
        desk.create_plan(jpn, JointPlanIn(title="x", dataset_id=mine.id, release_ids=[released.id]))
    assert refused.value.code == "disclosure_required"
    assert desk.plans(jpn) == []
