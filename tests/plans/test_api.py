"""The plans API, end to end on a served node (JPN and USA authority): the
plan's life over HTTP, the partner's refused edit as the one error shape, the
diff by query, and the matrix as JSON, SVG and PNG."""

from __future__ import annotations

from tests.api.conftest import Site, assert_error, site

from .helpers import JPN_UNIT, USA_UNIT

__all__ = ["site"]

P = "/plans"  # the client is based at /api/v1


def test_a_plan_over_the_api_from_draft_to_executed(site: Site) -> None:
    c = site.client
    jcdr, ucdr = site.as_("JPN", "commander", "jpn-jjoc"), site.as_("USA", "commander", "usa-jfhq")
    created = c.post(
        P,
        headers=jcdr,
        json={
            "kind": "exercise",
            "title": "Bilateral air defense exercise plan",
            "title_ja": "日米防空訓練計画",
            "hq_id": "jpn-jjoc",
            "participants": [
                {"nation": "JPN", "hq_id": "jpn-jjoc"},
                {"nation": "USA", "hq_id": "usa-jfhq"},
            ],
            "phases": [{"id": "ph-1", "name": "Phase I", "name_ja": "第I段階"}],
            "marking": {"releasable_to": ["USA"]},
        },
    )
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["status"] == "draft"
    assert plan["classification"]["ja"].startswith("実際の作戦計画は秘区分")
    pid = plan["id"]
    lines = {}
    for who, unit in ((jcdr, JPN_UNIT), (ucdr, USA_UNIT)):
        got = c.post(
            f"{P}/{pid}/lines",
            headers=who,
            json={"kind": "task", "phase_id": "ph-1", "title": f"Task {unit}", "unit_ids": [unit]},
        )
        assert got.status_code == 201, got.text
        lines[unit] = got.json()["id"]

    # JPN's staff may not edit USA's line: the one error shape, in both languages.
    refused = c.patch(
        f"{P}/lines/{lines[USA_UNIT]}",
        headers=site.as_("JPN", "staff_officer", "jpn-jjoc"),
        json={"title": "Rewritten by JPN"},
    )
    assert_error(refused, 403, "not_owner_nation")

    digest = c.get(f"{P}/{pid}", headers=jcdr).json()["content_hash"]
    for who in (jcdr, ucdr):
        approved = c.post(f"{P}/{pid}/approvals", headers=who, json={"content_hash": digest})
        assert approved.status_code == 201, approved.text
    assert c.get(f"{P}/{pid}", headers=jcdr).json()["status"] == "approved"
    for who in (jcdr, ucdr):
        done = c.post(f"{P}/{pid}/execute", headers=who, json={"content_hash": digest})
        assert done.status_code == 201, done.text
        assert len(done.json()["tasking_ids"]) == 1
    assert c.get(f"{P}/{pid}", headers=ucdr).json()["status"] == "executed"

    diff = c.get(f"{P}/{pid}/diff", headers=jcdr, params={"from": 1, "to": 3})
    assert diff.status_code == 200, diff.text
    assert [ch["change"] for ch in diff.json()["changes"]] == ["added", "added"]
    bad = c.get(f"{P}/{pid}/diff", headers=jcdr, params={"from": 9})
    assert_error(bad, 422, "unknown_revision", "from")

    matrix = c.get(f"{P}/{pid}/sync", headers=jcdr).json()
    assert [r["nation"] for r in matrix["rows"]] == ["JPN", "USA"]
    svg = c.get(f"{P}/{pid}/sync.svg", headers=jcdr)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert "日米防空訓練計画" in svg.text
    png = c.get(f"{P}/{pid}/sync.png", headers=jcdr)
    assert png.headers["content-type"] == "image/png"
    assert png.content[:4] == b"\x89PNG"
