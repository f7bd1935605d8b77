"""The Alliance Coordination Mechanism over HTTP: requests, concurrence, decisions, working groups."""

from __future__ import annotations

import json
from typing import Any

from alliance.core.authority import Role
from alliance.store.projection import check_state
from tests.disclosure.helpers import release_over_api

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

    objection = {"grade": "critical", "text": "Kadena instead of Iruma.", "ref": "para 1"}
    counter = _respond(site, rid, "non_concur", usa_cdr, comments=[objection])
    assert counter.status_code == 201, counter.text
    assert counter.json()["owner"] == "USA"
    assert counter.json()["request_revision"] == 1
    assert counter.json()["comments"] == [objection]
    assert _status(site, rid, jpn_cdr) == "non_concurred"

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
    assert amended.json()["status"] == "sent"  # the non-concurrence was on revision 1

    # A commander states a nation's position (a staff officer only by direction, under a
    # delegation), on the current revision, from its HQ chain.
    assert_error(_respond(site, rid, "concur", usa_staff), 403, "no_delegation")
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
    not_now = [{"grade": "substantive", "text": "Not this month."}]
    assert _respond(site, rid, "non_concur", usa_cdr, comments=not_now).status_code == 201
    assert _status(site, rid, jpn_cdr) == "non_concurred"
    body = assert_error(_decide(site, rid, jpn_cdr), 409, "concurrence_missing")
    assert "USA" in body["message"]["en"]
    # The owner may still close it without a decision.
    closed = site.client.post(
        f"/acm/requests/{rid}/close", json={"note": "Re-plan."}, headers=jpn_cdr
    )
    assert closed.status_code == 200, closed.text
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
    seen = site.client.get(f"/acm/requests/{rid}", headers=usa_cdr)
    assert seen.status_code == 200, seen.text
    assert (seen.json()["request"]["owner"], seen.json()["request"]["status"]) == ("JPN", "sent")
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
    assert withdrawn.status_code == 200, withdrawn.text
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
    sent = site.client.post(f"/acm/requests/{draft['id']}/send", headers=jpn_staff)
    assert sent.status_code == 200, sent.text
    statuses = {
        r["id"]: r["status"] for r in site.client.get("/acm/requests", headers=usa_cdr).json()
    }
    assert statuses == {draft["id"]: "sent"}


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
    assert minutes.status_code == 200, minutes.text
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
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "done"
    actions = site.client.get("/acm/groups/jpn-wg-iamd/actions", headers=jpn_staff).json()
    assert [(a["id"], a["state"]) for a in actions] == [(aid, "done")]


def _release_jjoc_to_aus(site: Site) -> None:
    """A group with AUS naming jpn-jjoc needs jpn-jjoc released to AUS (and
    the HQ it names, its parent): a released object never names an unreleased
    one; and JPN's standing guidance for AUS, or the group could not be released."""
    mod = site.add_person("JPN", Role.COMMANDER, "jpn-mod")
    for hq in ("jpn-mod", "jpn-jjoc"):
        release_over_api(site, mod, "hq", hq, ["AUS"])
    # And JPN's foreign disclosure officer lets staff share the group's work with AUS.
    issued = site.client.post(
        "/disclosure/guidance",
        json={
            "object_types": ["working_group", "meeting", "action_item"],
            "releasable_to": ["AUS"],
            "note": "Japan-Australia working group (test).",
        },
        headers=site.as_("JPN", Role.FOREIGN_DISCLOSURE_OFFICER.value, "jpn-jjoc"),
    )
    assert issued.status_code == 201, issued.text


def test_only_member_nations_add_meetings_and_actions(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    group = {
        "id": "jpn-wg-aus",
        "name_en": "Japan-Australia Working Group",
        "name_ja": "日豪作業部会",
        "members": [
            {"nation": "JPN", "name": "J5", "hq_id": "jpn-jjoc"},
            {"nation": "AUS", "name": "HQJOC J5"},
        ],
    }
    assert_error(
        site.client.post("/acm/groups", json=group, headers=jpn_cdr),
        422,
        "not_released_to_members",
        field="marking.releasable_to",
    )
    _release_jjoc_to_aus(site)
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


# -- liaison officers request and comment ------------------------------------------


def test_a_liaison_officer_drafts_amends_and_sends_a_request_from_their_hq(site: Site) -> None:
    lno = site.as_("JPN", "liaison_officer", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    req = _draft(site, lno)
    rid = req["id"]
    assert (req["status"], req["owner"], req["from_hq_id"]) == ("draft", "JPN", "jpn-jjoc")
    amended = site.client.patch(f"/acm/requests/{rid}", json={"priority": "immediate"}, headers=lno)
    assert amended.status_code == 200, amended.text
    assert (amended.json()["priority"], amended.json()["version"]) == ("immediate", 2)
    sent = site.client.post(f"/acm/requests/{rid}/send", headers=lno)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    assert [r["id"] for r in site.client.get("/acm/requests", headers=usa_cdr).json()] == [rid]
    history = site.client.get(f"/ledger/objects/coordination_request/{rid}", headers=lno).json()
    grant = {
        "rule": "coordination_request.request",
        "basis": "JPN liaison_officer of jpn-jjoc, owner chain of command",
    }
    assert [(e["event"]["kind"], e["event"]["authority"]) for e in history] == [
        ("acm.request.created", grant),
        ("acm.request.amended", grant),
        ("acm.request.sent", grant),
    ]
    # A liaison officer comments on a partner's request, too.
    usa_req = _draft(
        site,
        site.as_("USA", "staff_officer", "usa-jfhq"),
        from_hq_id="usa-jfhq",
        to_hq_ids=["jpn-jjoc"],
        marking={"releasable_to": ["JPN"]},
    )
    site.client.post(
        f"/acm/requests/{usa_req['id']}/send", headers=site.as_("USA", "staff_officer", "usa-jfhq")
    ).raise_for_status()
    comment = _respond(site, usa_req["id"], "comment", lno, text="JJOC J3 will answer by 1200Z.")
    assert comment.status_code == 201, comment.text
    assert (comment.json()["owner"], comment.json()["author_role"]) == ("JPN", "liaison_officer")


def test_a_liaison_officer_never_concurs_decides_or_changes_other_objects(site: Site) -> None:
    lno = site.as_("JPN", "liaison_officer", "jpn-jjoc")
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    rid = _draft(site, jpn_cdr)["id"]
    site.client.post(f"/acm/requests/{rid}/send", headers=jpn_cdr).raise_for_status()
    before = site.ledger_events()
    graded = [{"grade": "administrative", "text": "Typo in para 2."}]
    for kind in ("concur", "concur_with_comment", "non_concur"):
        comments = graded if kind != "concur" else []
        assert_error(_respond(site, rid, kind, lno, comments=comments), 403, "role_not_authorized")
    assert_error(_decide(site, rid, lno), 403, "role_not_authorized")
    for ending in ("close", "withdraw"):
        assert_error(
            site.client.post(f"/acm/requests/{rid}/{ending}", json={}, headers=lno),
            403,
            "role_not_authorized",
        )
    # Only for the HQ they serve: not a subordinate HQ's request, not another nation's.
    body = assert_error(
        site.client.post(
            "/acm/requests",
            json={
                "kind": "rfi",
                "from_hq_id": "jpn-gcc",
                "to_hq_ids": ["usa-usarj"],
                "subject": "Ground liaison question",
                "marking": {"releasable_to": ["USA"]},
            },
            headers=lno,
        ),
        403,
        "not_in_chain",
    )
    assert "jpn-gcc" in body["message"]["en"]
    usa_rid = _draft(
        site,
        site.as_("USA", "commander", "usa-jfhq"),
        from_hq_id="usa-jfhq",
        to_hq_ids=["jpn-jjoc"],
        marking={"releasable_to": ["JPN"]},
    )["id"]
    site.client.post(
        f"/acm/requests/{usa_rid}/send", headers=site.as_("USA", "commander", "usa-jfhq")
    ).raise_for_status()
    before = site.ledger_events()
    assert_error(
        site.client.patch(f"/acm/requests/{usa_rid}", json={"subject": "x"}, headers=lno),
        403,
        "not_owner_nation",
    )
    assert site.ledger_events() == before


# -- working groups: which HQ holds a nation's part ---------------------------------


def _group(site: Site, who: Headers, gid: str, members: list[Any], rel: list[str]) -> Any:
    return site.client.post(
        "/acm/groups",
        json={
            "id": gid,
            "name_en": f"Working group {gid}",
            "name_ja": f"作業部会 {gid}",
            "members": members,
            "marking": {"releasable_to": rel},
        },
        headers=who,
    )


def test_a_working_group_names_the_hq_holding_the_creators_part(site: Site) -> None:
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    gcc_staff = site.add_person("JPN", Role.STAFF_OFFICER, "jpn-gcc")
    usa = {"nation": "USA", "name": "J3", "hq_id": "usa-jfhq"}
    before = site.ledger_events()
    body = assert_error(
        _group(site, jpn_staff, "jpn-wg-a", [{"nation": "JPN", "name": "J3"}, usa], ["USA"]),
        422,
        "no_member_hq",
        field="members",
    )
    assert "hq_id" in body["message"]["en"]
    assert "JPN" in body["message"]["ja"]
    assert_error(
        _group(
            site,
            jpn_staff,
            "jpn-wg-a",
            [{"nation": "JPN", "name": "J3", "hq_id": "usa-5af"}, usa],
            ["USA"],
        ),
        422,
        "member_hq_wrong_nation",
        field="members.0.hq_id",
    )
    assert_error(
        _group(
            site,
            jpn_staff,
            "jpn-wg-a",
            [{"nation": "JPN", "name": "J3", "hq_id": "jpn-jjoc"}, {**usa, "hq_id": "jpn-adc"}],
            ["USA"],
        ),
        422,
        "member_hq_wrong_nation",
        field="members.1.hq_id",
    )
    assert_error(
        _group(
            site,
            jpn_staff,
            "jpn-wg-a",
            [{"nation": "JPN", "name": "J3", "hq_id": "jpn-nowhere"}, usa],
            ["USA"],
        ),
        404,
        "not_found",
        field="members.0.hq_id",
    )
    # A staff officer sets up a group held by their own HQ or one below it, not above.
    assert_error(
        _group(
            site,
            gcc_staff,
            "jpn-wg-a",
            [{"nation": "JPN", "name": "J3", "hq_id": "jpn-jjoc"}, usa],
            ["USA"],
        ),
        403,
        "not_in_chain",
    )
    assert site.ledger_events() == before
    made = _group(
        site,
        gcc_staff,
        "jpn-wg-a",
        [{"nation": "JPN", "name": "G3", "hq_id": "jpn-gcc"}, usa],
        ["USA"],
    )
    assert made.status_code == 201, made.text
    assert made.json()["members"][0]["hq_id"] == "jpn-gcc"


def test_only_the_holding_hqs_chain_changes_a_nations_meetings_and_actions(site: Site) -> None:
    """A meeting or action item belongs to its nation's HQ in the group (and the HQs
    above it), not to every HQ of the nation."""
    adc_staff = site.add_person("JPN", Role.STAFF_OFFICER, "jpn-adc")
    made = _group(
        site,
        adc_staff,
        "jpn-wg-air",
        [
            {"nation": "JPN", "name": "ADC A3", "hq_id": "jpn-adc"},
            {"nation": "USA", "name": "5AF A3", "hq_id": "usa-5af"},
        ],
        ["USA"],
    )
    assert made.status_code == 201, made.text
    meeting = site.client.post(
        "/acm/groups/jpn-wg-air/meetings", json={"starts_at": "050100ZAUG26"}, headers=adc_staff
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    action = site.client.post(
        "/acm/groups/jpn-wg-air/actions",
        json={"title": "Radar coverage overlay"},
        headers=adc_staff,
    )
    assert action.status_code == 201, action.text
    aid = action.json()["id"]

    before = site.ledger_events()
    gcc = site.as_("JPN", "commander", "jpn-gcc")  # another JPN HQ, outside the ADC's chain
    body = assert_error(
        site.client.patch(f"/acm/meetings/{mid}", json={"minutes": "GCC edit"}, headers=gcc),
        403,
        "not_in_chain",
    )
    assert "jpn-adc" in body["message"]["en"]
    assert_error(
        site.client.patch(f"/acm/actions/{aid}", json={"state": "cancelled"}, headers=gcc),
        403,
        "not_in_chain",
    )
    assert_error(
        site.client.post(
            "/acm/groups/jpn-wg-air/meetings", json={"starts_at": "060100ZAUG26"}, headers=gcc
        ),
        403,
        "not_in_chain",
    )
    assert site.ledger_events() == before
    # The JJOC, above the ADC, may; so may the ADC's own staff.
    jjoc = site.as_("JPN", "commander", "jpn-jjoc")
    edited = site.client.patch(f"/acm/meetings/{mid}", json={"minutes": "Agreed."}, headers=jjoc)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["minutes"], edited.json()["version"]) == ("Agreed.", 2)
    done = site.client.patch(f"/acm/actions/{aid}", json={"state": "done"}, headers=adc_staff)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "done"
    history = site.client.get(f"/ledger/objects/meeting/{mid}", headers=jjoc).json()
    assert history[-1]["event"]["authority"] == {
        "rule": "meeting.change",
        "basis": "JPN commander of jpn-jjoc, owner chain of command",
    }


def test_a_nation_the_group_names_no_hq_of_needs_its_administrator(site: Site) -> None:
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    made = _group(
        site,
        jpn_staff,
        "jpn-wg-open",
        [
            {"nation": "JPN", "name": "J3", "hq_id": "jpn-jjoc"},
            {"nation": "USA", "name": "Maj. Chen"},  # no HQ named for USA
        ],
        ["USA"],
    )
    assert made.status_code == 201, made.text
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    before = site.ledger_events()
    body = assert_error(
        site.client.post(
            "/acm/groups/jpn-wg-open/meetings",
            json={"starts_at": "050100ZAUG26"},
            headers=usa_staff,
        ),
        403,
        "role_not_authorized",
    )
    assert "node administrator" in body["message"]["en"]
    assert "ノード管理者" in body["message"]["ja"]
    assert site.ledger_events() == before
    usa_admin = site.as_("USA", "admin", "usa-jfhq")
    meeting = site.client.post(
        "/acm/groups/jpn-wg-open/meetings", json={"starts_at": "050100ZAUG26"}, headers=usa_admin
    )
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["owner"] == "USA"
    mid = meeting.json()["id"]
    assert_error(
        site.client.patch(f"/acm/meetings/{mid}", json={"minutes": "x"}, headers=usa_staff),
        403,
        "role_not_authorized",
    )
    edited = site.client.patch(f"/acm/meetings/{mid}", json={"minutes": "y"}, headers=usa_admin)
    assert edited.status_code == 200, edited.text
    assert edited.json()["minutes"] == "y"
    # The administrator is no staff officer elsewhere: not in a group its HQ holds.
    assert_error(
        site.client.post(
            "/acm/groups/jpn-wg-open/meetings",
            json={"starts_at": "050100ZAUG26"},
            headers=site.as_("JPN", "admin", "jpn-jjoc"),
        ),
        403,
        "role_not_authorized",
    )


# -- what is not released to a nation does not exist for it ------------------------


def _same_404(response: Any, absent: Any, ident: str, missing: str) -> None:
    """A hidden object's 404 reads exactly like an absent one's, id for id."""
    hidden_body = assert_error(response, 404, "not_found")
    absent_body = assert_error(absent, 404, "not_found")
    assert _canonical(hidden_body).replace(ident, "X") == _canonical(absent_body).replace(
        missing, "X"
    )


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def test_a_groups_meetings_and_actions_do_not_exist_for_a_non_member_it_is_not_released_to(
    site: Site,
) -> None:
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _release_jjoc_to_aus(site)
    made = _group(
        site,
        jpn_staff,
        "jpn-wg-jpn-aus",
        [
            {"nation": "JPN", "name": "J5", "hq_id": "jpn-jjoc"},
            {"nation": "AUS", "name": "HQJOC J5"},
        ],
        ["AUS"],
    )
    assert made.status_code == 201, made.text
    meeting = site.client.post(
        "/acm/groups/jpn-wg-jpn-aus/meetings",
        json={"starts_at": "050100ZAUG26", "agenda": "Northern training area"},
        headers=jpn_staff,
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    action = site.client.post(
        "/acm/groups/jpn-wg-jpn-aus/actions",
        json={"title": "Share range schedule", "meeting_id": mid},
        headers=jpn_staff,
    )
    assert action.status_code == 201, action.text
    aid = action.json()["id"]

    # The member nation sees all of it.
    jpn_viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    listed = site.client.get("/acm/groups/jpn-wg-jpn-aus/meetings", headers=jpn_viewer)
    assert [m["id"] for m in listed.json()] == [mid]
    listed = site.client.get("/acm/groups/jpn-wg-jpn-aus/actions", headers=jpn_viewer)
    assert [(a["id"], a["meeting_id"]) for a in listed.json()] == [(aid, mid)]

    # USA is not a member and the group is not released to it: nothing exists.
    before = site.ledger_events()
    for role in ("commander", "viewer"):
        usa = site.as_("USA", role, "usa-jfhq")
        assert "jpn-wg-jpn-aus" not in {
            g["id"] for g in site.client.get("/acm/groups", headers=usa).json()
        }
        for part in ("meetings", "actions"):
            _same_404(
                site.client.get(f"/acm/groups/jpn-wg-jpn-aus/{part}", headers=usa),
                site.client.get(f"/acm/groups/jpn-wg-none/{part}", headers=usa),
                "jpn-wg-jpn-aus",
                "jpn-wg-none",
            )
        _same_404(
            site.client.post(
                "/acm/groups/jpn-wg-jpn-aus/meetings",
                json={"starts_at": "050100ZAUG26"},
                headers=usa,
            ),
            site.client.post(
                "/acm/groups/jpn-wg-none/meetings", json={"starts_at": "050100ZAUG26"}, headers=usa
            ),
            "jpn-wg-jpn-aus",
            "jpn-wg-none",
        )
        _same_404(
            site.client.patch(f"/acm/meetings/{mid}", json={"minutes": "x"}, headers=usa),
            site.client.patch("/acm/meetings/m-none", json={"minutes": "x"}, headers=usa),
            mid,
            "m-none",
        )
        _same_404(
            site.client.patch(f"/acm/actions/{aid}", json={"state": "done"}, headers=usa),
            site.client.patch("/acm/actions/a-none", json={"state": "done"}, headers=usa),
            aid,
            "a-none",
        )
        for object_type, ident in (
            ("working_group", "jpn-wg-jpn-aus"),
            ("meeting", mid),
            ("action_item", aid),
        ):
            _same_404(
                site.client.get(f"/ledger/objects/{object_type}/{ident}", headers=usa),
                site.client.get(f"/ledger/objects/{object_type}/x-none", headers=usa),
                ident,
                "x-none",
            )
        events = site.client.get("/ledger/events", params={"limit": 1000}, headers=usa).json()
        assert not {"jpn-wg-jpn-aus", mid, aid} & {e["event"]["object"]["id"] for e in events}
    assert site.ledger_events() == before

    # Released to USA (still not a member): USA sees the group's meetings and actions.
    shared = _group(
        site,
        jpn_staff,
        "jpn-wg-jpn-aus-usa",
        [
            {"nation": "JPN", "name": "J5", "hq_id": "jpn-jjoc"},
            {"nation": "AUS", "name": "HQJOC J5"},
        ],
        ["AUS", "USA"],
    )
    assert shared.status_code == 201, shared.text
    seen_mid = site.client.post(
        "/acm/groups/jpn-wg-jpn-aus-usa/meetings",
        json={"starts_at": "050100ZAUG26"},
        headers=jpn_staff,
    ).json()["id"]
    usa = site.as_("USA", "viewer", "usa-jfhq")
    listed = site.client.get("/acm/groups/jpn-wg-jpn-aus-usa/meetings", headers=usa)
    assert listed.status_code == 200, listed.text
    assert [m["id"] for m in listed.json()] == [seen_mid]


# -- answers and graded positions ------------------------------------------------


def _sent(site: Site, who: Headers, **changes: Any) -> str:
    rid: str = _draft(site, who, **changes)["id"]
    site.client.post(f"/acm/requests/{rid}/send", headers=who).raise_for_status()
    return rid


def test_an_rfi_is_answered_never_concurred_nor_decided(site: Site) -> None:
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    rid = _sent(
        site,
        usa_staff,
        kind="rfi",
        from_hq_id="usa-jfhq",
        to_hq_ids=["jpn-jjoc"],
        subject="Liaison cell composition",
        marking={"releasable_to": ["JPN"]},
    )
    before = site.ledger_events()
    for kind in ("concur", "concur_with_comment", "non_concur"):
        comments = [] if kind == "concur" else [{"grade": "substantive", "text": "x"}]
        body = assert_error(
            _respond(site, rid, kind, jpn_cdr, comments=comments), 422, "rfi_not_concurred", "kind"
        )
        assert "answer" in body["message"]["en"]
        assert "回答" in body["message"]["ja"]
    assert_error(_respond(site, rid, "answer", jpn_staff, text="  "), 422, "answer_needs_text")
    assert_error(_respond(site, rid, "answer", usa_cdr, text="Self."), 422, "self_acknowledge")
    assert site.ledger_events() == before
    assert _status(site, rid, usa_staff) == "sent"

    answer = _respond(site, rid, "answer", jpn_staff, text="Two officers, arriving 010900Z.")
    assert answer.status_code == 201, answer.text
    assert (answer.json()["kind"], answer.json()["owner"]) == ("answer", "JPN")
    thread = site.client.get(f"/acm/requests/{rid}", headers=usa_staff).json()
    assert thread["request"]["status"] == "answered"
    assert thread["request"]["status_name"] == {"en": "answered", "ja": "回答済"}
    assert thread["request"]["awaiting"] == []
    assert_error(_decide(site, rid, usa_cdr), 409, "rfi_not_decided")
    closed = site.client.post(f"/acm/requests/{rid}/close", json={}, headers=usa_staff)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"


def test_only_an_rfi_is_answered(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    rid = _sent(site, jpn_cdr)
    before = site.ledger_events()
    assert_error(
        _respond(site, rid, "answer", usa_cdr, text="Yes."), 422, "answer_only_for_rfi", "kind"
    )
    assert site.ledger_events() == before


def test_a_non_concurrence_needs_a_graded_comment(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    rid = _sent(site, jpn_cdr)
    before = site.ledger_events()
    body = assert_error(
        _respond(site, rid, "non_concur", usa_cdr, text="Not this month."),
        422,
        "non_concur_needs_comment",
        "comments",
    )
    for word in ("critical", "substantive", "administrative"):
        assert word in body["message"]["en"]
    assert "区分付き意見" in body["message"]["ja"]
    assert_error(
        _respond(site, rid, "non_concur", usa_cdr, comments=[{"grade": "minor", "text": "x"}]),
        422,
        "invalid",
    )
    assert_error(
        _respond(site, rid, "non_concur", usa_cdr, comments=[{"grade": "critical", "text": ""}]),
        422,
        "invalid",
    )
    # A plain concurrence carries no graded comments; a concurrence with comment does.
    graded = [{"grade": "administrative", "text": "Iruma, not Irima.", "ref": "para 1"}]
    assert_error(
        _respond(site, rid, "concur", usa_cdr, comments=graded),
        422,
        "comments_need_position",
        "comments",
    )
    assert_error(
        _respond(site, rid, "concur_with_comment", usa_cdr), 422, "comment_missing", "comments"
    )
    critical = [*graded, {"grade": "critical", "text": "Airspace not deconflicted."}]
    assert_error(
        _respond(site, rid, "concur_with_comment", usa_cdr, comments=critical),
        422,
        "critical_means_non_concur",
        "comments.1.grade",
    )
    assert site.ledger_events() == before
    assert _status(site, rid, jpn_cdr) == "sent"

    refused = _respond(site, rid, "non_concur", usa_cdr, comments=critical)
    assert refused.status_code == 201, refused.text
    assert [c["grade"] for c in refused.json()["comments"]] == ["administrative", "critical"]
    assert _status(site, rid, jpn_cdr) == "non_concurred"
    # Resolved: the partner concurs with comment, and that concurrence counts.
    agreed = _respond(site, rid, "concur_with_comment", usa_cdr, comments=graded)
    assert agreed.status_code == 201, agreed.text
    assert _status(site, rid, jpn_cdr) == "concurred"
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    decided = _decide(site, rid, jpn_cdr)
    assert decided.status_code == 201, decided.text
    kinds = {c["nation"]: c["kind"] for c in decided.json()["concurrences"]}
    assert kinds == {"JPN": "concur", "USA": "concur_with_comment"}


# -- the ACM's tiers: levels and escalation ---------------------------------------


def _escalate(site: Site, rid: str, who: Headers, **data: Any) -> Any:
    return site.client.post(f"/acm/requests/{rid}/escalate", json=data, headers=who)


def test_a_request_is_escalated_to_a_higher_tier_with_its_thread_and_marking(
    site: Site,
) -> None:
    gcc_cdr = site.as_("JPN", "commander", "jpn-gcc")
    jjoc_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    rid = _sent(
        site,
        gcc_cdr,
        kind="activity",
        level="ccc",
        from_hq_id="jpn-gcc",
        to_hq_ids=["usa-usarj"],
        subject="Shared range schedule",
        marking={"releasable_to": ["USA"], "tlp": "AMBER"},
    )
    sent = site.client.get(f"/acm/requests/{rid}", headers=gcc_cdr).json()["request"]
    assert (sent["level"], sent["escalations"]) == ("ccc", [])
    assert sent["level_name"]["ja"].startswith("各自衛隊及び米軍各軍間の調整所")
    comment = _respond(site, rid, "comment", usa_staff, text="USARJ range is booked.")
    assert comment.status_code == 201, comment.text
    graded = [{"grade": "substantive", "text": "Use the other week."}]
    assert _respond(site, rid, "non_concur", usa_cdr, comments=graded).status_code == 201

    before = site.ledger_events()
    assert_error(_escalate(site, rid, gcc_cdr, level="ccc"), 422, "not_a_higher_level", "level")
    assert_error(
        _escalate(site, rid, gcc_cdr, level="bocc", from_hq_id="jpn-adc"),
        422,
        "not_a_superior_hq",
        "from_hq_id",
    )
    # The GCC's commander does not speak for the JJOC: the request may not move up there.
    assert_error(
        _escalate(site, rid, gcc_cdr, level="bocc", from_hq_id="jpn-jjoc"), 403, "not_in_chain"
    )
    assert_error(_escalate(site, rid, usa_cdr, level="bocc"), 403, "not_owner_nation")
    assert site.ledger_events() == before

    up = _escalate(
        site,
        rid,
        jjoc_cdr,
        level="bocc",
        from_hq_id="jpn-jjoc",
        to_hq_ids=["usa-jfhq"],
        note="Not resolved at component level.",
    )
    assert up.status_code == 200, up.text
    req = up.json()
    assert (req["id"], req["level"], req["from_hq_id"], req["to_hq_ids"]) == (
        rid,
        "bocc",
        "jpn-jjoc",
        ["usa-jfhq"],
    )
    # The marking is kept, and the thread is the same thread.
    assert req["marking"]["releasable_to"] == ["JPN", "USA"]
    assert req["marking"]["tlp"] == "AMBER"
    assert req["revision"] == 2  # the component's position does not commit the BOCC
    assert req["status"] == "sent"
    [step] = req["escalations"]
    assert (step["from_level"], step["to_level"], step["revision"]) == ("ccc", "bocc", 2)
    assert step["note"] == "Not resolved at component level."
    thread = site.client.get(f"/acm/requests/{rid}", headers=usa_staff).json()
    assert [r["kind"] for r in thread["responses"]] == ["comment", "non_concur"]
    assert thread["request"]["level"] == "bocc"
    history = site.client.get(f"/ledger/objects/coordination_request/{rid}", headers=usa_cdr)
    assert [e["event"]["kind"] for e in history.json()][-1] == "acm.request.escalated"

    # On to the ACG; not back down.
    assert _escalate(site, rid, jjoc_cdr, level="acg").status_code == 200
    assert_error(_escalate(site, rid, jjoc_cdr, level="bocc"), 422, "not_a_higher_level")


def test_escalation_keeps_the_marking_so_a_new_addressee_must_already_be_released(
    site: Site,
) -> None:
    jjoc_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    rid = _sent(site, jjoc_cdr, level="ccc")
    before = site.ledger_events()
    assert_error(
        _escalate(site, rid, jjoc_cdr, level="bocc", to_hq_ids=["jpn-gcc"]),
        422,
        "addressee_same_nation",
        "to_hq_ids.0",
    )
    assert site.ledger_events() == before


# -- delegation of concurrence authority ("by direction" / 命により) ----------------


def _me(site: Site, who: Headers) -> str:
    user: str = site.client.get("/me", headers=who).json()["user"]
    return user


def _delegate(site: Site, who: Headers, delegate: str, **changes: Any) -> Any:
    data = {
        "delegate_id": delegate,
        "level": "bocc",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2099-01-01T00:00:00Z",
        "marking": {"releasable_to": ["JPN"]},
        **changes,
    }
    return site.client.post("/acm/delegations", json=data, headers=who)


def test_a_delegated_staff_officers_concurrence_counts_and_a_revoked_ones_does_not(
    site: Site,
) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    staff_id = _me(site, usa_staff)
    rid = _sent(site, jpn_cdr)
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    body = assert_error(_respond(site, rid, "concur", usa_staff), 403, "no_delegation")
    assert "BOCC" in body["message"]["en"]
    assert "命により" in body["message"]["ja"]

    given = _delegate(site, usa_cdr, staff_id)
    assert given.status_code == 201, given.text
    delegation = given.json()
    assert (delegation["owner"], delegation["hq_id"], delegation["level"]) == (
        "USA",
        "usa-jfhq",
        "bocc",
    )
    assert delegation["delegate_name"] == "USA staff_officer usa-jfhq"
    assert delegation["revoked"] is None
    concur = _respond(site, rid, "concur", usa_staff, text="Concur, by direction.")
    assert concur.status_code == 201, concur.text
    assert concur.json()["delegation_id"] == delegation["id"]
    assert concur.json()["by_direction_of"] == "USA commander usa-jfhq"
    history = site.client.get(
        f"/ledger/objects/coordination_response/{concur.json()['id']}", headers=usa_cdr
    ).json()
    assert "by direction of USA commander usa-jfhq" in history[0]["event"]["authority"]["basis"]
    decided = _decide(site, rid, jpn_cdr)
    assert decided.status_code == 201, decided.text
    usa = next(c for c in decided.json()["concurrences"] if c["nation"] == "USA")
    assert (usa["role"], usa["by_direction_of"], usa["delegation_id"]) == (
        "staff_officer",
        "USA commander usa-jfhq",
        delegation["id"],
    )

    # Revoked: from now on the staff officer's position is refused, and nothing is stored.
    revoked = site.client.post(
        f"/acm/delegations/{delegation['id']}/revoke", json={"note": "Back."}, headers=usa_cdr
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked"] is not None
    again = _sent(site, jpn_cdr)
    before = site.ledger_events()
    assert_error(_respond(site, again, "concur", usa_staff), 403, "no_delegation")
    graded = [{"grade": "critical", "text": "No."}]
    assert_error(
        _respond(site, again, "non_concur", usa_staff, comments=graded), 403, "no_delegation"
    )
    assert site.ledger_events() == before
    assert_error(_decide(site, again, jpn_cdr), 409, "concurrence_missing")
    assert_error(
        site.client.post(f"/acm/delegations/{delegation['id']}/revoke", json={}, headers=usa_cdr),
        409,
        "wrong_state",
    )
    kinds = [
        e["event"]["kind"]
        for e in site.client.get(
            f"/ledger/objects/delegation/{delegation['id']}", headers=usa_cdr
        ).json()
    ]
    assert kinds == ["acm.delegation.given", "acm.delegation.revoked"]


def test_a_delegation_covers_its_level_and_period_only(site: Site) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    staff_id = _me(site, usa_staff)
    assert _delegate(site, usa_cdr, staff_id, level="ccc").status_code == 201
    expired = {"valid_from": "2020-01-01T00:00:00Z", "valid_until": "2020-02-01T00:00:00Z"}
    assert _delegate(site, usa_cdr, staff_id, **expired).status_code == 201
    later = {"valid_from": "2098-01-01T00:00:00Z"}
    assert _delegate(site, usa_cdr, staff_id, **later).status_code == 201
    rid = _sent(site, jpn_cdr)  # at the BOCC
    assert_error(_respond(site, rid, "concur", usa_staff), 403, "no_delegation")
    ccc = _sent(site, jpn_cdr, level="ccc")
    assert _respond(site, ccc, "concur", usa_staff).status_code == 201


def test_only_a_commander_delegates_to_a_named_staff_officer_of_their_own_hq(
    site: Site,
) -> None:
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    usa_staff = site.as_("USA", "staff_officer", "usa-jfhq")
    staff_id = _me(site, usa_staff)
    other_hq = _me(site, site.add_person("USA", Role.STAFF_OFFICER, "usa-5af"))
    before = site.ledger_events()
    assert_error(_delegate(site, usa_staff, staff_id), 403, "role_not_authorized")
    assert_error(
        _delegate(site, usa_cdr, _me(site, site.as_("USA", "liaison_officer", "usa-jfhq"))),
        403,
        "delegate_not_staff",
    )
    assert_error(_delegate(site, usa_cdr, other_hq), 403, "delegate_not_own_staff")
    jpn_staff = _me(site, site.as_("JPN", "staff_officer", "jpn-jjoc"))
    assert_error(_delegate(site, usa_cdr, jpn_staff), 404, "not_found", "delegate_id")
    assert_error(_delegate(site, usa_cdr, "nobody-here"), 404, "not_found", "delegate_id")
    assert_error(
        _delegate(site, usa_cdr, staff_id, valid_until="2025-01-01T00:00:00Z"),
        422,
        "empty_period",
        "valid_until",
    )
    assert site.ledger_events() == before
    # A partner does not revoke another nation's delegation.
    made = _delegate(site, usa_cdr, staff_id).json()
    assert_error(
        site.client.post(
            f"/acm/delegations/{made['id']}/revoke",
            json={},
            headers=site.as_("JPN", "commander", "jpn-jjoc"),
        ),
        403,
        "not_owner_nation",
    )


# -- a coordinated outcome, implemented by each nation's own decision -------------


def _outcome(site: Site) -> tuple[str, str]:
    """A request both commanders concurred on, and its coordinated outcome."""
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    rid = _sent(site, jpn_cdr)
    assert _respond(site, rid, "concur", usa_cdr).status_code == 201
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    decided = _decide(site, rid, jpn_cdr)
    assert decided.status_code == 201, decided.text
    return rid, str(decided.json()["id"])


def _unit(site: Site, who: Headers, ident: str, hq: str) -> str:
    made = site.client.post(
        "/org/units",
        json={
            "id": ident,
            "hq_id": hq,
            "name_en": "Exercise air defense battery (fictional)",
            "name_ja": "演習用防空中隊（架空）",
            "sidc": "10031000001211000000",
            "domain": "land",
        },
        headers=who,
    )
    assert made.status_code == 201, made.text
    return ident


def _national(site: Site, outcome: str, who: Headers, **data: Any) -> Any:
    body = {"course": "implement", "summary": "Implement as coordinated.", **data}
    return site.client.post(f"/acm/decisions/{outcome}/national", json=body, headers=who)


def test_each_nation_implements_the_outcome_with_its_own_decision_and_taskings(
    site: Site,
) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    unit = _unit(site, jpn_cdr, "jpn-mx-battery", "jpn-jjoc")
    rid, outcome = _outcome(site)

    decided = _national(
        site,
        outcome,
        jpn_cdr,
        summary="JJOC implements: battery to Iruma.",
        taskings=[{"unit_id": unit, "title": "Deploy to Iruma, 1-14 Aug (exercise)"}],
    )
    assert decided.status_code == 201, decided.text
    national = decided.json()
    assert (national["owner"], national["course"], national["hq_id"]) == (
        "JPN",
        "implement",
        "jpn-jjoc",
    )
    assert national["outcome_id"] == outcome
    assert national["request_id"] == rid
    [tasking_id] = national["tasking_ids"]
    taskings = site.client.get("/org/taskings", headers=jpn_cdr).json()
    tasking = next(t for t in taskings if t["id"] == tasking_id)
    assert (tasking["unit_id"], tasking["owner"]) == (unit, "JPN")
    # The tasking and the national decision were one transaction, recorded in order.
    events = site.client.get("/ledger/events", params={"limit": 1000}, headers=jpn_cdr).json()
    kinds = [e["event"]["kind"] for e in events]
    assert kinds[-2:] == ["org.tasking.issued", "acm.national_decision.implement"]

    # A national decision is the nation's own: national-only, the partner does not see it.
    usa_view = site.client.get(f"/acm/requests/{rid}", headers=usa_cdr).json()["decision"]
    assert usa_view["national_decisions"] == []
    jpn_view = site.client.get(f"/acm/requests/{rid}", headers=jpn_cdr).json()["decision"]
    assert [n["id"] for n in jpn_view["national_decisions"]] == [national["id"]]

    # The partner decides for itself, and tells JPN.
    usa_decided = _national(
        site,
        outcome,
        usa_cdr,
        course="not_implement",
        summary="Not this cycle.",
        marking={"releasable_to": ["JPN"]},
    )
    assert usa_decided.status_code == 201, usa_decided.text
    seen = site.client.get(f"/acm/decisions/{outcome}/national", headers=jpn_cdr).json()
    assert [(n["owner"], n["course"]) for n in seen] == [
        ("JPN", "implement"),
        ("USA", "not_implement"),
    ]


def test_a_national_decision_is_a_commanders_in_the_nations_chain_and_all_or_nothing(
    site: Site,
) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    unit = _unit(site, jpn_cdr, "jpn-mx-battery", "jpn-jjoc")
    _rid, outcome = _outcome(site)
    before = site.ledger_events()
    assert_error(
        _national(site, outcome, site.as_("JPN", "staff_officer", "jpn-jjoc")),
        403,
        "role_not_authorized",
    )
    assert_error(
        _national(site, outcome, site.as_("JPN", "commander", "jpn-adc")), 403, "not_in_chain"
    )
    assert_error(_national(site, outcome, jpn_cdr, hq_id="jpn-gcc"), 422, "not_in_chain", "hq_id")
    task = {"unit_id": unit, "title": "Deploy (exercise)"}
    assert_error(
        _national(site, outcome, jpn_cdr, course="not_implement", taskings=[task]),
        422,
        "taskings_need_implement",
        "taskings",
    )
    # A partner's unit is the partner's to task: the whole decision is refused.
    partner_unit = {"unit_id": "usa-12mlr", "title": "Move (exercise)"}
    assert_error(
        _national(site, outcome, jpn_cdr, taskings=[task, partner_unit]), 403, "not_owner_nation"
    )
    # Released to the partner, it may not name a national-only tasking.
    assert_error(
        _national(site, outcome, jpn_cdr, taskings=[task], marking={"releasable_to": ["USA"]}),
        422,
        "reference_not_released",
        "tasking_ids.0",
    )
    assert site.ledger_events() == before
    assert site.client.get("/org/taskings", headers=jpn_cdr).json() == []
    assert_error(_national(site, "no-such-outcome", jpn_cdr), 404, "not_found")


# -- bilingual data: the Japanese subject and title beside the English -------------

SUBJECT_JA = "日米防空演習：ペトリオット部隊の共同配置（想定）"
IAMD_GROUP = {
    "id": "jpn-wg-iamd",
    "name_en": "Bilateral IAMD Working Group",
    "name_ja": "日米統合防空ミサイル防衛作業部会",
    "members": [
        {"nation": "JPN", "name": "J3 IAMD", "hq_id": "jpn-jjoc"},
        {"nation": "USA", "name": "J3 Air Defense", "hq_id": "usa-jfhq"},
    ],
    "marking": {"releasable_to": ["USA"]},
}


def test_the_japanese_subject_and_title_go_in_and_come_out_beside_the_english(
    site: Site,
) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    english = "Bilateral air defense exercise, Patriot co-location"

    req = _draft(site, jpn_staff, subject_ja=f"  {SUBJECT_JA} ")  # trimmed, as the subject is
    rid = req["id"]
    assert (req["subject"], req["subject_ja"]) == (english, SUBJECT_JA)
    site.client.post(f"/acm/requests/{rid}/send", headers=jpn_staff)
    # The partner reads both, in the thread and in the list.
    thread = site.client.get(f"/acm/requests/{rid}", headers=usa_cdr).json()["request"]
    assert (thread["subject"], thread["subject_ja"]) == (english, SUBJECT_JA)
    [listed] = site.client.get("/acm/requests", headers=usa_cdr).json()
    assert listed["subject_ja"] == SUBJECT_JA
    # Amended, then removed ("" is no Japanese subject); the English one stays.
    amended = site.client.patch(
        f"/acm/requests/{rid}", json={"subject_ja": "日米防空演習（改）"}, headers=jpn_staff
    )
    assert amended.status_code == 200, amended.text
    assert (amended.json()["subject"], amended.json()["subject_ja"]) == (
        english,
        "日米防空演習（改）",
    )
    cleared = site.client.patch(f"/acm/requests/{rid}", json={"subject_ja": ""}, headers=jpn_staff)
    assert (cleared.json()["subject"], cleared.json()["subject_ja"]) == (english, "")
    site.client.patch(f"/acm/requests/{rid}", json={"subject_ja": SUBJECT_JA}, headers=jpn_staff)
    # The coordinated outcome names the request in both languages.
    assert _respond(site, rid, "concur", usa_cdr).status_code == 201
    assert _respond(site, rid, "concur", jpn_cdr).status_code == 201
    decided = _decide(site, rid, jpn_cdr)
    assert decided.status_code == 201, decided.text
    assert (decided.json()["subject"], decided.json()["subject_ja"]) == (english, SUBJECT_JA)
    [logged] = site.client.get("/acm/decisions", headers=usa_cdr).json()
    assert logged["subject_ja"] == SUBJECT_JA
    # Without one, the Japanese subject is empty, not absent.
    plain = _draft(site, jpn_staff)
    assert plain["subject_ja"] == ""

    made = site.client.post("/acm/groups", json=IAMD_GROUP, headers=jpn_cdr)
    assert made.status_code == 201, made.text
    action = site.client.post(
        "/acm/groups/jpn-wg-iamd/actions",
        json={"title": "Survey sites", "title_ja": "配置候補地の調査", "assignee": "JJOC J3"},
        headers=jpn_staff,
    )
    assert action.status_code == 201, action.text
    assert (action.json()["title"], action.json()["title_ja"]) == (
        "Survey sites",
        "配置候補地の調査",
    )
    untitled = site.client.post(
        "/acm/groups/jpn-wg-iamd/actions", json={"title": "Draft MSEL"}, headers=jpn_staff
    )
    assert untitled.json()["title_ja"] == ""
    seen = site.client.get("/acm/groups/jpn-wg-iamd/actions", headers=usa_cdr).json()
    assert sorted((a["title"], a["title_ja"]) for a in seen) == [
        ("Draft MSEL", ""),
        ("Survey sites", "配置候補地の調査"),
    ]
    # The tables still say what the ledger says.
    assert check_state(site.node.db, site.node.types).ok


def test_a_japanese_subject_or_title_too_long_or_with_a_control_character_is_refused(
    site: Site,
) -> None:
    jpn_cdr = site.as_("JPN", "commander", "jpn-jjoc")
    jpn_staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    assert site.client.post("/acm/groups", json=IAMD_GROUP, headers=jpn_cdr).status_code == 201
    req = _draft(site, jpn_staff, subject_ja=SUBJECT_JA)
    events = site.ledger_events()
    base = {
        "kind": "rfs",
        "from_hq_id": "jpn-jjoc",
        "to_hq_ids": ["usa-jfhq"],
        "subject": "Patriot co-location",
        "marking": {"releasable_to": ["USA"]},
    }
    for bad, code in (
        ("長" * 301, "invalid"),
        ("件名\u0000", "control_character"),
        ("件名\n二行目", "control_character"),
        ("\u202e名件", "control_character"),
    ):
        assert_error(
            site.client.post("/acm/requests", json={**base, "subject_ja": bad}, headers=jpn_staff),
            422,
            code,
            field="subject_ja",
        )
        assert_error(
            site.client.patch(
                f"/acm/requests/{req['id']}", json={"subject_ja": bad}, headers=jpn_staff
            ),
            422,
            code,
            field="subject_ja",
        )
        assert_error(
            site.client.post(
                "/acm/groups/jpn-wg-iamd/actions",
                json={"title": "Survey sites", "title_ja": bad},
                headers=jpn_staff,
            ),
            422,
            code,
            field="title_ja",
        )
    # Nothing of them was stored or recorded.
    assert site.ledger_events() == events
    requests = site.client.get("/acm/requests", headers=jpn_staff).json()
    assert [(r["id"], r["subject_ja"]) for r in requests] == [(req["id"], SUBJECT_JA)]
    assert site.client.get("/acm/groups/jpn-wg-iamd/actions", headers=jpn_staff).json() == []
    # At the limit, taken.
    long = site.client.post(
        "/acm/requests", json={**base, "subject_ja": "長" * 300}, headers=jpn_staff
    )
    assert long.status_code == 201, long.text
