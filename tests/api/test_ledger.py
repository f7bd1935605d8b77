"""The ledger over HTTP: each nation sees only the events released to it; tampering is caught."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from alliance.core.models import MarkingIn
from alliance.org.models import UnitIn, UnitPatch
from tests.conftest import NodeFactory, add_people
from tests.disclosure.helpers import widen
from tests.federation.helpers import actor, served_pair, wait_drained

from .conftest import Headers, ServeFn, Site, assert_error


def _all_events(site: Site, who: Headers, limit: int = 7) -> list[dict[str, Any]]:
    """Page through ``/ledger/events`` with ``after``/``limit``."""
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        page = site.client.get(
            "/ledger/events", params={"after": after, "limit": limit}, headers=who
        )
        assert page.status_code == 200, page.text
        batch = page.json()
        if not batch:
            return events
        events.extend(batch)
        after = batch[-1]["seq"]


def _jpn_only_unit(site: Site) -> str:
    made = site.client.post(
        "/org/units",
        json={
            "hq_id": "jpn-adc",
            "name_en": "Space Operations Group",
            "name_ja": "宇宙作戦群",
            "sidc": "SFPPS----------",
            "domain": "space",
        },
        headers=site.as_("JPN", "commander", "jpn-jjoc"),
    )
    assert made.status_code == 201, made.text
    unit_id: str = made.json()["id"]
    return unit_id


def _event_records_actor_authority_and_marking(site: Site) -> None:
    usa = site.as_("USA", "commander", "usa-jfhq")
    changed = site.client.patch("/org/units/usa-18wg", json={"home_en": "Kadena AB"}, headers=usa)
    assert changed.status_code == 200, changed.text
    response = site.client.get(
        "/ledger/objects/unit/usa-18wg", headers=site.as_("JPN", "viewer", "jpn-jjoc")
    )
    assert response.status_code == 200, response.text
    history = response.json()
    assert [e["event"]["kind"] for e in history] == ["org.unit.seeded", "org.unit.updated"]
    last = history[-1]
    event = last["event"]
    assert event["kind"] == "org.unit.updated"
    assert event["object"] == {"type": "unit", "id": "usa-18wg", "owner": "USA"}
    assert event["actor"]["nation"] == "USA"
    assert event["actor"]["hq"] == "usa-jfhq"
    assert event["authority"] == {
        "rule": "unit.change",
        "basis": "USA commander of usa-jfhq, owner chain of command",
    }
    assert event["marking"] == {"releasable_to": ["JPN", "USA"], "tlp": None}
    assert event["data"]["state"]["home_en"] == "Kadena AB"
    assert event["prev"] == history[-1]["prev_hash"]
    assert len(last["signature"]) == 128
    assert len(last["hash"]) == 64


def test_each_nation_sees_only_events_released_to_it(site: Site) -> None:
    _event_records_actor_authority_and_marking(site)
    unit_id = _jpn_only_unit(site)
    usa = site.as_("USA", "viewer", "usa-jfhq")
    jpn = site.as_("JPN", "viewer", "jpn-jjoc")
    usa_events = _all_events(site, usa)
    jpn_events = _all_events(site, jpn)
    total = site.ledger_events()

    assert all("USA" in e["event"]["marking"]["releasable_to"] for e in usa_events)
    assert all("JPN" in e["event"]["marking"]["releasable_to"] for e in jpn_events)
    assert unit_id not in {e["event"]["object"]["id"] for e in usa_events}
    assert unit_id in {e["event"]["object"]["id"] for e in jpn_events}
    # Users are national: each nation sees its own user events only.
    usa_user_events = [e for e in usa_events if e["event"]["object"]["type"] == "user"]
    assert usa_user_events
    assert all(e["event"]["object"]["owner"] == "USA" for e in usa_user_events)
    # Together they account for every event; the seeded structure is shared.
    seqs = {e["seq"] for e in usa_events} | {e["seq"] for e in jpn_events}
    assert seqs == set(range(1, total + 1))
    shared = {e["seq"] for e in usa_events} & {e["seq"] for e in jpn_events}
    assert len(shared) >= 31
    # Ordered, and paging skips nothing: a single page gives the same list.
    assert [e["seq"] for e in usa_events] == sorted(e["seq"] for e in usa_events)
    single = site.client.get("/ledger/events", params={"limit": 1000}, headers=usa).json()
    assert [e["seq"] for e in single] == [e["seq"] for e in usa_events]


def test_verify_is_for_admins_and_names_the_first_tampered_event(site: Site) -> None:
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    assert_error(
        site.client.post("/ledger/verify", headers=site.as_("JPN", "commander", "jpn-jjoc")),
        403,
        "role_not_authorized",
    )
    unit_id = _jpn_only_unit(site)
    clean = site.client.post("/ledger/verify", headers=admin).json()
    total = site.ledger_events()
    assert clean["ok"] is True
    assert clean["checked"] == total
    assert clean["first_bad_seq"] is None

    with site.node.db.read() as s:
        seq, event_id = s.execute(
            text("SELECT seq, event_id FROM ledger WHERE object_id = :o"), {"o": unit_id}
        ).one()
    usa = site.as_("USA", "viewer", "usa-jfhq")
    assert seq not in {e["seq"] for e in _all_events(site, usa, limit=1000)}
    # Someone with database access "releases" the JPN-only event to USA behind the ledger's back.
    with site.node.db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger SET rel = 'JPN,USA' WHERE seq = :s"), {"s": seq})

    report = site.client.post("/ledger/verify", headers=admin).json()
    assert report["ok"] is False
    assert (report["first_bad_seq"], report["first_bad_event"]) == (seq, event_id)
    assert report["checked"] == seq - 1
    assert report["reason"]["en"]
    assert report["reason"]["ja"]


def test_a_rel_column_edited_behind_the_ledger_releases_nothing(site: Site) -> None:
    """Visibility comes from the signed event body, not from the copied ``rel`` column."""
    unit_id = _jpn_only_unit(site)
    usa = site.as_("USA", "commander", "usa-jfhq")
    with site.node.db.write_engine.begin() as conn:
        conn.execute(text("UPDATE ledger SET rel = 'JPN,USA' WHERE object_id = :u"), {"u": unit_id})
    seen = {e["event"]["object"]["id"] for e in _all_events(site, usa, limit=500)}
    assert unit_id not in seen
    assert_error(site.client.get(f"/ledger/objects/unit/{unit_id}", headers=usa), 404, "not_found")
    # The owner still sees its own event: the check hides, it does not destroy.
    jpn = site.as_("JPN", "commander", "jpn-jjoc")
    own = site.client.get(f"/ledger/objects/unit/{unit_id}", headers=jpn)
    assert own.status_code == 200, own.text
    assert [e["event"]["kind"] for e in own.json()] == ["org.unit.created"]


def _object_ids(site: Site, who: Headers) -> set[str]:
    return {e["event"]["object"]["id"] for e in _all_events(site, who, limit=1000)}


def test_a_withdrawn_partner_object_has_no_history_here(
    make_node: NodeFactory, serve: ServeFn
) -> None:
    """USA releases a unit to JPN, then takes the release back: on the JPN node the
    unit's past is gone with it, answered exactly like an id that never existed."""
    jpn, usa = served_pair(make_node)
    site = Site(jpn, serve(jpn), add_people(jpn))
    usa_staff = actor("USA", "usa-jfhq")
    unit = usa.org.create_unit(
        usa_staff,
        UnitIn(
            hq_id="usa-jfhq",
            name_en="Det. 7 (exercise)",
            name_ja="第7分遣隊（訓練）",
            sidc="SFGPUCI----H---",
            domain="land",
            marking=MarkingIn(releasable_to=["JPN"]),
        ),
    )
    usa.org.update_unit(usa_staff, unit.id, UnitPatch(echelon="detachment"))
    wait_drained(usa, [jpn])
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    path = f"/ledger/objects/unit/{unit.id}"
    seen = site.client.get(path, headers=viewer)
    assert seen.status_code == 200, seen.text
    assert [e["event"]["kind"] for e in seen.json()] == ["federation.replica.applied"] * 2
    assert unit.id in _object_ids(site, viewer)

    usa.org.update_unit(usa_staff, unit.id, UnitPatch(marking=MarkingIn(releasable_to=[])))
    wait_drained(usa, [jpn])
    for role in ("commander", "viewer"):
        who = site.as_("JPN", role, "jpn-jjoc")
        assert_error(site.client.get(f"/org/units/{unit.id}", headers=who), 404, "not_found")
        hidden = assert_error(site.client.get(path, headers=who), 404, "not_found")
        absent = assert_error(
            site.client.get("/ledger/objects/unit/usa-no-such-unit", headers=who), 404, "not_found"
        )
        assert json.dumps(hidden, sort_keys=True).replace(unit.id, "X") == json.dumps(
            absent, sort_keys=True
        ).replace("usa-no-such-unit", "X")
        # Nor do its events stay in the list: they were released when written, the
        # object is not released any more.
        assert unit.id not in _object_ids(site, who)
    # JPN's own objects keep their history.
    own = site.client.get("/ledger/objects/unit/jpn-ardb", headers=viewer)
    assert own.status_code == 200, own.text
    assert [e["event"]["kind"] for e in own.json()] == ["org.unit.seeded"]

    # Released again, the unit and its released past come back: hidden, never destroyed.
    widen(usa, usa_staff, "unit", unit.id, ["JPN"])
    wait_drained(usa, [jpn])
    again = site.client.get(path, headers=viewer)
    assert again.status_code == 200, again.text
    assert [e["event"]["kind"] for e in again.json()] == ["federation.replica.applied"] * 3
    assert unit.id in _object_ids(site, viewer)


def test_ledger_status_shows_the_head_and_the_last_verification(site: Site) -> None:
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    staff = site.as_("USA", "staff_officer", "usa-jfhq")
    for role, hq in (("viewer", "jpn-jjoc"), ("liaison_officer", "usa-jfhq")):
        nation = "JPN" if hq.startswith("jpn") else "USA"
        body = assert_error(
            site.client.get("/ledger/status", headers=site.as_(nation, role, hq)),
            403,
            "role_not_authorized",
        )
        assert "ledger status" in body["message"]["en"]
        assert "台帳状況" in body["message"]["ja"]
    first = site.client.get("/ledger/status", headers=staff)
    assert first.status_code == 200, first.text
    status = first.json()
    with site.node.db.read() as s:
        seq, hash_ = s.execute(text("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")).one()
    assert (status["head_seq"], status["head_hash"]) == (seq, hash_)
    assert status["events"] == site.ledger_events() == seq
    assert status["last_verify"] is None  # never verified on this node

    # A verification is kept, with its time and result; the head moves on without it.
    clean = site.client.post("/ledger/verify", headers=admin).json()
    unit_id = _jpn_only_unit(site)
    after = site.client.get("/ledger/status", headers=staff).json()
    assert after["head_seq"] == seq + 1 > clean["checked"] == seq
    last = after["last_verify"]
    assert (last["ok"], last["checked"], last["head_hash"]) == (True, seq, hash_)
    assert (last["first_bad_seq"], last["reason"]) == (None, None)
    assert last["at"]["iso"]
    assert "Z" in last["at"]["z"]

    # A failed verification is what the status shows next, naming the first bad event.
    with site.node.db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger SET rel = 'JPN,USA' WHERE object_id = :u"), {"u": unit_id})
    site.client.post("/ledger/verify", headers=admin)
    failed = site.client.get("/ledger/status", headers=admin).json()["last_verify"]
    assert (failed["ok"], failed["first_bad_seq"]) == (False, seq + 1)
    assert failed["reason"]["en"]
    assert failed["reason"]["ja"]
