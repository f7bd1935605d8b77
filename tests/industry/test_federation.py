"""Joint planning across two sovereign nodes (each on the selected backend,
federated over mutual TLS on loopback).

JPN stores its own detail and releases its aggregates to USA; USA solves on
its own detail plus that release and gets the plan of the combined model (the
aggregates are exact); the plan is approved only once both nations approve
the same revision; and JPN's lines, sites, suppliers and costs never reach
USA's database nor USA's API — whatever JPN's detail is (a property test
through the API and federation)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.core.authority import Actor, Role
from alliance.core.errors import Conflict
from alliance.industry import IndustryDesk, solve
from alliance.industry.records import (
    DatasetIn,
    JointApprovalIn,
    JointPlanIn,
    JointPlanRevise,
    ReleaseIn,
)
from alliance.industry.sovereign import own_part
from alliance.node import Node
from tests.api.conftest import ServeFn
from tests.conftest import NodeFactory, add_people
from tests.federation.helpers import mentions, served_pair, wait_drained, wait_until

from .models import own
from .test_sovereign import _combined

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}


def _as(nation: str, role: Role = Role.COMMANDER) -> Actor:
    return Actor(
        f"{role.value}-{nation.lower()}", f"{nation} {role.value}", nation, HQ[nation], role
    )


def _desk(node: Node) -> IndustryDesk:
    return node.desk("industry", IndustryDesk)


def test_usa_plans_on_its_detail_and_jpns_release_as_the_combined_model_and_both_approve(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    combined = _combined()
    jdesk, udesk = _desk(jpn), _desk(usa)
    staff = Role.STAFF_OFFICER
    jset = jdesk.create_dataset(
        _as("JPN", staff), DatasetIn(name="JPN lines", model=own_part(combined, "JPN"))
    )
    released = jdesk.release(_as("JPN"), jset.id, ReleaseIn(to=["USA"], note="For the JPN-US plan"))
    uset = udesk.create_dataset(
        _as("USA", staff), DatasetIn(name="USA lines", model=own_part(combined, "USA"))
    )
    wait_drained(jpn, [usa], timeout=30)

    plan = udesk.create_plan(
        _as("USA", staff),
        JointPlanIn(title="PAC-3 and AMRAAM", dataset_id=uset.id, release_ids=[released.id],
                    time_limit_s=60),
    )  # fmt: skip
    whole = solve(combined)
    assert plan.participants == ["JPN", "USA"]
    assert plan.plan.weighted_shortfall == pytest.approx(
        whole.weighted_shortfall, rel=1e-9, abs=1e-6
    )
    assert plan.plan.cost == pytest.approx(whole.cost, rel=1e-7)
    assert sum(c.delivered for c in plan.plan.claimants) == pytest.approx(
        sum(c.delivered for c in whole.claimants), rel=1e-9
    )

    # JPN's detail is nowhere in USA's database: not its dataset, not a line,
    # site, supplier or name of it; only the release (aggregates) came.
    needles = [x.id for x in combined.lines if x.nation == "JPN"]
    needles += [x.site for x in combined.lines if x.nation == "JPN"]
    needles += [x.name_en for x in combined.lines if x.nation == "JPN"]
    needles += [x.id for x in combined.suppliers if x.nation == "JPN"]
    needles += [x.name_en for x in combined.suppliers if x.nation == "JPN"]
    needles += [jset.id, jset.name]  # (its digest is: a hash tells nothing of the content)
    assert mentions(usa, needles) == []
    assert [d.id for d in udesk.datasets(_as("USA"))] == [uset.id]
    assert {r.id for r in udesk.releases(_as("USA"))} == {released.id}

    # Approved only when both nations approve the same revision.
    wait_drained(usa, [jpn], timeout=30)
    wait_until(lambda: bool(jdesk.plans(_as("JPN"))), 15, "the plan to reach JPN")
    seen = jdesk.plan(_as("JPN"), plan.id)
    assert seen.content_hash == plan.content_hash
    assert seen.awaiting == ["JPN", "USA"]
    jdesk.approve(_as("JPN"), plan.id, JointApprovalIn(content_hash=seen.content_hash))
    assert jdesk.plan(_as("JPN"), plan.id).awaiting == ["USA"]
    udesk.approve(_as("USA"), plan.id, JointApprovalIn(content_hash=plan.content_hash))
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)
    for desk, nation in ((jdesk, "JPN"), (udesk, "USA")):
        assert desk.plan(_as(nation), plan.id).status == "approved", nation

    # A new revision needs both approvals again; the old ones do not count.
    again = udesk.revise_plan(_as("USA", staff), plan.id, JointPlanRevise(time_limit_s=60))
    assert again.revision == 2
    assert again.content_hash != plan.content_hash
    assert again.status == "awaiting_approval"
    assert again.awaiting == ["JPN", "USA"]
    wait_drained(usa, [jpn], timeout=30)
    with pytest.raises(Conflict, match="revision 2"):
        jdesk.approve(_as("JPN"), plan.id, JointApprovalIn(content_hash=plan.content_hash))


_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=8, max_size=12)


@st.composite
def _jpn_detail(draw: st.DrawFn) -> dict[str, Any]:
    """JPN's own detail with secret names: its line and supplier named by
    random tokens, at random rates and costs."""
    secret = [f"secret{draw(_TOKEN)}{i}" for i in range(4)]
    data = own("JPN")
    line, supplier = data["lines"][0], data["suppliers"][0]
    line.update(site=secret[0], name_en=secret[1], name_ja=secret[1],
                rate_per_year=draw(st.integers(1, 60)),
                unit_cost={"P": draw(st.floats(1, 1000, allow_nan=False))})  # fmt: skip
    supplier.update(name_en=secret[2], name_ja=secret[2], id=secret[3],
                    rate_per_year=draw(st.integers(1, 60)))  # fmt: skip
    return data


def test_a_partner_never_sees_detail_it_was_not_given_through_the_api_and_federation(
    make_node: NodeFactory, serve: ServeFn
) -> None:
    jpn, usa = served_pair(make_node)
    jp, us = add_people(jpn), add_people(usa)
    japi, uapi = serve(jpn), serve(usa)
    j_staff, j_cdr = jp("JPN", "staff_officer", "jpn-jjoc"), jp("JPN", "commander", "jpn-jjoc")
    u_staff = us("USA", "staff_officer", "usa-jfhq")
    usa_model = own("USA")
    usa_model["lines"][0].update(id="usasecretline", site="usasecretsite", name_en="usasecretname")
    usa_model["suppliers"][0].update(id="usasecretsupplier", name_en="usasecretseeker")
    usa_secrets = ["usasecretline", "usasecretsite", "usasecretname", "usasecretsupplier",
                   "usasecretseeker"]  # fmt: skip
    r = uapi.post("/industry/datasets", headers=u_staff,
                  json={"name": "USA", "model": usa_model})  # fmt: skip
    assert r.status_code == 201, r.text
    usa_set = r.json()["id"]
    secrets: list[str] = []

    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(detail=_jpn_detail())
    def released_only_as_aggregates(detail: dict[str, Any]) -> None:
        line, supplier = detail["lines"][0], detail["suppliers"][0]
        secrets.extend([line["site"], line["name_en"], supplier["name_en"], supplier["id"]])
        r = japi.post("/industry/datasets", headers=j_staff,
                      json={"name": "JPN own", "model": detail})  # fmt: skip
        assert r.status_code == 201, r.text
        ident = r.json()["id"]
        # A staff officer may not release; the commander decides.
        body = {"to": ["USA"], "note": "joint plan"}
        assert japi.post(f"/industry/datasets/{ident}/releases", headers=j_staff,
                         json=body).status_code == 403  # fmt: skip
        r = japi.post(f"/industry/datasets/{ident}/releases", headers=j_cdr, json=body)
        assert r.status_code == 201, r.text
        release = r.json()
        wait_drained(jpn, [usa], timeout=30)
        # USA's API: the dataset does not exist there; the release does, as aggregates.
        assert uapi.get(f"/industry/datasets/{ident}", headers=u_staff).status_code == 404
        got = uapi.get(f"/industry/releases/{release['id']}", headers=u_staff)
        assert got.status_code == 200, got.text
        cap = got.json()["aggregate"]["lines"][0]["per_period"]
        assert cap == pytest.approx([line["rate_per_year"] / 12] * 3)
        r = uapi.post("/industry/plans", headers=u_staff,
                      json={"title": "joint", "dataset_id": usa_set,
                            "release_ids": [release["id"]], "time_limit_s": 30})  # fmt: skip
        assert r.status_code == 201, r.text
        answers = [r.text] + [
            uapi.get(f"/industry/{what}", headers=u_staff).text
            for what in ("datasets", "releases", "plans")
        ]
        for secret in secrets:
            assert all(secret not in a for a in answers), secret
        assert mentions(usa, secrets) == []

    released_only_as_aggregates()
    # ...while JPN's own node holds them all. The other way round, USA's
    # joint plans reached JPN (released to it) with none of USA's own detail.
    assert len(mentions(jpn, secrets)) >= len(secrets)
    wait_drained(usa, [jpn], timeout=30)
    plans = japi.get("/industry/plans", headers=j_cdr).json()
    assert len(plans) == 6
    assert all(p["owner"] == "USA" for p in plans)
    assert mentions(jpn, usa_secrets) == []
    assert len(mentions(usa, usa_secrets)) >= len(usa_secrets)
