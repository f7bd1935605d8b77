"""Standing disclosure guidance: without it, creating or sending an object
released beyond its owner is refused (a copy cannot get round the proposal);
the owner's foreign disclosure officer issues guidance for some object types
and nations, which staff may then release to at once, recorded with the
guidance it rested on; revoked or expired guidance covers nothing.

Through the API of a served node (JPN and USA authority), as a client sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from alliance.core.authority import Role
from tests.api.conftest import Headers, Site, assert_error

GUIDANCE = "/disclosure/guidance"
UNIT = {
    "hq_id": "jpn-gcc",
    "name_en": "Exercise Support Company",
    "name_ja": "演習支援中隊",
    "sidc": "SFGPUCIS---H---",
    "domain": "land",
}


def _fdo(site: Site, nation: str = "JPN") -> Headers:
    return site.as_(
        nation,
        Role.FOREIGN_DISCLOSURE_OFFICER.value,
        f"{nation.lower()}-" + ("jjoc" if nation == "JPN" else "jfhq"),
    )


def _unit(site: Site, who: Headers, releasable_to: list[str]) -> httpx.Response:
    return site.client.post(
        "/org/units", json={**UNIT, "marking": {"releasable_to": releasable_to}}, headers=who
    )


def _issue(site: Site, who: Headers, **body: Any) -> httpx.Response:
    data = {"object_types": ["unit"], "releasable_to": ["USA"], "note": "DDL 26-01 (fictional)"}
    data.update(body)
    return site.client.post(GUIDANCE, json=data, headers=who)


def _units(site: Site, who: Headers) -> list[str]:
    return [u["id"] for u in site.client.get("/org/units", headers=who).json()]


def test_without_guidance_a_new_object_released_to_the_partner_is_refused(bare: Site) -> None:
    jpn = bare.as_("JPN", "staff_officer", "jpn-jjoc")
    before, events = _units(bare, jpn), bare.ledger_events()
    body = assert_error(
        _unit(bare, jpn, ["USA"]), 403, "disclosure_required", "marking.releasable_to"
    )
    assert "USA" in body["message"]["en"]
    assert "standing" in body["message"]["en"]
    assert "開示基準" in body["message"]["ja"]
    # Nothing stored, nothing recorded; national-only is still allowed.
    assert _units(bare, jpn) == before
    assert bare.ledger_events() == events
    assert _unit(bare, jpn, []).status_code == 201


def test_without_guidance_a_request_to_the_partner_cannot_be_sent(bare: Site) -> None:
    jpn = bare.as_("JPN", "staff_officer", "jpn-jjoc")
    made = bare.client.post(
        "/acm/requests",
        json={
            "kind": "rfi",
            "from_hq_id": "jpn-jjoc",
            "to_hq_ids": ["usa-jfhq"],
            "subject": "Ranges available in the training box",
            "marking": {"releasable_to": ["USA"]},
        },
        headers=jpn,
    )
    assert made.status_code == 201, made.text  # a draft stays national-only
    sent = bare.client.post(f"/acm/requests/{made.json()['id']}/send", headers=jpn)
    assert_error(sent, 403, "disclosure_required", "marking.releasable_to")
    again = bare.client.get(f"/acm/requests/{made.json()['id']}", headers=jpn).json()["request"]
    assert again["state"] == "draft"
    assert again["marking"]["releasable_to"] == ["JPN"]


def test_guidance_lets_staff_release_what_it_covers_and_the_event_says_so(bare: Site) -> None:
    jpn = bare.as_("JPN", "staff_officer", "jpn-jjoc")
    issued = _issue(bare, _fdo(bare))
    assert issued.status_code == 201, issued.text
    guidance = issued.json()
    assert guidance["active"] is True
    assert guidance["marking"]["releasable_to"] == ["JPN"]  # national policy, never sent
    made = _unit(bare, jpn, ["USA"])
    assert made.status_code == 201, made.text
    unit = made.json()
    assert (
        bare.client.get(
            f"/org/units/{unit['id']}", headers=bare.as_("USA", "viewer", "usa-jfhq")
        ).status_code
        == 200
    )
    events = bare.client.get(f"/ledger/objects/unit/{unit['id']}", headers=jpn).json()
    assert events[0]["event"]["data"]["disclosure"] == {
        "guidance": [guidance["id"]],
        "added": ["USA"],
    }
    # Covered for units to USA only: a third nation, or another type, still needs a proposal.
    body = assert_error(_unit(bare, jpn, ["USA", "AUS"]), 403, "disclosure_required")
    assert "AUS" in body["message"]["en"]
    assert "USA" not in body["message"]["en"].split("to ", 1)[1].split(" discloses")[0]
    group = bare.client.post(
        "/acm/groups",
        json={
            "name_en": "Air defence working group",
            "name_ja": "防空作業部会",
            "members": [
                {"nation": "JPN", "name": "J3 IAMD", "hq_id": "jpn-jjoc"},
                {"nation": "USA", "name": "J3 Air Defense", "hq_id": "usa-jfhq"},
            ],
            "marking": {"releasable_to": ["USA"]},
        },
        headers=bare.as_("JPN", "commander", "jpn-jjoc"),
    )
    assert_error(group, 403, "disclosure_required")
    # Widening an existing national-only unit is covered too.
    quiet = _unit(bare, jpn, []).json()
    widened = bare.client.patch(
        f"/org/units/{quiet['id']}", json={"marking": {"releasable_to": ["USA"]}}, headers=jpn
    )
    assert widened.status_code == 200, widened.text


def test_only_the_nations_foreign_disclosure_officer_issues_or_revokes_guidance(bare: Site) -> None:
    for who in (
        bare.as_("JPN", "staff_officer", "jpn-jjoc"),
        bare.as_("JPN", "commander", "jpn-jjoc"),
        bare.as_("JPN", "admin", "jpn-jjoc"),
    ):
        assert_error(_issue(bare, who), 403, "disclosure_role_required")
    # The USA officer's guidance is the USA's: it lets no JPN staff release anything.
    usa_guidance = _issue(bare, _fdo(bare, "USA"), releasable_to=["JPN"])
    assert usa_guidance.status_code == 201, usa_guidance.text
    assert usa_guidance.json()["owner"] == "USA"
    jpn = bare.as_("JPN", "staff_officer", "jpn-jjoc")
    assert_error(_unit(bare, jpn, ["USA"]), 403, "disclosure_required")
    # Each nation reads only its own guidance.
    assert [g["owner"] for g in bare.client.get(GUIDANCE, headers=jpn).json()] == []
    mine = bare.client.get(GUIDANCE, headers=bare.as_("USA", "viewer", "usa-jfhq")).json()
    assert [g["id"] for g in mine] == [usa_guidance.json()["id"]]
    revoke = bare.client.post(
        f"{GUIDANCE}/{usa_guidance.json()['id']}/revoke", json={}, headers=_fdo(bare)
    )
    assert revoke.status_code == 404  # not JPN's to see, let alone revoke


def test_revoked_or_expired_guidance_covers_nothing(bare: Site) -> None:
    jpn = bare.as_("JPN", "staff_officer", "jpn-jjoc")
    fdo = _fdo(bare)
    guidance = _issue(bare, fdo).json()
    assert _unit(bare, jpn, ["USA"]).status_code == 201
    revoked = bare.client.post(
        f"{GUIDANCE}/{guidance['id']}/revoke", json={"note": "Exercise ended."}, headers=fdo
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False
    assert revoked.json()["revoked"] is not None
    assert_error(_unit(bare, jpn, ["USA"]), 403, "disclosure_required")
    assert_error(
        bare.client.post(f"{GUIDANCE}/{guidance['id']}/revoke", json={}, headers=fdo),
        409,
        "invalid_state",
    )
    now = datetime.now(UTC)
    expired = _issue(
        bare,
        fdo,
        valid_from=(now - timedelta(days=2)).isoformat(),
        valid_until=(now - timedelta(days=1)).isoformat(),
    )
    assert expired.status_code == 201, expired.text
    assert expired.json()["active"] is False
    assert_error(_unit(bare, jpn, ["USA"]), 403, "disclosure_required")
    assert [
        g["active"] for g in bare.client.get(GUIDANCE, headers=fdo, params={"active": True}).json()
    ] == []


def test_bad_guidance_is_refused_naming_the_field(bare: Site) -> None:
    fdo = _fdo(bare)
    assert_error(
        _issue(bare, fdo, object_types=["unit", "spaceship"]),
        422,
        "invalid_object_type",
        "object_types.1",
    )
    for national in ("disclosure_proposal", "industry_dataset"):  # national-only types
        assert_error(
            _issue(bare, fdo, object_types=["unit", national]),
            422,
            "invalid_object_type",
            "object_types.1",
        )
    assert_error(
        _issue(bare, fdo, releasable_to=["JPN"]), 422, "no_partner_nation", "releasable_to"
    )
    now = datetime.now(UTC)
    assert_error(
        _issue(
            bare,
            fdo,
            valid_from=now.isoformat(),
            valid_until=(now - timedelta(hours=1)).isoformat(),
        ),
        422,
        "invalid_period",
        "valid_until",
    )
    assert bare.client.get(GUIDANCE, headers=fdo).json() == []
