"""Parallel command over HTTP: only a nation's own chain of command changes or tasks its forces."""

from __future__ import annotations

import json
from typing import Any

from alliance.core.authority import Role
from tests.disclosure.helpers import release_over_api

from .conftest import Headers, Site, assert_error

SINCE = "010000ZJAN25"  # 1 January 2025, 00:00 UTC: relationships below are already in force


def _rename(site: Site, kind: str, ident: str, who: Headers, name: str) -> Any:
    return site.client.patch(f"/org/{kind}/{ident}", json={"name_en": name}, headers=who)


def _task(site: Site, unit_id: str, who: Headers) -> Any:
    return site.client.post(
        "/org/taskings", json={"unit_id": unit_id, "title": "Stand by at readiness 2"}, headers=who
    )


def _revoke(site: Site, rel_id: str, who: Headers) -> Any:
    return site.client.post(f"/org/relationships/{rel_id}/revoke", headers=who)


def _relate(site: Site, kind: str, superior: str, subordinate: str, who: Headers) -> Any:
    sup_kind, sup_id = superior.split(":")
    sub_kind, sub_id = subordinate.split(":")
    return site.client.post(
        "/org/relationships",
        json={
            "kind": kind,
            "superior": {"kind": sup_kind, "id": sup_id},
            "subordinate": {"kind": sub_kind, "id": sub_id},
            "valid_from": SINCE,
        },
        headers=who,
    )


def _assert_not_owner(response: Any, owner: str, partner: str) -> None:
    body = assert_error(response, 403, "not_owner_nation")
    assert owner in body["message"]["en"]
    assert partner in body["message"]["en"]
    assert owner in body["message"]["ja"]
    assert "指揮系統" in body["message"]["ja"]


# -- one nation may not change, task or re-command the other's forces ---------

PARTNER_CASES = [
    # (acting nation, acting HQ, owner, HQ, unit, relationship of the owner)
    ("USA", "usa-jfhq", "JPN", "jpn-jjoc", "jpn-ardb", "jpn-rel-jjoc-gcc"),
    ("JPN", "jpn-jjoc", "USA", "usa-jfhq", "usa-18wg", "usa-rel-jfhq-usarj"),
]


def _partner_cannot_create_in_the_other_structure(site: Site) -> None:
    usa = site.as_("USA", "commander", "usa-jfhq")
    unit = {
        "hq_id": "jpn-gcc",
        "name_en": "Phantom",
        "name_ja": "幻",
        "sidc": "SFGPUCI----H---",
        "domain": "land",
        "marking": {"releasable_to": ["USA"]},
    }
    _assert_not_owner(site.client.post("/org/units", json=unit, headers=usa), "JPN", "USA")
    hq = {
        "nation": "JPN",
        "parent_id": "jpn-jjoc",
        "kind": "component",
        "name_en": "Phantom Command",
        "name_ja": "幻司令部",
        "short_en": "PC",
        "short_ja": "幻",
        "marking": {"releasable_to": ["USA"]},
    }
    _assert_not_owner(site.client.post("/org/hqs", json=hq, headers=usa), "JPN", "USA")
    # An HQ under a partner's HQ is refused whoever asks.
    wrong_parent = {**hq, "nation": "USA"}
    assert_error(
        site.client.post("/org/hqs", json=wrong_parent, headers=usa),
        422,
        "cross_nation_parent",
        field="parent_id",
    )


def test_partner_cannot_create_change_task_or_revoke_in_the_other_structure(site: Site) -> None:
    before = site.ledger_events()
    _partner_cannot_create_in_the_other_structure(site)
    for nation, hq, owner, owner_hq, unit, rel in PARTNER_CASES:
        commander = site.as_(nation, "commander", hq)
        staff = site.as_(nation, "staff_officer", hq)
        for who in (commander, staff):
            renamed_hq = _rename(site, "hqs", owner_hq, who, "Renamed by partner")
            _assert_not_owner(renamed_hq, owner, nation)
            _assert_not_owner(
                _rename(site, "units", unit, who, "Renamed by partner"), owner, nation
            )
        _assert_not_owner(_task(site, unit, commander), owner, nation)
        _assert_not_owner(_revoke(site, rel, commander), owner, nation)
    assert site.ledger_events() == before

    for nation, hq, _owner, owner_hq, unit, rel in PARTNER_CASES:
        viewer = site.as_(nation, "viewer", hq)
        assert site.client.get(f"/org/hqs/{owner_hq}", headers=viewer).json()["version"] == 1
        assert site.client.get(f"/org/units/{unit}", headers=viewer).json()["version"] == 1
        assert site.client.get("/org/taskings", headers=viewer).json() == []
        rels = site.client.get("/org/relationships", headers=viewer).json()
        assert {r["id"]: r["state"] for r in rels}[rel] == "active"


OWN = [
    # (owner, HQ, unit under it, relationship over one of its HQs)
    ("JPN", "jpn-jjoc", "jpn-ardb", "jpn-rel-jjoc-gcc"),
    # INDOPACOM placed USARJ under USFJ's OPCON (exercise assumption); it revokes it.
    ("USA", "usa-indopacom", "usa-18wg", "usa-rel-jfhq-usarj"),
]


def test_owner_chain_of_command_changes_tasks_and_revokes(site: Site) -> None:
    for role in (Role.COMMANDER, Role.STAFF_OFFICER):
        site.add_person("USA", role, "usa-indopacom")
    for owner, hq, unit, rel in OWN:
        _owner_acts(site, owner, hq, unit, rel)


def _owner_acts(site: Site, owner: str, hq: str, unit: str, rel: str) -> None:
    commander = site.as_(owner, "commander", hq)
    before = site.ledger_events()

    renamed = _rename(site, "hqs", hq, site.as_(owner, "staff_officer", hq), "Renamed by owner")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name_en"] == "Renamed by owner"
    assert renamed.json()["version"] == 2

    unit_renamed = _rename(site, "units", unit, commander, "Unit renamed by owner")
    assert unit_renamed.status_code == 200, unit_renamed.text

    tasked = _task(site, unit, commander)
    assert tasked.status_code == 201, tasked.text
    assert tasked.json()["owner"] == owner
    assert tasked.json()["issuing_hq_id"] == hq

    revoked = _revoke(site, rel, commander)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    assert revoked.json()["in_force"] is False
    assert_error(_revoke(site, rel, commander), 409, "already_revoked")

    assert site.ledger_events() == before + 4
    history = site.client.get(f"/ledger/objects/unit/{unit}", headers=commander).json()
    assert [e["event"]["kind"] for e in history] == ["org.unit.seeded", "org.unit.updated"]
    assert history[-1]["event"]["actor"]["nation"] == owner
    assert history[-1]["event"]["authority"]["rule"] == "unit.change"


def test_staff_outside_the_chain_cannot_change_a_unit(site: Site) -> None:
    adc_staff = site.add_person("JPN", Role.STAFF_OFFICER, "jpn-adc")
    body = assert_error(_rename(site, "units", "jpn-ardb", adc_staff, "x"), 403, "not_in_chain")
    assert "jpn-gcc" in body["message"]["en"]
    assert "jpn-adc" in body["message"]["ja"]
    # The same officer may change a unit of its own HQ.
    own = _rename(site, "units", "jpn-2aw", adc_staff, "2nd Air Wing (renamed)")
    assert own.status_code == 200, own.text
    # A component commander does not task another component's unit either.
    gcc_only = _task(site, "jpn-2aw", site.as_("JPN", "commander", "jpn-gcc"))
    assert_error(gcc_only, 403, "not_in_chain")


def test_viewer_and_liaison_cannot_create_or_task(site: Site) -> None:
    before = site.ledger_events()
    unit = {
        "hq_id": "jpn-gcc",
        "name_en": "1st Airborne Brigade",
        "name_ja": "第1空挺団",
        "sidc": "SFGPUCIA---H---",
        "domain": "land",
    }
    for role in ("viewer", "liaison_officer"):
        who = site.as_("JPN", role, "jpn-jjoc")
        created = site.client.post("/org/units", json=unit, headers=who)
        body = assert_error(created, 403, "role_not_authorized")
        assert body["message"]["en"].startswith("A viewer" if role == "viewer" else "A liaison")
        assert_error(_task(site, "jpn-ardb", who), 403, "role_not_authorized")
        assert_error(_rename(site, "hqs", "jpn-jjoc", who, "x"), 403, "role_not_authorized")
    assert site.ledger_events() == before
    made = site.client.post(
        "/org/units", json=unit, headers=site.as_("JPN", "staff_officer", "jpn-jjoc")
    )
    assert made.status_code == 201, made.text
    assert site.ledger_events() == before + 1


def test_seeded_partner_objects_are_read_only_on_a_single_nation_node(usa_site: Site) -> None:
    site = usa_site
    usa = site.as_("USA", "commander", "usa-jfhq")
    assert site.client.get("/node", headers=usa).json()["hosted"] == ["USA"]
    assert site.client.get("/org/hqs/jpn-jjoc", headers=usa).status_code == 200
    before = site.client.get("/node", headers=usa).json()["ledger_events"]
    _assert_not_owner(_rename(site, "hqs", "jpn-jjoc", usa, "x"), "JPN", "USA")
    _assert_not_owner(_rename(site, "units", "jpn-ardb", usa, "x"), "JPN", "USA")
    _assert_not_owner(_task(site, "jpn-ardb", usa), "JPN", "USA")
    _assert_not_owner(_revoke(site, "jpn-rel-jjoc-gcc", usa), "JPN", "USA")
    assert site.client.get("/node", headers=usa).json()["ledger_events"] == before
    # Partner nation users sign in at their own node, not here.
    guest = {"name": "JPN guest", "nation": "JPN", "hq_id": "jpn-jjoc", "role": "viewer"}
    refused = site.client.post("/users", json=guest, headers=site.as_("USA", "admin", "usa-jfhq"))
    assert_error(refused, 422, "nation_not_hosted", field="nation")
    # Its own structure is writable.
    renamed = _rename(site, "hqs", "usa-jfhq", usa, "JFHQ")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name_en"] == "JFHQ"
    tasked = _task(site, "usa-18wg", usa)
    assert tasked.status_code == 201, tasked.text
    assert (tasked.json()["unit_id"], tasked.json()["owner"]) == ("usa-18wg", "USA")


# -- command relationships never cross nations; support relationships may ------


CROSSING = [
    # (superior, subordinate, acting nation, acting HQ)
    ("hq:jpn-jjoc", "unit:usa-1-1ada", "USA", "usa-jfhq"),
    ("hq:usa-jfhq", "unit:jpn-ardb", "JPN", "jpn-jjoc"),
    ("hq:usa-jfhq", "hq:jpn-adc", "JPN", "jpn-jjoc"),
    ("unit:usa-18wg", "unit:jpn-2aw", "JPN", "jpn-jjoc"),
]


def _relationship_ids(site: Site) -> set[str]:
    listed = site.client.get("/org/relationships", headers=site.as_("JPN", "viewer", "jpn-jjoc"))
    return {r["id"] for r in listed.json()}


def test_command_relationship_across_nations_is_refused(site: Site) -> None:
    before = site.ledger_events()
    seeded = _relationship_ids(site)
    for superior, subordinate, nation, hq in CROSSING:
        who = site.as_(nation, "commander", hq)
        for kind in ("opcon", "tacon", "adcon", "cocom"):
            body = assert_error(
                _relate(site, kind, superior, subordinate, who),
                422,
                "command_crosses_nations",
                field="superior",
            )
            assert kind.upper() in body["message"]["en"]
            assert kind.upper() in body["message"]["ja"]
    assert site.ledger_events() == before
    assert _relationship_ids(site) == seeded
    # Each nation may place its own forces under its own HQ.
    for nation, own_hq, own_unit in [
        ("JPN", "hq:jpn-jjoc", "unit:jpn-ardb"),
        ("USA", "hq:usa-jfhq", "unit:usa-1-1ada"),
    ]:
        hq = own_hq.split(":")[1]
        made = _relate(site, "tacon", own_hq, own_unit, site.as_(nation, "commander", hq))
        assert made.status_code == 201, made.text
        assert made.json()["owner"] == nation


def test_cross_nation_support_is_accepted_and_visible_to_the_supported_nation(site: Site) -> None:
    usa = site.as_("USA", "commander", "usa-jfhq")
    jpn = site.as_("JPN", "commander", "jpn-jjoc")
    # JPN cannot commit a US battalion, even in support of its own HQ.
    _assert_not_owner(
        _relate(site, "general_support", "hq:jpn-adc", "unit:usa-1-1ada", jpn), "USA", "JPN"
    )
    made = _relate(site, "general_support", "hq:jpn-adc", "unit:usa-1-1ada", usa)
    assert made.status_code == 201, made.text
    rel = made.json()
    assert rel["owner"] == "USA"
    assert rel["kind_name"] == {"en": "general support", "ja": "全般支援"}
    assert rel["marking"]["releasable_to"] == ["JPN", "USA"]
    assert rel["state"] == "active"
    assert rel["in_force"] is True

    seen = site.client.get("/org/relationships", params={"party_id": "jpn-adc"}, headers=jpn)
    assert sorted(r["id"] for r in seen.json()) == sorted([rel["id"], "jpn-rel-jjoc-adc"])
    _assert_not_owner(_revoke(site, rel["id"], jpn), "USA", "JPN")

    revoked = _revoke(site, rel["id"], usa)
    assert revoked.status_code == 200, revoked.text
    after = site.client.get("/org/relationships", params={"party_id": "usa-1-1ada"}, headers=jpn)
    assert [(r["id"], r["state"], r["in_force"]) for r in after.json()] == [
        (rel["id"], "revoked", False)
    ]
    kinds = [
        e["event"]["kind"]
        for e in site.client.get(f"/ledger/objects/relationship/{rel['id']}", headers=jpn).json()
    ]
    assert kinds == ["org.relationship.created", "org.relationship.revoked"]


# -- releasability ---------------------------------------------------------------


def test_national_only_objects_are_invisible_to_the_partner(site: Site) -> None:
    jpn = site.as_("JPN", "commander", "jpn-jjoc")
    usa = site.as_("USA", "commander", "usa-jfhq")
    made = site.client.post(
        "/org/units",
        json={
            "hq_id": "jpn-gcc",
            "name_en": "Special Operations Group",
            "name_ja": "特殊作戦群",
            "sidc": "SFGPUCIS---H---",
            "domain": "land",
        },
        headers=jpn,
    )
    assert made.status_code == 201, made.text
    unit = made.json()
    assert unit["marking"]["releasable_to"] == ["JPN"]
    assert unit["marking"]["banner"] == {"en": "BUNAI KAGIRI (INTERNAL ONLY)", "ja": "部内限り"}
    tasked = _task(site, unit["id"], jpn)
    assert tasked.status_code == 201

    assert_error(site.client.get(f"/org/units/{unit['id']}", headers=usa), 404, "not_found")
    assert_error(_rename(site, "units", unit["id"], usa, "found you"), 404, "not_found")
    assert_error(_task(site, unit["id"], usa), 404, "not_found", field="unit_id")
    unit_ids = {u["id"] for u in site.client.get("/org/units", headers=usa).json()}
    assert "jpn-ardb" in unit_ids
    assert unit["id"] not in unit_ids
    assert site.client.get("/org/taskings", headers=usa).json() == []
    assert_error(
        site.client.get(f"/ledger/objects/unit/{unit['id']}", headers=usa), 404, "not_found"
    )
    # The 404 for a hidden object reads exactly like the 404 for no object at all.
    hidden = assert_error(
        site.client.get(f"/org/units/{unit['id']}", headers=usa), 404, "not_found"
    )
    missing = assert_error(
        site.client.get("/org/units/no-such-unit", headers=usa), 404, "not_found"
    )
    assert json.dumps(hidden, sort_keys=True).replace(unit["id"], "X") == json.dumps(
        missing, sort_keys=True
    ).replace("no-such-unit", "X")

    # Released later by its owner (a proposal its foreign disclosure officer
    # approves), it becomes visible.
    release_over_api(site, jpn, "unit", unit["id"], ["USA"])
    seen = site.client.get(f"/org/units/{unit['id']}", headers=usa)
    assert seen.status_code == 200, seen.text
    assert (seen.json()["id"], seen.json()["owner"]) == (unit["id"], "JPN")

    # An HQ that released objects still name is not withdrawn from USA (its
    # units would name it); one that nothing released names is.
    national: dict[str, Any] = {"marking": {"releasable_to": []}}
    assert_error(
        site.client.patch("/org/hqs/jpn-gcc", json=national, headers=jpn),
        422,
        "still_referenced",
        field="marking.releasable_to",
    )
    cell = {
        "id": "jpn-gcc-cell",
        "nation": "JPN",
        "parent_id": "jpn-gcc",
        "kind": "component",
        "name_en": "GCC cell",
        "name_ja": "陸上総隊班",
        "short_en": "CELL",
        "short_ja": "班",
        "marking": {"releasable_to": ["USA"]},
    }
    site.client.post("/org/hqs", json=cell, headers=jpn).raise_for_status()
    site.client.patch("/org/hqs/jpn-gcc-cell", json=national, headers=jpn).raise_for_status()

    # Exports carry only what is released to the caller's nation.
    jpn_doc = site.client.get("/org/export", params={"format": "json"}, headers=jpn).json()
    usa_doc = site.client.get("/org/export", params={"format": "json"}, headers=usa).json()
    assert "jpn-gcc-cell" in {h["id"] for h in jpn_doc["hqs"]}
    assert "jpn-gcc-cell" not in {h["id"] for h in usa_doc["hqs"]}
    for section in ("nations", "hqs", "units", "relationships", "counterparts"):
        assert all("USA" in item["marking"]["releasable_to"] for item in usa_doc[section])
    assert_error(
        site.client.get("/org/hqs/jpn-gcc-cell", headers=usa), 404, "not_found", field="id"
    )


def test_a_subordinate_hq_cannot_revoke_or_grant_command_over_itself(site: Site) -> None:
    gcc = site.as_("JPN", "commander", "jpn-gcc")
    jjoc = site.as_("JPN", "commander", "jpn-jjoc")
    before = site.ledger_events()
    assert_error(_revoke(site, "jpn-rel-jjoc-gcc", gcc), 403, "not_in_chain")
    assert_error(_relate(site, "tacon", "hq:jpn-adc", "hq:jpn-gcc", gcc), 403, "not_in_chain")
    assert site.ledger_events() == before
    # Its superior may, and the component still commands its own units.
    for made in (
        _relate(site, "tacon", "hq:jpn-adc", "hq:jpn-gcc", jjoc),
        _relate(site, "tacon", "hq:jpn-gcc", "unit:jpn-ardb", gcc),
    ):
        assert made.status_code == 201, made.text
        assert made.json()["owner"] == "JPN"
    revoked = _revoke(site, "jpn-rel-jjoc-gcc", jjoc)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"


def test_a_patch_that_changes_nothing_writes_no_event(site: Site) -> None:
    jpn = site.as_("JPN", "commander", "jpn-jjoc")
    unit = site.client.get("/org/units/jpn-ardb", headers=jpn).json()
    before = site.ledger_events()
    same = site.client.patch("/org/units/jpn-ardb", json={"name_en": unit["name_en"]}, headers=jpn)
    assert same.status_code == 200, same.text
    assert same.json()["version"] == unit["version"]
    assert site.ledger_events() == before
    changed = site.client.patch("/org/units/jpn-ardb", json={"echelon": "division"}, headers=jpn)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["echelon"], changed.json()["version"]) == (
        "division",
        unit["version"] + 1,
    )
    assert site.ledger_events() == before + 1


# -- an HQ with nothing above it ------------------------------------------------------

TOP_LEVEL = {
    "nation": "JPN",
    "kind": "ministry",
    "name_en": "Cabinet Office Crisis Management",
    "name_ja": "内閣危機管理",
    "short_en": "CMC",
    "short_ja": "危機管理",
}


def _hq_ids(site: Site) -> set[str]:
    listed = site.client.get("/org/hqs", headers=site.as_("JPN", "viewer", "jpn-jjoc"))
    return {h["id"] for h in listed.json()}


def test_only_the_nations_administrator_creates_a_top_level_hq(site: Site) -> None:
    """No HQ is above a top-level HQ, so no chain of command holds it: a staff officer
    or commander who made one would put an HQ beyond anyone's command."""
    before, hqs = site.ledger_events(), _hq_ids(site)
    for role, hq in [
        ("staff_officer", "jpn-jjoc"),
        ("commander", "jpn-jjoc"),
        ("commander", "jpn-gcc"),
        ("liaison_officer", "jpn-jjoc"),
        ("viewer", "jpn-jjoc"),
    ]:
        refused = site.client.post(
            "/org/hqs",
            json={**TOP_LEVEL, "id": f"jpn-top-{role}"},
            headers=site.as_("JPN", role, hq),
        )
        body = assert_error(refused, 403, "role_not_authorized")
        if role in ("staff_officer", "commander"):
            assert "node administrator" in body["message"]["en"]
            assert "JPN" in body["message"]["ja"]
    # The partner's administrator cannot, on any node.
    usa_admin = site.as_("USA", "admin", "usa-jfhq")
    assert_error(
        site.client.post(
            "/org/hqs",
            json={**TOP_LEVEL, "marking": {"releasable_to": ["USA"]}},
            headers=usa_admin,
        ),
        403,
        "not_owner_nation",
    )
    assert site.ledger_events() == before
    assert _hq_ids(site) == hqs

    admin = site.as_("JPN", "admin", "jpn-jjoc")
    made = site.client.post("/org/hqs", json={**TOP_LEVEL, "id": "jpn-cmc"}, headers=admin)
    assert made.status_code == 201, made.text
    assert (made.json()["id"], made.json()["owner"], made.json()["parent_id"]) == (
        "jpn-cmc",
        "JPN",
        None,
    )
    assert site.ledger_events() == before + 1
    (event,) = site.client.get("/ledger/objects/hq/jpn-cmc", headers=admin).json()
    assert event["event"]["authority"] == {
        "rule": "hq.create",
        "basis": "JPN admin of jpn-jjoc, owner node administrator (no HQ holds it)",
    }
    # Once it exists, it holds itself: its own staff change it, the administrator does not.
    cmc_staff = site.add_person("JPN", Role.STAFF_OFFICER, "jpn-cmc")
    renamed = _rename(site, "hqs", "jpn-cmc", cmc_staff, "Crisis Management Center")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name_en"] == "Crisis Management Center"
    assert_error(_rename(site, "hqs", "jpn-cmc", admin, "x"), 403, "role_not_authorized")
    assert_error(
        _rename(site, "hqs", "jpn-cmc", site.as_("JPN", "staff_officer", "jpn-jjoc"), "x"),
        403,
        "not_in_chain",
    )


def test_an_administrator_never_commands(site: Site) -> None:
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    before = site.ledger_events()
    sub_hq = {**TOP_LEVEL, "parent_id": "jpn-jjoc", "kind": "component"}
    assert_error(
        site.client.post("/org/hqs", json=sub_hq, headers=admin), 403, "role_not_authorized"
    )
    assert_error(_rename(site, "units", "jpn-ardb", admin, "x"), 403, "role_not_authorized")
    assert_error(_task(site, "jpn-ardb", admin), 403, "role_not_authorized")
    assert_error(
        _relate(site, "tacon", "hq:jpn-jjoc", "unit:jpn-ardb", admin), 403, "role_not_authorized"
    )
    assert_error(_revoke(site, "jpn-rel-jjoc-gcc", admin), 403, "role_not_authorized")
    request = {
        "kind": "rfi",
        "from_hq_id": "jpn-jjoc",
        "to_hq_ids": ["usa-jfhq"],
        "subject": "Admin question",
        "marking": {"releasable_to": ["USA"]},
    }
    assert_error(
        site.client.post("/acm/requests", json=request, headers=admin), 403, "role_not_authorized"
    )
    assert site.ledger_events() == before
    # Nor does it take a nation's position or record a decision.
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    drafted = site.client.post("/acm/requests", json=request, headers=jpn_cdr)
    assert drafted.status_code == 201, drafted.text
    rid = drafted.json()["id"]
    site.client.post(f"/acm/requests/{rid}/send", headers=jpn_cdr).raise_for_status()
    before = site.ledger_events()
    for kind in ("concur", "non_concur", "comment"):
        assert_error(
            site.client.post(f"/acm/requests/{rid}/responses", json={"kind": kind}, headers=admin),
            403,
            "role_not_authorized",
        )
    assert_error(
        site.client.post(f"/acm/requests/{rid}/decision", json={"summary": "x"}, headers=admin),
        403,
        "role_not_authorized",
    )
    assert site.ledger_events() == before
