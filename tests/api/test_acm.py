"""The Alliance Coordination Mechanism over HTTP: requests, concurrence, decisions, working groups."""

from __future__ import annotations

from typing import Any

from .conftest import Headers, Site, assert_error


def _draft(site: Site, who: Headers, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "rfs",
        "from_hq_id": "jpn-jjoc",
        "to_hq_ids": ["usa-jfhq"],
        "subject": "Bilateral air defense exercise, Patriot co-location",
        "body": "Request US Patriot battery co-location at Iruma for the exercise.",
        "priority": "priority",
        "due": "271200ZJUL26",
        "marking": {"releasable_to": ["USA"]},
        **changes,
    }
    response = site.client.post("/acm/requests", json=data, headers=who)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _respond(site: Site, req_id: str, kind: str, who: Headers, **extra: Any) -> Any:
    return site.client.post(
        f"/acm/requests/{req_id}/responses", json={"kind": kind, **extra}, headers=who
    )


def _status(site: Site, req_id: str, who: Headers) -> str:
    thread = site.client.get(f"/acm/requests/{req_id}", headers=who)
    assert thread.status_code == 200, thread.text
    status: str = thread.json()["request"]["status"]
    return status


def _decide(site: Site, req_id: str, who: Headers) -> Any:
    return site.client.post(
        f"/acm/requests/{req_id}/decision",
        json={"summary": "Co-locate one US Patriot battery at Iruma, 1-14 Aug."},
        headers=who,
    )


def test_coordination_lifecycle_to_a_bilateral_decision(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")

    req = _draft(site, jpn_staff)
    rid = req["id"]
    assert (req["status"], req["revision"], req["owner"]) == ("draft", 1, "JPN")
    assert req["participants"] == ["JPN", "USA"]
    assert req["due"]["z"] == "271200ZJUL26"
    assert req["due"]["jst"] == "2026-07-27 21:00 JST"
    assert req["status_name"] == {"en": "draft", "ja": "起案中"}

    sent = site.client.post(f"/acm/requests/{rid}/send", headers=jpn_staff)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    assert sent.json()["awaiting"] == ["JPN", "USA"]
    assert_error(
        site.client.post(f"/acm/requests/{rid}/send", headers=jpn_staff), 409, "wrong_state"
    )

    assert _respond(site, rid, "acknowledge", usa_staff).status_code == 201
    assert _status(site, rid, usa_cdr) == "acknowledged"

    counter = _respond(site, rid, "counter_proposal", usa_cdr, text="Kadena instead of Iruma.")
    assert counter.status_code == 201, counter.text
    assert counter.json()["owner"] == "USA"
    assert counter.json()["request_revision"] == 1
    assert _status(site, rid, jpn_cdr) == "counter_proposed"

    body = assert_error(_decide(site, rid, jpn_cdr), 409, "concurrence_missing")
    assert "JPN" in body["message"]["en"]
    assert "USA" in body["message"]["en"]

    amend = {"body": "Request US Patriot battery co-location at Kadena.", "version": 1}
    stale = site.client.patch(f"/acm/requests/{rid}", json=amend, headers=jpn_staff)
    assert_error(stale, 409, "version_conflict", field="version")
    amended = site.client.patch(
        f"/acm/requests/{rid}", json={**amend, "version": 2}, headers=jpn_staff
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["revision"] == 2
    assert amended.json()["status"] == "sent"  # the counter-proposal was on revision 1

    # Only a commander states a nation's position, on the current revision, from its HQ chain.
    assert_error(_respond(site, rid, "concur", usa_staff), 403, "role_not_authorized")
    assert_error(
        _respond(site, rid, "concur", site.as_("USA", "commander", "usa-5af")),
        403,
        "not_in_chain",
    )
    assert_error(
        _respond(site, rid, "concur", usa_cdr, revision=1), 409, "stale_revision", "revision"
    )
    assert _respond(site, rid, "concur", usa_cdr, text="Concur.").status_code == 201
    thread = site.client.get(f"/acm/requests/{rid}", headers=jpn_cdr).json()
    assert thread["request"]["status"] == "concurred"
    assert thread["request"]["awaiting"] == ["JPN"]

    body = assert_error(_decide(site, rid, jpn_cdr), 409, "concurrence_missing")
    assert "JPN" in body["message"]["en"]
    assert "USA" not in body["message"]["en"]
    assert "JPN" in body["message"]["ja"]
    assert "同意" in body["message"]["ja"]

    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    assert_error(_decide(site, rid, usa_cdr), 403, "not_owner_nation")
    assert_error(_decide(site, rid, jpn_staff), 403, "role_not_authorized")
    decided = _decide(site, rid, jpn_cdr)
    assert decided.status_code == 201, decided.text
    decision = decided.json()
    assert decision["nations"] == ["JPN", "USA"]
    assert decision["request_revision"] == 2
    assert {c["nation"]: c["role"] for c in decision["concurrences"]} == {
        "JPN": "commander",
        "USA": "commander",
    }

    assert _status(site, rid, usa_cdr) == "decided"
    for who in (jpn_staff, usa_staff):
        log = site.client.get("/acm/decisions", headers=who).json()
        assert [(d["id"], d["request_id"]) for d in log] == [(decision["id"], rid)]
    assert (
        site.client.get(f"/acm/requests/{rid}", headers=usa_staff).json()["decision"]["id"]
        == decision["id"]
    )
    assert_error(_respond(site, rid, "comment", usa_staff), 409, "wrong_state")
    assert_error(_decide(site, rid, jpn_cdr), 409, "wrong_state")


def test_concurrence_on_an_old_revision_does_not_count(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    rid = _draft(site, jpn_cdr)["id"]
    site.client.post(f"/acm/requests/{rid}/send", headers=jpn_cdr).raise_for_status()
    assert _respond(site, rid, "concur", usa_cdr).status_code == 201
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    assert _status(site, rid, jpn_cdr) == "concurred"

    amended = site.client.patch(
        f"/acm/requests/{rid}", json={"subject": "Amended after concurrence"}, headers=jpn_cdr
    )
    assert amended.json()["revision"] == 2
    assert amended.json()["status"] == "sent"
    body = assert_error(_decide(site, rid, jpn_cdr), 409, "concurrence_missing")
    assert "JPN, USA" in body["message"]["en"]
    assert "2" in body["message"]["en"]

    assert _respond(site, rid, "concur", usa_cdr).status_code == 201
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    assert _decide(site, rid, jpn_cdr).status_code == 201


def test_partner_non_concurrence_blocks_the_decision(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    rid = _draft(site, jpn_cdr)["id"]
    site.client.post(f"/acm/requests/{rid}/send", headers=jpn_cdr).raise_for_status()
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    assert _respond(site, rid, "non_concur", usa_cdr, text="Not this month.").status_code == 201
    assert _status(site, rid, jpn_cdr) == "non_concurred"
    body = assert_error(_decide(site, rid, jpn_cdr), 409, "concurrence_missing")
    assert "USA" in body["message"]["en"]
    # The owner may still close it without a decision.
    closed = site.client.post(
        f"/acm/requests/{rid}/close", json={"note": "Re-plan."}, headers=jpn_cdr
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert site.client.get("/acm/decisions", headers=usa_cdr).json() == []


def test_partner_cannot_amend_send_or_withdraw_the_owner_request(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    rid = _draft(site, jpn_cdr)["id"]
    before = site.ledger_events()
    # A draft is staff work at home: to the partner it does not exist yet.
    assert_error(site.client.get(f"/acm/requests/{rid}", headers=usa_cdr), 404, "not_found")
    assert_error(site.client.post(f"/acm/requests/{rid}/send", headers=usa_cdr), 404, "not_found")
    assert site.ledger_events() == before
    sent = site.client.post(f"/acm/requests/{rid}/send", headers=jpn_cdr)
    assert sent.status_code == 200, sent.text
    assert sent.json()["marking"]["releasable_to"] == ["JPN", "USA"]
    before = site.ledger_events()
    assert site.client.get(f"/acm/requests/{rid}", headers=usa_cdr).status_code == 200
    assert_error(
        site.client.patch(f"/acm/requests/{rid}", json={"subject": "USA edit"}, headers=usa_cdr),
        403,
        "not_owner_nation",
    )
    assert_error(
        site.client.post(f"/acm/requests/{rid}/withdraw", json={}, headers=usa_cdr),
        403,
        "not_owner_nation",
    )
    assert site.ledger_events() == before
    withdrawn = site.client.post(f"/acm/requests/{rid}/withdraw", json={}, headers=jpn_cdr)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"


def test_a_draft_is_national_only_until_it_is_sent(site: Site) -> None:
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    draft = _draft(site, jpn_staff)
    assert draft["marking"]["releasable_to"] == ["JPN"]
    assert draft["release_marking"]["releasable_to"] == ["JPN", "USA"]
    listed = {r["id"] for r in site.client.get("/acm/requests", headers=usa_cdr).json()}
    assert draft["id"] not in listed
    seen = {
        e["event"]["object"]["id"]
        for e in site.client.get("/ledger/events", params={"limit": 1000}, headers=usa_cdr).json()
    }
    assert draft["id"] not in seen
    site.client.post(f"/acm/requests/{draft['id']}/send", headers=jpn_staff)
    listed = {r["id"] for r in site.client.get("/acm/requests", headers=usa_cdr).json()}
    assert draft["id"] in listed


def test_request_must_be_released_to_its_addressees(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    before = site.ledger_events()
    data = {
        "kind": "rfi",
        "from_hq_id": "jpn-jjoc",
        "to_hq_ids": ["usa-jfhq"],
        "subject": "Unreleasable question",
    }
    body = assert_error(
        site.client.post("/acm/requests", json=data, headers=jpn_cdr),
        422,
        "not_released_to_addressee",
        field="marking.releasable_to",
    )
    assert "USA" in body["message"]["en"]
    assert "USA" in body["message"]["ja"]
    assert_error(
        site.client.post("/acm/requests", json={**data, "to_hq_ids": ["jpn-gcc"]}, headers=jpn_cdr),
        422,
        "addressee_same_nation",
        field="to_hq_ids.0",
    )
    assert site.ledger_events() == before
    assert site.client.get("/acm/requests", headers=jpn_cdr).json() == []

    # Narrowing the marking of a sent request is refused, and the refused amendment
    # leaves no trace: the subject changed in the same call is not stored either.
    rid = _draft(site, jpn_cdr)["id"]
    site.client.post(f"/acm/requests/{rid}/send", headers=jpn_cdr).raise_for_status()
    before = site.ledger_events()
    narrowed = site.client.patch(
        f"/acm/requests/{rid}",
        json={"subject": "Should not stick", "marking": {"releasable_to": []}},
        headers=jpn_cdr,
    )
    assert_error(narrowed, 422, "not_released_to_addressee", field="marking.releasable_to")
    request = site.client.get(f"/acm/requests/{rid}", headers=jpn_cdr).json()["request"]
    assert request["subject"].startswith("Bilateral air defense")
    assert (request["revision"], request["version"]) == (1, 2)
    assert site.ledger_events() == before


def test_working_group_members_add_meetings_and_own_their_action_items(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    made = site.client.post(
        "/acm/groups",
        json={
            "id": "jpn-wg-iamd",
            "name_en": "Bilateral IAMD Working Group",
            "name_ja": "日米統合防空ミサイル防衛作業部会",
            "members": [
                {"nation": "JPN", "name": "J3 IAMD", "hq_id": "jpn-jjoc"},
                {"nation": "usa", "name": "J3 Air Defense", "hq_id": "usa-jfhq"},
            ],
            "marking": {"releasable_to": ["USA"]},
        },
        headers=jpn_cdr,
    )
    assert made.status_code == 201, made.text
    assert made.json()["nations"] == ["JPN", "USA"]

    meeting = site.client.post(
        "/acm/groups/jpn-wg-iamd/meetings",
        json={"starts_at": "050100ZAUG26", "location": "Yokota", "agenda": "Patriot sites"},
        headers=usa_staff,
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    assert meeting.json()["owner"] == "USA"
    assert_error(
        site.client.patch(f"/acm/meetings/{mid}", json={"minutes": "JPN edit"}, headers=jpn_staff),
        403,
        "not_owner_nation",
    )
    minutes = site.client.patch(
        f"/acm/meetings/{mid}", json={"minutes": "Agreed."}, headers=usa_staff
    )
    assert minutes.status_code == 200
    assert minutes.json()["minutes"] == "Agreed."

    action = site.client.post(
        "/acm/groups/jpn-wg-iamd/actions",
        json={"title": "Survey Kadena sites", "assignee": "USFJ J3", "meeting_id": mid},
        headers=usa_staff,
    )
    assert action.status_code == 201, action.text
    aid = action.json()["id"]
    assert action.json()["owner"] == "USA"
    assert_error(
        site.client.patch(f"/acm/actions/{aid}", json={"state": "done"}, headers=jpn_cdr),
        403,
        "not_owner_nation",
    )
    assert_error(
        site.client.post(
            "/acm/groups/jpn-wg-iamd/actions",
            json={"title": "Viewer task"},
            headers=site.as_("JPN", "viewer", "jpn-jjoc"),
        ),
        403,
        "role_not_authorized",
    )
    done = site.client.patch(f"/acm/actions/{aid}", json={"state": "done"}, headers=usa_staff)
    assert done.status_code == 200
    assert done.json()["state"] == "done"
    actions = site.client.get("/acm/groups/jpn-wg-iamd/actions", headers=jpn_staff).json()
    assert [(a["id"], a["state"]) for a in actions] == [(aid, "done")]


def test_only_member_nations_add_meetings_and_actions(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    group = {
        "id": "jpn-wg-aus",
        "name_en": "Japan-Australia Working Group",
        "name_ja": "日豪作業部会",
        "members": [{"nation": "JPN", "name": "J5"}, {"nation": "AUS", "name": "HQJOC J5"}],
    }
    assert_error(
        site.client.post("/acm/groups", json=group, headers=jpn_cdr),
        422,
        "not_released_to_members",
        field="marking.releasable_to",
    )
    made = site.client.post(
        "/acm/groups",
        json={**group, "marking": {"releasable_to": ["AUS", "USA"]}},
        headers=jpn_cdr,
    )
    assert made.status_code == 201, made.text
    before = site.ledger_events()
    body = assert_error(
        site.client.post(
            "/acm/groups/jpn-wg-aus/meetings", json={"starts_at": "050100ZAUG26"}, headers=usa_cdr
        ),
        403,
        "not_member",
    )
    assert "USA" in body["message"]["en"]
    assert_error(
        site.client.post("/acm/groups/jpn-wg-aus/actions", json={"title": "x"}, headers=usa_cdr),
        403,
        "not_member",
    )
    assert site.ledger_events() == before
    # JPN cannot set up a group it is not a member of.
    others = [{"nation": "USA", "name": "a"}, {"nation": "AUS", "name": "b"}]
    assert_error(
        site.client.post(
            "/acm/groups",
            json={**group, "id": "jpn-x", "members": others, "marking": {"releasable_to": ["USA"]}},
            headers=jpn_cdr,
        ),
        422,
        "not_bilateral",
        field="members",
    )
    assert site.ledger_events() == before
