"""The API's words: objects named in the reader's language (司令部「…」, not
hq「…」), and validation messages that keep the limit that was broken."""

from __future__ import annotations

from typing import Any

from alliance.core import limits

from .conftest import Site, assert_error

UNIT: dict[str, Any] = {
    "hq_id": "jpn-gcc",
    "name_en": "1st Airborne Brigade",
    "name_ja": "第1空挺団",
    "sidc": "SFGPUCIA---H---",
    "domain": "land",
}


def test_a_missing_object_is_named_in_japanese_in_the_japanese_text(site: Site) -> None:
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    hq = assert_error(site.client.get("/org/hqs/no-such-hq", headers=usa), 404, "not_found")
    assert hq["message"]["ja"].startswith("司令部「no-such-hq」"), hq
    assert hq["message"]["en"].startswith("No HQ 'no-such-hq'"), hq
    track = assert_error(site.client.get("/cop/tracks/NO-SUCH", headers=usa), 404, "not_found")
    assert track["message"]["ja"].startswith("航跡「NO-SUCH」"), track
    unit = assert_error(site.client.get("/org/units/no-such-unit", headers=usa), 404, "not_found")
    assert unit["message"]["ja"].startswith("部隊「no-such-unit」"), unit


def test_a_refusal_names_the_object_in_japanese(site: Site) -> None:
    """The authority rules name the target by its label, both languages."""
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    refused = site.client.patch(
        "/org/hqs/jpn-jjoc", json={"name_en": "Renamed"}, headers=usa
    ).json()
    assert refused["code"] in {"not_owner_nation", "not_found"}, refused
    if refused["code"] == "not_owner_nation":
        assert "司令部「jpn-jjoc」" in refused["message"]["ja"], refused
        assert "HQ 'jpn-jjoc'" in refused["message"]["en"], refused
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    made = site.client.post("/org/units", json=UNIT, headers=viewer).json()
    assert made["code"] == "role_not_authorized", made
    ja = made["message"]["ja"]
    assert "部隊「" in ja, made
    assert "閲覧者" in ja, made
    assert "unit「" not in ja, made


def test_validation_messages_keep_the_limit_in_both_languages(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    before = site.client.get("/org/units", headers=jpn).json()
    long_name = {**UNIT, "name_en": "x" * (limits.NAME + 1)}
    body = assert_error(
        site.client.post("/org/units", json=long_name, headers=jpn), 422, "invalid", "name_en"
    )
    assert f"at most {limits.NAME} characters" in body["message"]["en"], body
    assert f"{limits.NAME}文字以内" in body["message"]["ja"], body
    too_many = {**UNIT, "marking": {"releasable_to": ["USA"] * (limits.MAX_RELEASABLE + 1)}}
    body = assert_error(site.client.post("/org/units", json=too_many, headers=jpn), 422, "invalid")
    assert str(limits.MAX_RELEASABLE) in body["message"]["en"], body
    assert f"{limits.MAX_RELEASABLE}個以内" in body["message"]["ja"], body
    empty = {**UNIT, "name_ja": ""}
    body = assert_error(site.client.post("/org/units", json=empty, headers=jpn), 422, "invalid")
    assert "1文字以上" in body["message"]["ja"], body
    # Nothing was stored by the refused requests.
    assert site.client.get("/org/units", headers=jpn).json() == before


def test_nations_roles_sources_and_months_are_translated(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    me = site.client.get("/me", headers=jpn).json()
    assert me["nation_name"] == {"en": "Japan", "ja": "日本"}
    assert me["role_name"] == {"en": "staff officer", "ja": "幕僚"}
    admin = site.as_("USA", "admin", "usa-jfhq")
    users = site.client.get("/users", headers=admin)
    assert users.status_code == 200, users.text
    usa = [u for u in users.json() if u["nation"] == "USA"]
    assert usa, users.json()
    assert {u["nation_name"]["ja"] for u in usa} == {"米国"}
    assert all(u["role_name"]["ja"] for u in usa)
    assert "z_ja" in usa[0]["created"]
    assert "年" in usa[0]["created"]["z_ja"]
    track = {
        "uid": "JPN-EX-DD03",
        "sidc": "SFSPCLDD-------",
        "callsign": "BLUE DD 03",
        "lat": 35.2833,
        "lon": 139.6667,
    }
    made = site.client.post("/cop/tracks", json=track, headers=jpn)
    assert made.status_code == 201, made.text
    assert made.json()["source"] == "api"
    assert made.json()["source_name"] == {"en": "reported through the API", "ja": "API経由の報告"}


def test_role_and_nation_words_are_the_glossarys() -> None:
    from alliance.core import glossary
    from alliance.core.authority import ROLE_NAMES, Role
    from alliance.core.markings import nation_names

    assert ROLE_NAMES[Role.LIAISON_OFFICER] == glossary.term("role_liaison_officer")
    assert ROLE_NAMES[Role.FOREIGN_DISCLOSURE_OFFICER] == glossary.term(
        "foreign_disclosure_officer"
    )
    assert nation_names("USA") == glossary.term("nation_usa")
    assert nation_names("USA").ja == "米国"
    assert nation_names("AUS").ja == "オーストラリア連邦"  # ISO 3166's Japanese otherwise
