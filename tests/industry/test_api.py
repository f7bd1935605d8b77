"""``POST /api/v1/industry/solve`` and ``GET /api/v1/industry/example``:
authenticated, bad models refused naming the field in both languages, nothing
stored, and a bound on solves running at once."""

from __future__ import annotations

from alliance.industry import IndustryDesk
from tests.api.conftest import Site, assert_error, site

from .models import hand

__all__ = ["site"]

S = "/industry"


def test_a_solve_answers_the_plans_and_their_plots(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    scenario = {"id": "more", "name_en": "More seekers", "name_ja": "シーカー増",
                "changes": [{"kind": "scale", "target": "C", "factor": 2, "start": "2026-02"}]}  # fmt: skip
    r = site.client.post(
        f"{S}/solve", json={"model": hand(), "scenarios": [scenario], "plots": True}, headers=jpn
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body["plans"]) == ["baseline", "more"]
    assert body["plans"]["baseline"]["weighted_shortfall"] == 1.0
    assert body["plans"]["more"]["weighted_shortfall"] == 0.0
    assert body["plans"]["baseline"]["bottlenecks"][0]["text"]["ja"].startswith(
        "供給元「シーカー製造」"
    )
    for sid in ("baseline", "more"):
        assert set(body["plots"][sid]) == {"production", "deliveries", "shortfall", "bottlenecks"}
        assert body["plots"][sid]["deliveries"].lstrip().startswith("<?xml")
    assert site.client.post(f"{S}/solve", json={"model": hand()}).status_code == 401


def test_a_bad_or_impossible_model_is_refused_naming_the_input(site: Site) -> None:
    usa = site.as_("USA", "commander", "usa-jfhq")
    bad = hand()
    bad["lines"][0]["rate_per_year"] = -5
    body = assert_error(
        site.client.post(f"{S}/solve", json={"model": bad}, headers=usa), 422, "invalid"
    )
    assert "rate_per_year" in str(body)
    cyclic = hand(suppliers=[])
    body = assert_error(
        site.client.post(f"{S}/solve", json={"model": cyclic}, headers=usa),
        422,
        "invalid_model",
        "bom.0",
    )
    assert "シーカー" in body["message"]["ja"]
    firm = hand()
    firm["requirements"][0]["firm"] = True
    body = assert_error(
        site.client.post(f"{S}/solve", json={"model": firm}, headers=usa),
        422,
        "infeasible_model",
        "requirements.0",
    )
    assert "[suppliers.0]" in body["message"]["en"]
    assert "HiGHS" not in body["message"]["en"]


def test_the_example_is_the_illustrative_model(site: Site) -> None:
    r = site.client.get(f"{S}/example", headers=site.as_("JPN", "viewer", "jpn-jjoc"))
    assert r.status_code == 200
    assert r.json()["illustrative"] is True
    assert "fictional" in r.json()["name_en"]


def test_solves_beyond_the_bound_are_refused_until_one_ends(site: Site) -> None:
    desk = site.node.desk("industry", IndustryDesk)
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    held = [desk._slots.acquire(blocking=False) for _ in range(2)]  # two solves under way
    assert held == [True, True]
    try:
        body = assert_error(
            site.client.post(f"{S}/solve", json={"model": hand()}, headers=jpn), 503, "solver_busy"
        )
        assert "2" in body["message"]["en"]
    finally:
        for _ in held:
            desk._slots.release()
    assert site.client.post(f"{S}/solve", json={"model": hand()}, headers=jpn).status_code == 200
