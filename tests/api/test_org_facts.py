"""``GET /org/facts``: every public fact with its sources and as-of date; the
exercise assumptions apart, labelled as fictional."""

from __future__ import annotations

from typing import Any

from .conftest import Site, assert_error


def _facts(site: Site, nation: str = "JPN", hq: str = "jpn-jjoc") -> dict[str, Any]:
    response = site.client.get("/org/facts", headers=site.as_(nation, "viewer", hq))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_facts_need_a_signed_in_user(site: Site) -> None:
    assert_error(site.client.get("/org/facts"), 401, "no_token")
    bad = {"Authorization": "Bearer not-a-token"}
    assert site.client.get("/org/facts", headers=bad).status_code == 401


def test_every_public_fact_comes_with_its_sources_and_as_of_date(site: Site) -> None:
    body = _facts(site)
    assert body["title"]["ja"] == "日米の指揮組織（公開情報）"
    facts = {f["id"]: f for f in body["public"]}
    assert len(facts) > 40
    for f in facts.values():
        for field in ("name", "value"):
            assert f[field]["en"], f["id"]
            assert f[field]["ja"], f["id"]
        assert f["as_of"], f["id"]
        assert f["sources"], f"{f['id']} shows no source"
        for s in f["sources"]:
            assert s["url"].startswith(("https://", "http://")), s
            assert s["title"], s
            assert s["publisher"], s
            assert s["read"] == "2026-12-02", s
            assert s["kind"] in {"primary", "secondary"}, s
            assert s["kind_label"]["ja"] in {"一次資料", "二次資料"}, s
    usfj = facts["usa-jfhq"]
    assert usfj["name"] == {"en": "U.S. Forces Japan", "ja": "在日米軍司令部"}
    assert usfj["parent"] == "usa-indopacom"
    assert usfj["kind_label"]["en"] == "subordinate unified command"
    assert usfj["sources"][0]["kind"] == "primary"
    assert "mod.go.jp" in usfj["sources"][0]["url"]
    assert usfj["as_of"] == "2025-10-29"
    phase_one = facts["usa-jfhq-phase-1"]
    assert (phase_one["valid_from"], phase_one["valid_to"]) == ("2025-03-30", "2025-10-29")
    dual = facts["usa-rel-usfj-5af"]
    assert dual["kind"] == "relationship"
    assert dual["value"]["ja"] == "構成部隊（指揮官兼務）"
    assert dual["name"]["en"] == "U.S. Forces Japan → Fifth Air Force"
    pair = facts["jpn-cp-jjoc-jfhq"]
    assert pair["name"]["ja"] == "統合作戦司令部 ↔ 在日米軍司令部"


def test_exercise_assumptions_are_apart_and_labelled_fictional(site: Site) -> None:
    body = _facts(site)
    public_ids = {f["id"] for f in body["public"]}
    exercise = body["exercise"]
    assert exercise["label"] == {
        "en": "exercise assumption — fictional",
        "ja": "演習想定（架空）",
    }
    assert exercise["assumptions"]
    for a in exercise["assumptions"]:
        assert a["id"] not in public_ids
        assert a["label"] == exercise["label"]
        assert "fictional" in a["note"]["en"].lower()
        assert "架空" in a["note"]["ja"]
        assert "valid_from" not in a  # no real-world date
        assert "sources" not in a  # an assumption is not a sourced fact
    assert {a["id"] for a in exercise["assumptions"]} >= {"usa-rel-jfhq-usarj"}


def test_both_nations_read_the_same_facts(site: Site) -> None:
    assert _facts(site, "USA", "usa-jfhq") == _facts(site)
