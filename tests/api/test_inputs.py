"""Inputs that broke PostgreSQL or the server (issue 9) are refused at the edge.

Every case here once answered 500 on PostgreSQL, or was stored as given: a NUL
in a name, an echelon longer than its column, a right-to-left override in a
unit's name, a time at the edge of ``datetime`` or given as an epoch number, a
ledger position past 64 bits. Now each is a 422 naming the field, nothing is
stored, and the same request with a sane value works (so the refusal is about
the value, not the call). Values the edge lets through and the database still
refuses answer 422 ``unstorable_value``, never 500, and the node keeps writing.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from alliance.api.deps import ActorDep, NodeDep
from alliance.core.limits import LABEL, MAX_SEQ, MAX_VERSION, SHORT_TEXT
from alliance.node import Node
from alliance.org import Domain, HqIn, HqKind, HqOut, UnitIn, UnitOut
from alliance.pki import Pki, client_context
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.federation.helpers import served_pair

from .conftest import Site, assert_error

HQ: dict[str, Any] = {
    "nation": "JPN",
    "parent_id": "jpn-jjoc",
    "kind": "component",
    "name_en": "Cyber Defense Command",
    "name_ja": "自衛隊サイバー防衛隊",
    "short_en": "JCDC",
    "short_ja": "サイバー防衛隊",
}
UNIT: dict[str, Any] = {
    "hq_id": "jpn-gcc",
    "name_en": "1st Airborne Brigade",
    "name_ja": "第1空挺団",
    "sidc": "SFGPUCIA---H---",
    "domain": "land",
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
GROUP: dict[str, Any] = {
    "name_en": "Bilateral IAMD Working Group",
    "name_ja": "日米統合防空ミサイル防衛作業部会",
    "members": [
        {"nation": "JPN", "name": "J3 IAMD", "hq_id": "jpn-jjoc"},
        {"nation": "USA", "name": "J3 Air Defense", "hq_id": "usa-jfhq"},
    ],
    "marking": {"releasable_to": ["USA"]},
}


@dataclass
class Scene:
    """A served combined node with one of each ACM object, all JPN's."""

    site: Site
    group: str
    meeting: str
    action: str
    request: str

    @property
    def jpn(self) -> dict[str, str]:
        return self.site.as_("JPN", "commander", "jpn-jjoc")

    def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        who = (
            self.site.as_("JPN", "admin", "jpn-jjoc")
            if path.startswith(("/users", "/federation"))
            else self.jpn
        )
        return self.site.client.request(method, path, json=body, headers=who)

    def world(self) -> dict[str, Any]:
        """The ledger size and what the JPN commander sees: must not move on bad input."""
        get = self.site.client.get
        return {
            "ledger": self.site.ledger_events(),
            "hqs": get("/org/hqs", headers=self.jpn).json(),
            "units": get("/org/units", headers=self.jpn).json(),
            "requests": get("/acm/requests", headers=self.jpn).json(),
            "meetings": get(f"/acm/groups/{self.group}/meetings", headers=self.jpn).json(),
            "actions": get(f"/acm/groups/{self.group}/actions", headers=self.jpn).json(),
        }


def _made(response: httpx.Response) -> str:
    assert response.status_code == 201, response.text
    ident: str = response.json()["id"]
    return ident


@pytest.fixture
def scene(site: Site) -> Scene:
    jpn = site.as_("JPN", "commander", "jpn-jjoc")
    post = site.client.post
    group = _made(post("/acm/groups", json={**GROUP, "id": "jpn-wg-iamd"}, headers=jpn))
    meeting = _made(
        post(f"/acm/groups/{group}/meetings", json={"starts_at": "050100ZAUG26"}, headers=jpn)
    )
    action = _made(post(f"/acm/groups/{group}/actions", json={"title": "Survey"}, headers=jpn))
    request = _made(post("/acm/requests", json=REQUEST, headers=jpn))
    return Scene(site, group, meeting, action, request)


# Running texts (notes, minutes) keep zero-width joiners and marks, which some
# scripts need; names and ids refuse every invisible character.
RUNNING_TEXT = {
    "note_ja",
    "detail",
    "caveats_en",
    "note_en",
    "minutes",
    "body",
    "text",
    "summary",
    "note",
}


def _cases(scene: Scene, value: str) -> list[tuple[str, str, Any, str]]:
    """(method, path, body, field) for every text a user names or writes, set to ``value``."""
    s = scene
    member = {"nation": "JPN", "name": value}
    return [
        ("POST", "/users", {"name": value, "nation": "JPN", "hq_id": "jpn-jjoc", "role": "viewer"}, "name"),
        ("POST", "/org/hqs", {**HQ, "name_en": value}, "name_en"),
        ("POST", "/org/hqs", {**HQ, "id": f"jpn-{value}", "name_ja": "x"}, "id"),
        ("POST", "/org/hqs", {**HQ, "short_en": value}, "short_en"),
        ("POST", "/org/hqs", {**HQ, "note_ja": f"注記{value}"}, "note_ja"),
        ("PATCH", "/org/hqs/jpn-jjoc", {"location_en": value}, "location_en"),
        ("POST", "/org/units", {**UNIT, "name_ja": value}, "name_ja"),
        ("POST", "/org/units", {**UNIT, "id": f"jpn-{value}"}, "id"),
        ("POST", "/org/units", {**UNIT, "echelon": value}, "echelon"),
        ("PATCH", "/org/units/jpn-ardb", {"home_en": value}, "home_en"),
        ("POST", "/org/taskings", {"unit_id": "jpn-ardb", "title": value}, "title"),
        ("POST", "/org/taskings", {"unit_id": "jpn-ardb", "title": "t", "detail": value}, "detail"),
        ("POST", "/org/relationships", {**RELATIONSHIP, "caveats_en": value}, "caveats_en"),
        ("POST", "/org/counterparts", {"hq_id": "jpn-jjoc", "partner_hq_id": "usa-jfhq", "note_en": value}, "note_en"),
        ("POST", "/acm/groups", {**GROUP, "name_en": value}, "name_en"),
        ("POST", "/acm/groups", {**GROUP, "id": f"jpn-wg-{value}"}, "id"),
        ("POST", "/acm/groups", {**GROUP, "members": [member, GROUP["members"][1]]}, "members.0.name"),
        ("POST", f"/acm/groups/{s.group}/meetings", {"starts_at": "050100ZAUG26", "location": value}, "location"),
        ("PATCH", f"/acm/meetings/{s.meeting}", {"minutes": value}, "minutes"),
        ("POST", f"/acm/groups/{s.group}/actions", {"title": value}, "title"),
        ("PATCH", f"/acm/actions/{s.action}", {"assignee": value}, "assignee"),
        ("POST", "/acm/requests", {**REQUEST, "subject": value}, "subject"),
        ("POST", "/acm/requests", {**REQUEST, "to_hq_ids": [f"usa-{value}"]}, "to_hq_ids.0"),
        ("PATCH", f"/acm/requests/{s.request}", {"body": value}, "body"),
        ("POST", f"/acm/requests/{s.request}/responses", {"kind": "comment", "text": value}, "text"),
        ("POST", f"/acm/requests/{s.request}/decision", {"summary": value}, "summary"),
        ("POST", f"/acm/requests/{s.request}/close", {"note": value}, "note"),
        ("POST", "/federation/USA/resume", {"note": value}, "note"),
    ]  # fmt: skip


def _refused(scene: Scene, value: str, *, names_only: bool = False) -> list[str]:
    failures = []
    for method, path, body, field in _cases(scene, value):
        if names_only and field in RUNNING_TEXT:
            continue
        response = scene.send(method, path, body)
        try:
            error = assert_error(response, 422, "control_character", field=field)
            assert field in error["message"]["en"], error
        except AssertionError as exc:
            failures.append(f"{method} {path} {field}: {exc}")
    return failures


def test_nul_in_any_name_id_or_text_is_refused_naming_the_field(scene: Scene) -> None:
    """PostgreSQL cannot store NUL: an HQ name with one answered 500 there."""
    before = scene.world()
    failures = _refused(scene, "A\x00B")
    assert not failures, "\n".join(failures)
    assert scene.world() == before


@pytest.mark.parametrize(
    ("invisible", "names_only"),
    [("\u202e", False), ("\u2066", False), ("\u200b", True), ("\ufeff", True)],
    ids=["rtl-override", "ltr-isolate", "zero-width-space", "byte-order-mark"],
)
def test_bidi_overrides_and_invisible_characters_are_refused(
    scene: Scene, invisible: str, names_only: bool
) -> None:
    """Two names that look the same, or text that reads backwards ("Trojan Source"):
    bidi overrides are refused everywhere, other invisible characters in names and ids."""
    before = scene.world()
    named = _refused(scene, f"jjoc{invisible}x", names_only=names_only)
    assert not named, "\n".join(named)
    assert scene.world() == before


def test_an_rtl_override_in_a_unit_name_is_refused_and_a_plain_one_is_kept(
    scene: Scene,
) -> None:
    body = {**UNIT, "name_en": "7th Fleet \u202eCC"}
    error = assert_error(
        scene.send("POST", "/org/units", body), 422, "control_character", "name_en"
    )
    assert "U+202E" in error["message"]["en"]
    assert "U+202E" in error["message"]["ja"]
    made = scene.send(
        "POST", "/org/units", {**UNIT, "name_en": "7th Fleet CC", "name_ja": "第7艦隊　司令部"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["name_ja"] == "第7艦隊　司令部"  # an ideographic space is not invisible


def test_values_longer_than_their_column_are_refused_and_the_longest_allowed_fits(
    scene: Scene,
) -> None:
    """echelon was accepted up to 300 for a 32-character column (500 on PostgreSQL),
    home and location up to 300 for 200."""
    before = scene.world()
    too_long = [
        ("POST", "/org/units", {**UNIT, "echelon": "e" * (LABEL + 1)}, "echelon"),
        ("POST", "/org/units", {**UNIT, "echelon": "e" * 300}, "echelon"),
        ("POST", "/org/units", {**UNIT, "home_ja": "横" * (SHORT_TEXT + 1)}, "home_ja"),
        ("PATCH", "/org/units/jpn-ardb", {"echelon": "e" * (LABEL + 1)}, "echelon"),
        ("POST", "/org/hqs", {**HQ, "location_en": "l" * (SHORT_TEXT + 1)}, "location_en"),
        ("PATCH", "/org/hqs/jpn-jjoc", {"location_ja": "所" * 300}, "location_ja"),
    ]
    for method, path, body, field in too_long:
        assert_error(scene.send(method, path, body), 422, "invalid", field=field)
    assert scene.world() == before

    # The longest value each field accepts is stored whole, on every backend.
    unit = {
        **UNIT,
        "echelon": "旅" * LABEL,
        "home_en": "h" * SHORT_TEXT,
        "home_ja": "横" * SHORT_TEXT,
    }
    made = scene.send("POST", "/org/units", unit)
    assert made.status_code == 201, made.text
    got = scene.site.client.get(f"/org/units/{made.json()['id']}", headers=scene.jpn).json()
    assert (got["echelon"], got["home_en"], got["home_ja"]) == (
        unit["echelon"],
        unit["home_en"],
        unit["home_ja"],
    )
    hq = scene.send("POST", "/org/hqs", {**HQ, "location_ja": "所" * SHORT_TEXT})
    assert hq.status_code == 201, hq.text
    assert hq.json()["location_ja"] == "所" * SHORT_TEXT


def _time_fields(scene: Scene, value: Any) -> list[tuple[str, str, Any, str]]:
    s = scene
    return [
        ("POST", "/org/taskings", {"unit_id": "jpn-ardb", "title": "t", "due": value}, "due"),
        ("POST", "/org/relationships", {**RELATIONSHIP, "valid_from": value}, "valid_from"),
        ("POST", "/org/relationships", {**RELATIONSHIP, "valid_to": value}, "valid_to"),
        ("POST", "/acm/requests", {**REQUEST, "due": value}, "due"),
        ("PATCH", f"/acm/requests/{s.request}", {"due": value}, "due"),
        ("POST", f"/acm/groups/{s.group}/meetings", {"starts_at": value}, "starts_at"),
        ("POST", f"/acm/groups/{s.group}/actions", {"title": "t", "due": value}, "due"),
        ("PATCH", f"/acm/actions/{s.action}", {"due": value}, "due"),
    ]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00Z"])
def test_times_at_the_edges_of_the_calendar_are_refused_in_every_time_field(
    scene: Scene, value: str
) -> None:
    """Converting 0001-01-01T00:00+01:00 to UTC overflows: it answered 500."""
    before = scene.world()
    failures = []
    for method, path, body, field in _time_fields(scene, value):
        try:
            assert_error(scene.send(method, path, body), 422, "time_out_of_range", field=field)
        except AssertionError as exc:
            failures.append(f"{method} {path} {field}: {exc}")
    at = scene.site.client.get("/time", params={"at": value}, headers=scene.jpn)
    try:
        assert_error(at, 422, "time_out_of_range", field="at")
    except AssertionError as exc:
        failures.append(f"GET /time?at: {exc}")
    assert not failures, "\n".join(failures)
    assert scene.world() == before


@pytest.mark.parametrize("value", [-86400, 0, 1_700_000_000, 1.5e9, True])
def test_a_bare_number_is_not_a_time(scene: Scene, value: Any) -> None:
    """pydantic read numbers as epoch seconds: a negative one became a 1969 due date."""
    before = scene.world()
    failures = []
    for method, path, body, field in _time_fields(scene, value):
        try:
            error = assert_error(scene.send(method, path, body), 422, "invalid_dtg", field=field)
            assert "271200ZJUL24" in error["message"]["en"], error
        except AssertionError as exc:
            failures.append(f"{method} {path} {field}: {exc}")
    assert not failures, "\n".join(failures)
    assert scene.world() == before


def test_a_time_in_range_is_taken_in_every_time_field(scene: Scene) -> None:
    """The refusals above are about the values: the same calls with a DTG work."""
    for method, path, body, field in _time_fields(scene, "311200ZDEC26"):
        response = scene.send(method, path, body)
        status = 201 if method == "POST" else 200
        assert response.status_code == status, f"{method} {path}: {response.text}"
        assert response.json()[field]["iso"] == "2026-12-31T12:00:00Z", (method, path)
    at = scene.site.client.get(
        "/time", params={"at": "1900-01-01T09:00:00+09:00"}, headers=scene.jpn
    )
    assert at.status_code == 200, at.text
    assert at.json()["iso"] == "1900-01-01T00:00:00Z"


def test_ledger_positions_and_versions_past_their_columns_are_refused(site: Site) -> None:
    """after=2**63 answered 500: no backend can compare it with a 64-bit column."""
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    for after in (MAX_SEQ + 1, 2**64, 10**30):
        response = site.client.get("/ledger/events", params={"after": after}, headers=viewer)
        assert_error(response, 422, "invalid", field="after")
    last = site.client.get("/ledger/events", params={"after": MAX_SEQ}, headers=viewer)
    assert last.status_code == 200, last.text
    assert last.json() == []

    cdr = site.as_("JPN", "commander", "jpn-jjoc")
    for version in (MAX_VERSION + 1, MAX_SEQ + 1, 0):
        response = site.client.patch(
            "/org/units/jpn-ardb", json={"version": version, "echelon": "x"}, headers=cdr
        )
        assert_error(response, 422, "invalid", field="version")


def test_nul_in_a_path_id_is_never_a_500(site: Site, backend: str) -> None:
    """A lookup PostgreSQL cannot even run is the caller's input, not a crash."""
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    response = site.client.get("/org/hqs/jpn%00jjoc", headers=viewer)
    if backend == "postgresql":
        assert_error(response, 422, "unstorable_value")
    else:
        assert_error(response, 404, "not_found")


def test_a_value_the_database_refuses_is_a_422_and_the_node_keeps_writing(
    combined: Node, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The safety net behind the edge checks: a route that skips validation (as a
    bug would) hands the desk a NUL and an over-long echelon. PostgreSQL refuses
    both; the answer is 422 ``unstorable_value``, the detail is in the log,
    nothing is stored, and the next write goes through."""
    if backend != "postgresql":
        pytest.skip("SQLite stores NUL and ignores VARCHAR sizes: nothing to refuse")
    live = LiveServer(combined)
    app = live.server.config.app
    assert isinstance(app, FastAPI)

    @app.post("/api/v1/unchecked/hq", status_code=201)
    def unchecked_hq(node: NodeDep, actor: ActorDep) -> HqOut:
        data = HqIn.model_construct(**{**HQ, "kind": HqKind.COMPONENT, "name_en": "A\x00B"})
        return node.org.create_hq(actor, data)

    @app.post("/api/v1/unchecked/unit", status_code=201)
    def unchecked_unit(node: NodeDep, actor: ActorDep) -> UnitOut:
        data = UnitIn.model_construct(**{**UNIT, "domain": Domain.LAND, "echelon": "e" * 300})
        return node.org.create_unit(actor, data)

    people = add_people(combined)
    live.start()
    try:
        with httpx.Client(base_url=live.url + "/api/v1", timeout=30) as client:
            site = Site(combined, client, people)
            cdr = site.as_("JPN", "commander", "jpn-jjoc")
            before = site.ledger_events()
            with caplog.at_level(logging.WARNING, logger="alliance.api.errors"):
                for path in ("/unchecked/hq", "/unchecked/unit"):
                    body = assert_error(client.post(path, headers=cdr), 422, "unstorable_value")
                    assert "Nothing was changed" in body["message"]["en"]
            logged = [r.getMessage() for r in caplog.records if r.name == "alliance.api.errors"]
            assert any("NUL" in m for m in logged), logged
            assert any("too long" in m for m in logged), logged
            assert site.ledger_events() == before
            made = client.post("/org/units", json=UNIT, headers=cdr)
            assert made.status_code == 201, made.text
            assert site.ledger_events() == before + 1
    finally:
        live.stop()


def test_the_federation_port_refuses_numbers_past_64_bits(make_node: NodeFactory) -> None:
    """The partner-facing twin of ?after=2**63: ``int()`` took it (and Arabic-Indic
    digits, and wait=nan, which never times out) and the request died unanswered."""
    jpn, usa = served_pair(make_node)
    tls: ssl.SSLContext = client_context(
        Pki.load(usa.settings.home), Pki.load(jpn.settings.home).ca_pem
    )
    url = f"https://127.0.0.1:{jpn.settings.federation_port}/federation/v1"
    with httpx.Client(verify=tls, timeout=10) as client:
        ok = client.get(f"{url}/stream", params={"after": 0, "limit": 1})
        assert ok.status_code == 200, ok.text
        bad = [
            ("stream", {"after": str(MAX_SEQ + 1)}),
            ("stream", {"after": "5", "ack": str(2**64)}),
            ("stream", {"limit": str(10**30)}),
            ("stream", {"after": "\u0661\u0662"}),  # Arabic-Indic "12"
            ("stream", {"after": "1_000", "ack": "0"}),
            ("stream", {"after": "-1"}),
            ("stream", {"wait": "nan"}),
            ("tracks", {"since": str(MAX_SEQ + 1)}),
            ("tracks", {"since": "0", "wait": "nan"}),
        ]
        for endpoint, params in bad:
            response = client.get(f"{url}/{endpoint}", params=params)
            assert response.status_code == 422, f"{endpoint} {params}: {response.text}"
            body = response.json()
            assert body["code"] == "invalid", body
            assert body["message"]["en"] != body["message"]["ja"], body
        top = client.get(f"{url}/stream", params={"after": str(MAX_SEQ), "ack": "0"})
        assert top.status_code == 200, top.text
        assert top.json()["items"] == []
