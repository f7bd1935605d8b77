"""One error shape for the whole API, and malformed input that changes nothing."""

from __future__ import annotations

import re
from typing import Any

import httpx

from .conftest import Site, assert_error

UNIT: dict[str, Any] = {
    "hq_id": "jpn-gcc",
    "name_en": "1st Airborne Brigade",
    "name_ja": "第1空挺団",
    "sidc": "SFGPUCIA---H---",
    "domain": "land",
}
HQ: dict[str, Any] = {
    "nation": "JPN",
    "parent_id": "jpn-jjoc",
    "kind": "component",
    "name_en": "Cyber Defense Command",
    "name_ja": "自衛隊サイバー防衛隊",
    "short_en": "JCDC",
    "short_ja": "サイバー防衛隊",
}
RELATIONSHIP: dict[str, Any] = {
    "kind": "tacon",
    "superior": {"kind": "hq", "id": "jpn-jjoc"},
    "subordinate": {"kind": "unit", "id": "jpn-ardb"},
    "valid_from": "010000ZJAN25",
}
REQUEST: dict[str, Any] = {
    "kind": "rfi",
    "from_hq_id": "jpn-jjoc",
    "to_hq_ids": ["usa-jfhq"],
    "subject": "Ammunition co-production status",
    "marking": {"releasable_to": ["USA"]},
}

# (method, path, body, expected code, expected field)
MALFORMED: list[tuple[str, str, Any, str, str]] = [
    # missing, unknown, wrongly typed and oversized fields
    ("POST", "/org/units", {k: v for k, v in UNIT.items() if k != "hq_id"}, "invalid", "hq_id"),
    ("POST", "/org/units", {**UNIT, "colour": "green"}, "invalid", "colour"),
    ("POST", "/org/units", {**UNIT, "name_en": "x" * 201}, "invalid", "name_en"),
    ("POST", "/org/units", {**UNIT, "name_en": "   "}, "invalid", "name_en"),
    ("POST", "/org/units", {**UNIT, "domain": "underwater"}, "invalid", "domain"),
    ("POST", "/org/units", {**UNIT, "hq_id": "JPN GCC!"}, "invalid", "hq_id"),
    ("POST", "/org/units", {**UNIT, "home_en": "x" * 301}, "invalid", "home_en"),
    (
        "POST",
        "/org/hqs",
        {**HQ, "operational_authority": "maybe"},
        "invalid",
        "operational_authority",
    ),
    ("POST", "/org/hqs", {**HQ, "short_en": "S" * 41}, "invalid", "short_en"),
    ("PATCH", "/org/hqs/jpn-jjoc", {"name_en": 123}, "invalid", "name_en"),
    ("PATCH", "/org/hqs/jpn-jjoc", {"note_en": "x" * 20001}, "invalid", "note_en"),
    ("PATCH", "/org/units/jpn-ardb", {"version": "latest"}, "invalid", "version"),
    ("POST", "/org/taskings", {"unit_id": "jpn-ardb", "title": ""}, "invalid", "title"),
    ("POST", "/acm/requests", {**REQUEST, "to_hq_ids": "usa-jfhq"}, "invalid", "to_hq_ids"),
    ("POST", "/acm/requests", {**REQUEST, "to_hq_ids": []}, "invalid", "to_hq_ids"),
    ("POST", "/acm/requests", {**REQUEST, "subject": "s" * 301}, "invalid", "subject"),
    ("POST", "/acm/requests", {**REQUEST, "priority": "urgent"}, "invalid", "priority"),
    (
        "POST",
        "/acm/groups",
        {"name_en": "WG", "name_ja": "部会", "members": []},
        "invalid",
        "members",
    ),
    (
        "POST",
        "/users",
        {"name": "x", "nation": "JPN", "hq_id": "jpn-jjoc", "role": "general"},
        "invalid",
        "role",
    ),
    # broken rules of the field's own language: SIDC, nation codes, DTG, TLP
    ("POST", "/org/units", {**UNIT, "sidc": "NOT-A-SYMBOL"}, "invalid_sidc", "sidc"),
    ("POST", "/org/units", {**UNIT, "sidc": "SFGPUCI"}, "invalid_sidc", "sidc"),
    ("PATCH", "/org/units/jpn-ardb", {"sidc": "XXXXXXXXXXXXXXX"}, "invalid_sidc", "sidc"),
    ("POST", "/org/hqs", {**HQ, "nation": "XJP"}, "invalid_nation", "nation"),
    ("POST", "/org/hqs", {**HQ, "nation": "JP"}, "invalid_nation", "nation"),
    (
        "POST",
        "/org/units",
        {**UNIT, "marking": {"releasable_to": ["ZZZ"]}},
        "invalid_nation",
        "marking.releasable_to",
    ),
    (
        "POST",
        "/org/units",
        {**UNIT, "marking": {"releasable_to": ["US"]}},
        "invalid",
        "marking.releasable_to.0",
    ),
    ("POST", "/org/units", {**UNIT, "marking": {"tlp": "PURPLE"}}, "invalid_tlp", "marking.tlp"),
    (
        "POST",
        "/org/relationships",
        {**RELATIONSHIP, "valid_from": "321200ZJUL24"},
        "invalid_dtg",
        "valid_from",
    ),
    (
        "POST",
        "/org/relationships",
        {**RELATIONSHIP, "valid_from": "271200ZXYZ24"},
        "invalid_dtg",
        "valid_from",
    ),
    (
        "POST",
        "/org/relationships",
        {**RELATIONSHIP, "valid_from": "2025-01-01T00:00:00"},
        "invalid_dtg",
        "valid_from",
    ),
    (
        "POST",
        "/org/relationships",
        {**RELATIONSHIP, "valid_to": "311200ZDEC24"},
        "bad_window",
        "valid_to",
    ),
    ("POST", "/org/relationships", {**RELATIONSHIP, "kind": "command"}, "invalid", "kind"),
    (
        "POST",
        "/org/relationships",
        {**RELATIONSHIP, "superior": {"kind": "ship", "id": "x1"}},
        "invalid",
        "superior.kind",
    ),
    (
        "POST",
        "/org/taskings",
        {"unit_id": "jpn-ardb", "title": "t", "due": "tomorrow"},
        "invalid_dtg",
        "due",
    ),
    ("POST", "/acm/requests", {**REQUEST, "due": "991200ZJUL24"}, "invalid_dtg", "due"),
    ("POST", "/acm/groups/none/meetings", {"starts_at": "noon"}, "invalid_dtg", "starts_at"),
    # refused half-way through a change: the part already applied must not stick
    (
        "PATCH",
        "/org/hqs/jpn-jjoc",
        {"name_en": "Should not stick", "marking": {"releasable_to": ["USA", "ZZZ"]}},
        "invalid_nation",
        "marking.releasable_to",
    ),
    (
        "PATCH",
        "/org/units/jpn-ardb",
        {"name_en": "Should not stick", "hq_id": "usa-usarj"},
        "cross_nation_parent",
        "hq_id",
    ),
]


def _ids(case: tuple[str, str, Any, str, str]) -> str:
    method, path, _body, code, field = case
    return f"{method} {path} {field} {code}"


def _world(site: Site) -> dict[str, Any]:
    """What a JPN commander can see, plus the ledger size: must not move on bad input."""
    who = site.as_("JPN", "commander", "jpn-jjoc")
    return {
        "ledger": site.ledger_events(),
        "hqs": site.client.get("/org/hqs", headers=who).json(),
        "units": site.client.get("/org/units", headers=who).json(),
        "relationships": site.client.get("/org/relationships", headers=who).json(),
        "taskings": site.client.get("/org/taskings", headers=who).json(),
        "requests": site.client.get("/acm/requests", headers=who).json(),
        "groups": site.client.get("/acm/groups", headers=who).json(),
    }


def test_malformed_input_gets_422_naming_the_field_and_changes_nothing(site: Site) -> None:
    commander = site.as_("JPN", "commander", "jpn-jjoc")
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    before = _world(site)
    failures = []
    for case in MALFORMED:
        method, path, body, code, field = case
        who = admin if path.startswith("/users") else commander
        response = site.client.request(method, path, json=body, headers=who)
        try:
            error = assert_error(response, 422, code, field=field)
            if code == "invalid":
                # Validation errors list every problem, each in the same shape.
                assert error["errors"]
                assert all({"code", "message", "field"} <= set(e) for e in error["errors"])
                assert field in error["message"]["en"]
                assert field in error["message"]["ja"]
        except AssertionError as exc:
            failures.append(f"{_ids(case)}: {exc}")
    for content in (b"{not json", b"[1, 2, 3]", b'"a string"', b""):
        response = site.client.post(
            "/org/units", content=content, headers={**commander, "Content-Type": "application/json"}
        )
        try:
            assert_error(response, 422, "invalid", field="body")
        except AssertionError as exc:
            failures.append(f"POST /org/units {content!r}: {exc}")
    assert not failures, "\n".join(failures)
    assert _world(site) == before

    # The same calls, well formed, do change things (so the test above could fail).
    made = site.client.post("/org/units", json=UNIT, headers=commander)
    assert made.status_code == 201, made.text
    assert (
        site.client.post("/org/relationships", json=RELATIONSHIP, headers=commander).status_code
        == 201
    )
    assert site.ledger_events() == before["ledger"] + 2


BAD_QUERIES = [
    ("/org/units", {"domain": "underwater"}, "invalid", "domain"),
    ("/org/units", {"nation": "XJP"}, "invalid_nation", "nation"),
    ("/org/hqs", {"nation": "12"}, "invalid_nation", "nation"),
    ("/ledger/events", {"after": "-1"}, "invalid", "after"),
    ("/ledger/events", {"limit": "100000"}, "invalid", "limit"),
    ("/ledger/events", {"after": "first"}, "invalid", "after"),
    ("/acm/requests", {"status": "pending"}, "invalid", "status"),
    ("/time", {"at": "321200ZJUL24"}, "invalid_dtg", "at"),
    ("/org/export", {"format": "xml"}, "invalid", "format"),
]


def test_refusals_and_bad_queries_use_the_one_error_shape(site: Site) -> None:
    viewer = site.as_("USA", "viewer", "usa-jfhq")
    for path, params, code, field in BAD_QUERIES:
        assert_error(site.client.get(path, params=params, headers=viewer), 422, code, field=field)

    usa = site.as_("USA", "commander", "usa-jfhq")
    cases = [
        (site.client.get("/org/hqs"), 401, "no_token"),
        (
            site.client.get("/org/hqs", headers={"Authorization": "Bearer alc_forged"}),
            401,
            "bad_token",
        ),
        (
            site.client.get("/org/hqs", headers={"Authorization": "Basic dXNlcjpwdw=="}),
            401,
            "no_token",
        ),
        (
            site.client.patch("/org/hqs/jpn-jjoc", json={"name_en": "x"}, headers=usa),
            403,
            "not_owner_nation",
        ),
        (site.client.get("/org/hqs/no-such-hq", headers=usa), 404, "not_found"),
        (site.client.get("/no/such/endpoint", headers=usa), 404, "not_found"),
        (site.client.delete("/org/hqs/jpn-jjoc", headers=usa), 405, "method_not_allowed"),
        (
            site.client.post(
                "/org/relationships/jpn-rel-jjoc-gcc/revoke",
                headers=site.as_("JPN", "commander", "jpn-jjoc"),
            ),
            200,
            "",
        ),
        (
            site.client.post(
                "/org/relationships/jpn-rel-jjoc-gcc/revoke",
                headers=site.as_("JPN", "commander", "jpn-jjoc"),
            ),
            409,
            "already_revoked",
        ),
    ]
    for response, status, code in cases:
        if status == 200:
            assert response.status_code == 200, response.text
            continue
        body = assert_error(response, status, code)
        assert set(body) <= {"code", "message", "field", "errors"}
    unauthenticated = cases[0][0]
    assert unauthenticated.headers["www-authenticate"] == "Bearer"


def _every_route(client: httpx.Client) -> list[tuple[str, str]]:
    schema = client.get(client.base_url.join("/openapi.json")).json()
    routes = []
    for path, item in schema["paths"].items():
        for method in item:
            routes.append((method.upper(), path))
    return routes


PUBLIC = {"/healthz", "/api/v1/healthz", "/docs", "/openapi.json"}


# Signing in needs no token, by its nature: which node this is, the session a
# cookie holds (none here), and the sign-in itself (tests/api/test_signin.py).
SIGNIN = {
    ("GET", "/api/v1/signin/node"),
    ("GET", "/api/v1/signin/session"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/session/certificate"),
}


def test_every_route_needs_a_token(site: Site) -> None:
    routes = _every_route(site.client)
    guarded = [(m, p) for m, p in routes if p not in PUBLIC and (m, p) not in SIGNIN]
    assert len(guarded) >= 30, guarded
    open_routes = []
    for method, path in guarded:
        url = site.client.base_url.join(path.replace("{", "").replace("}", ""))
        for headers in ({}, {"Authorization": "Bearer alc_not-a-real-token"}):
            response = site.client.request(method, url, headers=headers, json={})
            if response.status_code != 401 or response.json()["code"] not in {
                "no_token",
                "bad_token",
            }:
                open_routes.append(f"{method} {path} -> {response.status_code}")
    assert not open_routes, open_routes
    # The health check needs none and says nothing about the node.
    health = site.client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji


def _bilingual_problems(what: str, error: dict[str, Any]) -> list[str]:
    out = []
    for item in [error, *(error.get("errors") or [])]:
        en, ja = item["message"]["en"], item["message"]["ja"]
        if ja == en or not JAPANESE.search(ja):
            out.append(f"{what}: {item['code']}: ja is not Japanese: {ja!r}")
    return out


def test_every_error_the_api_gives_has_japanese_that_is_not_english(site: Site) -> None:
    """A body FastAPI could not parse answered 400 with the English detail as 'ja'."""
    cdr = site.as_("JPN", "commander", "jpn-jjoc")
    usa = site.as_("USA", "commander", "usa-jfhq")
    as_json = {**cdr, "Content-Type": "application/json"}
    post, get = site.client.post, site.client.get
    # (what, response, status, code, field): each refused for its own reason.
    sent: list[tuple[str, httpx.Response, int, str, str | None]] = [
        ("invalid UTF-8", post("/org/units", content=b'{"name_en": "\xff"}', headers=as_json), 400, "unreadable_body", None),
        ("not JSON", post("/org/units", content=b"{not json", headers=as_json), 422, "invalid", "body"),
        ("plain text", post("/org/units", content=b"x", headers={**cdr, "Content-Type": "text/plain"}), 422, "invalid", "body"),
        ("a form", post("/org/units", data={"name_en": "x"}, headers=cdr), 422, "invalid", "body"),
        ("no endpoint", get("/no/such", headers=cdr), 404, "not_found", None),
        ("wrong method", site.client.delete("/org/hqs/jpn-jjoc", headers=cdr), 405, "method_not_allowed", None),
        ("no token", get("/org/hqs"), 401, "no_token", None),
        ("bad token", get("/org/hqs", headers={"Authorization": "Bearer alc_x"}), 401, "bad_token", None),
        ("missing field", post("/org/units", json={k: v for k, v in UNIT.items() if k != "hq_id"}, headers=cdr), 422, "invalid", "hq_id"),
        ("unknown field", post("/org/units", json={**UNIT, "colour": "green"}, headers=cdr), 422, "invalid", "colour"),
        ("too long", post("/org/units", json={**UNIT, "echelon": "e" * 33}, headers=cdr), 422, "invalid", "echelon"),
        ("too short", post("/org/units", json={**UNIT, "name_en": ""}, headers=cdr), 422, "invalid", "name_en"),
        ("wrong type", post("/org/units", json={**UNIT, "name_en": 5}, headers=cdr), 422, "invalid", "name_en"),
        ("not an integer", site.client.patch("/org/units/jpn-ardb", json={"version": "x"}, headers=cdr), 422, "invalid", "version"),
        ("too large", site.client.patch("/org/units/jpn-ardb", json={"version": 2**40}, headers=cdr), 422, "invalid", "version"),
        ("enum", post("/org/units", json={**UNIT, "domain": "underwater"}, headers=cdr), 422, "invalid", "domain"),
        ("literal", site.client.patch("/acm/actions/x", json={"state": "maybe"}, headers=cdr), 422, "invalid", "state"),
        ("pattern", post("/org/units", json={**UNIT, "hq_id": "JPN GCC!"}, headers=cdr), 422, "invalid", "hq_id"),
        ("list", post("/acm/requests", json={**REQUEST, "to_hq_ids": "usa-jfhq"}, headers=cdr), 422, "invalid", "to_hq_ids"),
        ("list too long", post("/acm/requests", json={**REQUEST, "to_hq_ids": ["usa-jfhq"] * 21}, headers=cdr), 422, "invalid", "to_hq_ids"),
        ("boolean", post("/org/hqs", json={**HQ, "operational_authority": "maybe"}, headers=cdr), 422, "invalid", "operational_authority"),
        ("NUL", post("/org/hqs", json={**HQ, "name_en": "A\x00B"}, headers=cdr), 422, "control_character", "name_en"),
        ("time range", post("/org/relationships", json={**RELATIONSHIP, "valid_from": "9999-12-31T23:00:00Z"}, headers=cdr), 422, "time_out_of_range", "valid_from"),
        ("epoch number", post("/org/relationships", json={**RELATIONSHIP, "valid_from": -5}, headers=cdr), 422, "invalid_dtg", "valid_from"),
        ("bad DTG", post("/org/relationships", json={**RELATIONSHIP, "valid_from": "321200ZJUL24"}, headers=cdr), 422, "invalid_dtg", "valid_from"),
        ("nation", post("/org/hqs", json={**HQ, "nation": "XJP"}, headers=cdr), 422, "invalid_nation", "nation"),
        ("SIDC", post("/org/units", json={**UNIT, "sidc": "NOT-A-SYMBOL"}, headers=cdr), 422, "invalid_sidc", "sidc"),
        ("TLP", post("/org/units", json={**UNIT, "marking": {"tlp": "PURPLE"}}, headers=cdr), 422, "invalid_tlp", "marking.tlp"),
        ("query integer", get("/ledger/events", params={"after": str(2**63)}, headers=cdr), 422, "invalid", "after"),
        ("query enum", get("/org/units", params={"domain": "underwater"}, headers=cdr), 422, "invalid", "domain"),
        ("not owner", site.client.patch("/org/hqs/jpn-jjoc", json={"name_en": "x"}, headers=usa), 403, "not_owner_nation", None),
        ("not found", get("/org/hqs/no-such-hq", headers=cdr), 404, "not_found", "id"),
        ("not admin", get("/users", headers=cdr), 403, "role_not_authorized", None),
    ]  # fmt: skip
    problems = []
    for what, response, status, code, field in sent:
        try:
            assert_error(response, status, code, field)
        except AssertionError as exc:
            problems.append(f"{what}: {exc}")
        problems.extend(_bilingual_problems(what, response.json()))
    assert not problems, "\n".join(problems)


def test_a_body_that_cannot_be_read_is_a_400_saying_what_to_send(site: Site) -> None:
    cdr = site.as_("JPN", "commander", "jpn-jjoc")
    response = site.client.post(
        "/org/units",
        content=b'{"name_en": "\xff"}',
        headers={**cdr, "Content-Type": "application/json"},
    )
    body = assert_error(response, 400, "unreadable_body")
    assert "application/json" in body["message"]["en"]
    assert "application/json" in body["message"]["ja"]
