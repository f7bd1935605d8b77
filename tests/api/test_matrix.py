"""The authorization matrix: every route × every role × own / partner object × marking.

Two federated nodes (JPN, USA) hold one object of every kind of each nation,
released to the partner or national-only (see ``matrix_world``). Every route
of the real app is called by every role of each nation at its own node —
plus a disabled user and a caller with no token — on its own objects, the
partner's released objects, the partner's national-only objects and an id
that exists nowhere. What each call must answer is written out below, one
row per route, from the rules users rely on; it is never derived by asking
the code under test. A route the table does not know fails the test, so a
new endpoint must be given its row.

Checked for every cell: the exact status and error code (so no unauthorized
success and no 5xx), and that no body anywhere names a partner's unreleased
object (lists, ledger pages, exports, the live stream included). A partner's
unreleased object answers exactly as an id that does not exist: 404
``not_found``, the same message, never 403. After the matrix, the drift
check and ledger verification are clean on both nodes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from alliance.access import UserIn
from alliance.api import create_app
from alliance.core.authority import Role
from alliance.store.projection import check_state
from tests.conftest import LiveServer
from tests.federation.helpers import wait_drained

from .matrix_desks import declared
from .matrix_rules import (
    ADMIN,
    ANONYMOUS,
    API,
    CDR,
    CDR_STAFF,
    CDR_STAFF_LO,
    CREATED,
    DISABLED,
    MISSING,
    MONITORS,
    NONE,
    NOT_FOUND,
    NOT_IN_CHAIN,
    OK,
    OWN_NAT,
    OWN_REL,
    PUBLIC,
    WHO,
    WRONG_STATE,
    Body,
    Call,
    Expect,
    Row,
    Subject,
    any_nation_may,
    node_role,
    node_role_on,
    owner_acts,
    public,
    signed_in,
    view,
)
from .matrix_world import NAT, PARTNER, REL, TOP_HQ, Side, World, owned_types, world

__all__ = ["world"]  # the module-scoped fixture


def _hq_body(c: Call, parent: str) -> dict[str, Any]:
    return {
        "nation": c.owner,
        "parent_id": parent,
        "kind": "component",
        "name_en": f"Matrix child {c.serial}",
        "name_ja": f"行列子 {c.serial}",
        "short_en": f"MXC{c.serial}",
        "short_ja": f"行列{c.serial}",
        "marking": c.released_to_both(),
    }


def _unit_body(c: Call, hq: str) -> dict[str, Any]:
    return {
        "hq_id": hq,
        "name_en": f"Matrix unit {c.serial}",
        "name_ja": f"行列部隊 {c.serial}",
        "sidc": "10031000001211000000",
        "domain": "land",
        "marking": c.released_to_both(),
    }


def _relationship_body(c: Call, unit: str) -> dict[str, Any]:
    return {
        "kind": "opcon",
        "superior": {"kind": "hq", "id": c.owner_top},
        "subordinate": {"kind": "unit", "id": unit},
        "valid_from": "2026-01-01T00:00:00Z",
        "marking": c.released_to_both(),
    }


def _counterpart_body(c: Call, hq: str) -> dict[str, Any]:
    return {"hq_id": hq, "partner_hq_id": c.counter_top, "marking": c.released_to_both()}


def _tasking_body(c: Call, unit: str) -> dict[str, Any]:
    return {"unit_id": unit, "title": f"Matrix task {c.serial}", "marking": c.released_to_both()}


def _request_body(c: Call, hq: str) -> dict[str, Any]:
    return {
        "kind": "rfi",
        "from_hq_id": hq,
        "to_hq_ids": [c.counter_top],
        "subject": f"Matrix request {c.serial}",
        # addressed to the partner, so released to it; national-only while a draft
        "marking": {"releasable_to": [PARTNER[c.owner]]},
    }


def _group_body(c: Call, _ident: str) -> dict[str, Any]:
    n = c.side.nation
    return {
        "name_en": f"Matrix group {c.serial}",
        "name_ja": f"行列部会 {c.serial}",
        "members": [
            {"nation": n, "name": "lead", "hq_id": TOP_HQ[n]},
            {"nation": c.other.nation, "name": "lead", "hq_id": TOP_HQ[c.other.nation]},
        ],
        "marking": {"releasable_to": [c.other.nation]},
    }


def _report_body(c: Call, uid: str) -> dict[str, Any]:
    # Only an own released track stays released; anything else is reported national-only.
    keep = c.subject == OWN_REL
    return {
        "uid": uid,
        "sidc": "10031000001211000000",
        "callsign": f"MX {c.side.nation} report",
        "lat": 35.5,
        "lon": 139.5,
        "stale_seconds": 86400,
        "marking": {"releasable_to": [c.other.nation] if keep else []},
    }


def _bad_password(c: Call, _ident: str) -> dict[str, Any]:
    return {"username": f"nobody-{c.serial}", "password": "not a password"}


def _password_change(c: Call, _ident: str) -> dict[str, Any]:
    return {"current_password": f"not set {c.serial}", "new_password": f"Matrix-new-{c.serial}"}


def _password_set(c: Call, _ident: str) -> dict[str, Any]:
    return {"password": f"Matrix-password-{c.serial}"}


def _user_body(c: Call, _ident: str) -> dict[str, Any]:
    n = c.side.nation
    return {"name": f"matrix {n} {c.serial}", "nation": n, "hq_id": TOP_HQ[n], "role": "viewer"}


def _note(field: str) -> Body:
    return lambda c, _ident: {field: f"matrix {c.serial}"}


def _owner_param(c: Call, _ident: str) -> dict[str, str]:
    return {"owner": c.owner}


# One row per route of the product's desks and the node: who may do what. ``{}``
# in a path is the named object. Another desk's rows are declared in its test
# package (``tests/<desk>/matrix.py``, see ``matrix_desks``) and added below.
ROUTES: list[Row] = [
    # -- outside the API: public, no data
    Row("GET", "/openapi.json", public(OK)),
    Row("GET", "/docs", public(OK)),
    Row("GET", "/", public(Expect(307))),
    # The console page, built from the desks' panes: public, no data of any nation.
    Row("GET", "/console/", public(OK)),
    Row("GET", "/console/index.html", public(OK)),
    # -- node
    Row("GET", f"{API}/healthz", public(OK)),
    Row("GET", f"{API}/node", signed_in(OK)),
    Row("GET", f"{API}/me", signed_in(OK)),
    Row("GET", f"{API}/time", signed_in(OK)),
    # -- console sign-in: which node this is and the sign-in itself are public
    # (they reveal the node's identity only); a token's holder has no cookie, so
    # signing out ends nothing and sign-in with a made-up password is refused.
    Row("GET", f"{API}/signin/node", public(OK)),
    Row("GET", f"{API}/signin/session", public(OK)),
    Row("POST", f"{API}/session", public(Expect(401, "bad_credentials")), body=_bad_password),
    Row("POST", f"{API}/session/certificate", public(Expect(401, "no_certificate"))),
    Row("GET", f"{API}/session", signed_in(OK)),
    Row("DELETE", f"{API}/session", signed_in(Expect(204))),
    Row("POST", f"{API}/session/everywhere", signed_in(OK)),
    # Anyone signed in changes their own password, with the current one; the
    # world's users have tokens and no password yet: there is none to change.
    Row(
        "POST",
        f"{API}/session/password",
        signed_in(Expect(409, "no_password")),
        body=_password_change,
    ),
    # -- users: the node administrator of the user's own nation
    Row("GET", f"{API}/users", node_role(ADMIN, OK)),
    Row("POST", f"{API}/users", node_role(ADMIN, CREATED), body=_user_body),
    Row("POST", f"{API}/users/{{user_id}}/disable", node_role_on(ADMIN, OK), kind="user"),
    Row(
        "PUT",
        f"{API}/users/{{user_id}}/password",
        node_role_on(ADMIN, OK),
        kind="user",
        body=_password_set,
    ),
    # -- ledger: what is released to the caller's nation; verification is the administrator's
    Row("GET", f"{API}/ledger/events", signed_in(OK), params=lambda c, i: {"limit": "1000"}),
    Row("GET", f"{API}/ledger/objects/{{object_type}}/{{object_id}}", view(), kind="*"),
    Row("POST", f"{API}/ledger/verify", node_role(ADMIN, OK)),
    Row("GET", f"{API}/ledger/status", node_role(MONITORS, OK)),
    # -- org
    Row("GET", f"{API}/org/nations", signed_in(OK)),
    Row("GET", f"{API}/org/facts", signed_in(OK)),
    Row("GET", f"{API}/org/hqs", signed_in(OK)),
    Row("POST", f"{API}/org/hqs", owner_acts(CDR_STAFF, CREATED), kind="hq", body=_hq_body),
    Row("GET", f"{API}/org/hqs/{{hq_id}}", view(), kind="hq"),
    Row("PATCH", f"{API}/org/hqs/{{hq_id}}", owner_acts(CDR_STAFF, OK), "hq", _note("note_en")),
    Row("GET", f"{API}/org/hqs/{{hq_id}}/counterparts", view(), kind="hq"),
    Row("GET", f"{API}/org/units", signed_in(OK)),
    Row("POST", f"{API}/org/units", owner_acts(CDR_STAFF, CREATED), "hq", _unit_body),
    Row("GET", f"{API}/org/units/{{unit_id}}", view(), kind="unit"),
    Row(
        "PATCH", f"{API}/org/units/{{unit_id}}", owner_acts(CDR_STAFF, OK), "unit", _note("home_en")
    ),
    Row("GET", f"{API}/org/relationships", signed_in(OK)),
    # Placing forces under command or in support is tasking: commanders only.
    Row("POST", f"{API}/org/relationships", owner_acts(CDR, CREATED), "unit", _relationship_body),
    Row("POST", f"{API}/org/relationships/{{rel_id}}/revoke", owner_acts(CDR, OK), "relationship"),
    Row("GET", f"{API}/org/counterparts", signed_in(OK)),
    Row("POST", f"{API}/org/counterparts", owner_acts(CDR_STAFF, CREATED), "hq", _counterpart_body),
    Row("GET", f"{API}/org/taskings", signed_in(OK)),
    Row("POST", f"{API}/org/taskings", owner_acts(CDR, CREATED), "unit", _tasking_body),
    Row("GET", f"{API}/org/export", signed_in(OK)),
    # -- ACM: a nation drafts, amends and sends its own requests (a liaison officer
    # too, for their own HQ), closes and withdraws them (staff work), and decides
    # (its commander); any nation a request is released to comments on it.
    Row("GET", f"{API}/acm/requests", signed_in(OK)),
    Row(
        "POST",
        f"{API}/acm/requests",
        # the named HQ is a component under the caller's HQ: a liaison officer
        # does not speak for it
        owner_acts(CDR_STAFF_LO, CREATED, liaison=NOT_IN_CHAIN),
        "hq",
        _request_body,
    ),
    Row("GET", f"{API}/acm/requests/{{request_id}}", view(), kind="coordination_request"),
    Row(
        "PATCH",
        f"{API}/acm/requests/{{request_id}}",
        owner_acts(CDR_STAFF_LO, OK),
        "coordination_request",
        _note("body"),
    ),
    Row(
        "POST",
        f"{API}/acm/requests/{{request_id}}/send",
        owner_acts(CDR_STAFF_LO, OK, state={OWN_REL: WRONG_STATE}),  # released = already sent
        "coordination_request",
        fresh=True,
    ),
    Row(
        "POST",
        f"{API}/acm/requests/{{request_id}}/close",
        owner_acts(CDR_STAFF, OK, state={OWN_NAT: WRONG_STATE}),  # national = still a draft
        "coordination_request",
        _note("note"),
        fresh=True,
    ),
    Row(
        "POST",
        f"{API}/acm/requests/{{request_id}}/withdraw",
        owner_acts(CDR_STAFF, OK),
        "coordination_request",
        _note("note"),
        fresh=True,
    ),
    Row(
        "POST",
        f"{API}/acm/requests/{{request_id}}/escalate",
        # raised from the BOCC to the ACG, in place (a fresh one: it cannot go higher)
        owner_acts(CDR_STAFF_LO, OK),
        "coordination_request",
        lambda c, _i: {"level": "acg", "note": f"matrix {c.serial}"},
        fresh=True,
    ),
    Row(
        "POST",
        f"{API}/acm/requests/{{request_id}}/responses",
        any_nation_may(CDR_STAFF_LO, CREATED, state_first={OWN_NAT: WRONG_STATE}),
        "coordination_request",
        lambda c, _i: {"kind": "comment", "text": f"matrix {c.serial}"},
    ),
    Row(
        "POST",
        f"{API}/acm/requests/{{request_id}}/decision",
        # own released: a request both nations' commanders concurred on
        owner_acts(CDR, CREATED, state={OWN_NAT: WRONG_STATE}),
        "decision_subject",
        _note("summary"),
    ),
    Row("GET", f"{API}/acm/decisions", signed_in(OK)),
    Row("GET", f"{API}/acm/decisions/{{decision_id}}/national", view(), kind="decision"),
    Row(
        "POST",
        f"{API}/acm/decisions/{{decision_id}}/national",
        # each participating nation decides for itself, by its commander
        any_nation_may(CDR, CREATED),
        "decision",
        lambda c, _i: {"course": "not_implement", "summary": f"matrix {c.serial}"},
    ),
    Row("GET", f"{API}/acm/groups", signed_in(OK)),
    Row("POST", f"{API}/acm/groups", node_role(CDR_STAFF, CREATED), body=_group_body),
    Row("GET", f"{API}/acm/groups/{{group_id}}/meetings", view(), kind="working_group"),
    Row(
        "POST",
        f"{API}/acm/groups/{{group_id}}/meetings",
        any_nation_may(CDR_STAFF, CREATED),  # a member nation schedules its own meetings
        "working_group",
        lambda c, _i: {"starts_at": "2026-09-01T00:00:00Z", "agenda": f"matrix {c.serial}"},
    ),
    Row(
        "PATCH",
        f"{API}/acm/meetings/{{meeting_id}}",
        owner_acts(CDR_STAFF, OK),
        "meeting",
        _note("minutes"),
    ),
    Row("GET", f"{API}/acm/groups/{{group_id}}/actions", view(), kind="working_group"),
    Row(
        "POST",
        f"{API}/acm/groups/{{group_id}}/actions",
        any_nation_may(CDR_STAFF, CREATED),  # a member nation commits itself
        "working_group",
        lambda c, _i: {"title": f"Matrix action {c.serial}"},
    ),
    Row(
        "PATCH",
        f"{API}/acm/actions/{{item_id}}",
        owner_acts(CDR_STAFF, OK),
        "action_item",
        _note("assignee"),
    ),
    # -- COP: a report always moves the caller's own nation's track under the uid,
    # so the answer never depends on whether another nation holds that uid.
    Row("GET", f"{API}/cop/tracks", signed_in(OK)),
    Row("POST", f"{API}/cop/tracks", node_role(CDR_STAFF, CREATED), "track", _report_body),
    Row("GET", f"{API}/cop/tracks/{{uid}}", view(), "track", params=_owner_param),
    Row("GET", f"{API}/cop/tracks/{{uid}}/history", view(), "track", params=_owner_param),
    Row("GET", f"{API}/cop/export.geojson", signed_in(OK)),
    Row("GET", f"{API}/cop/export.kml", signed_in(OK)),
    Row("GET", f"{API}/cop/stream", signed_in(OK), stream=True),
    Row("GET", f"{API}/cop/exercise", signed_in(OK)),
    # -- the live events of every pane: any signed-in user, released to its nation
    Row("GET", f"{API}/stream", signed_in(OK), stream=True),
    # -- federation: link health for the staff and the administrator; the rest is the administrator's
    Row("GET", f"{API}/federation/status", node_role(MONITORS, OK)),
    Row("GET", f"{API}/federation/quarantine", node_role(ADMIN, OK)),
    Row(
        "POST",
        f"{API}/federation/{{partner}}/resume",
        node_role_on(ADMIN, OK),
        "partner_link",
        _note("note"),
    ),
]

# Static files (console, API docs, their libraries): public, and no data of any nation.
STATIC_MOUNTS = {
    "/console",
    "/console/desks/cop",  # the COP desk's console pane
    "/console/desks/acm",  # the ACM desk's coordination pane
    "/console/desks/org",  # the org desk's console pane
    "/console/desks/exercise",  # the exercise desk's pane (MSEL, clock, inbox, AAR)
    "/console/desks/plans",  # the plans desk's pane
    "/console/desks/cyber",  # the cyber desk's pane
    "/console/desks/airspace",  # the airspace desk's pane
    "/console/desks/industry",  # the industry desk's pane
    "/console/node/health",  # the node's own health pane (its data comes from the API)
    "/static/docs",
    "/static/swagger",
    "/static/leaflet",
    "/static/milsymbol",
    "/static/mgrs",
    "/static/topojson-client",
    "/static/world-atlas",
    "/static/d3-hierarchy",
    "/static/geographiclib-geodesic",
}

# Where each owned object type is exercised (besides the ledger's object history,
# which the matrix calls for every owned type). A new owned type needs its line.
TYPE_ROUTES: dict[str, str] = {
    "nation": f"GET {API}/org/nations",  # seeded, never written through the API
    "hq": f"PATCH {API}/org/hqs/{{hq_id}}",
    "unit": f"PATCH {API}/org/units/{{unit_id}}",
    "relationship": f"POST {API}/org/relationships/{{rel_id}}/revoke",
    "counterpart": f"POST {API}/org/counterparts",
    "tasking": f"POST {API}/org/taskings",
    "coordination_request": f"PATCH {API}/acm/requests/{{request_id}}",
    "coordination_response": f"POST {API}/acm/requests/{{request_id}}/responses",
    "decision": f"POST {API}/acm/requests/{{request_id}}/decision",
    "national_decision": f"POST {API}/acm/decisions/{{decision_id}}/national",
    "working_group": f"POST {API}/acm/groups",
    "meeting": f"PATCH {API}/acm/meetings/{{meeting_id}}",
    "action_item": f"PATCH {API}/acm/actions/{{item_id}}",
}

# The desks' own declarations (every desk of the world's nodes that has one).
for _desk in declared():
    ROUTES += _desk.rows
    TYPE_ROUTES.update(_desk.type_routes)

# -- the subjects each route is called on ----------------------------------------

_KIND_OBJECT = {"decision_subject": "concurred_request"}


def subjects(row: Row, side: Side) -> list[Subject]:
    if not row.kind:
        return [NONE]
    if row.kind in ("user", "partner_link"):
        return (
            [Subject("own"), Subject("partner"), MISSING]
            if row.kind == "user"
            else [
                Subject("own"),
                MISSING,
            ]
        )
    kinds = owned_types() if row.kind == "*" else [row.kind]
    out: list[Subject] = []
    for kind in kinds:
        marks = [m for m in (REL, NAT) if (kind, m) in side.objects]
        if row.kind == "decision_subject":
            marks = [REL, NAT]
        sub_kind = kind if row.kind == "*" else ""
        out += [Subject("own", m, sub_kind) for m in marks]
        out += [Subject("partner", m, sub_kind) for m in marks]
        out.append(Subject("missing", "", sub_kind))
    return out


def expected(row: Row, who: Role | str, s: Subject) -> Expect:
    if not isinstance(who, Role):
        if row.rule in PUBLIC:
            return row.rule(Role.VIEWER, s)
        return Expect(401, "no_token" if who == ANONYMOUS else "bad_token")
    return row.rule(who, s)


# -- running the matrix -----------------------------------------------------------


@dataclass
class Report:
    cells: int = 0
    wrong: list[str] = field(default_factory=list)
    # (nation, who, route, kind) -> whose -> the 404 body, the named id blanked
    not_found_bodies: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)


def _headers(side: Side, who: Role | str) -> dict[str, str]:
    if who == ANONYMOUS:
        return {}
    token = side.disabled_token if who == DISABLED else side.token(Role(who))
    return {"Authorization": f"Bearer {token}"}


def _path(row: Row, c: Call, ident: str) -> str:
    if row.path_of is not None:
        return row.path_of(c, ident)
    if row.kind == "*":
        return row.path.replace("{object_type}", c.subject.kind).replace("{object_id}", ident)
    return re.sub(r"\{[a-z_]+\}", ident, row.path)


def _named(template: str, path: str) -> set[str]:
    """The ids a path gives its ``{...}`` segments (not a type's name)."""
    return {
        value
        for part, value in zip(template.split("/"), path.split("/"), strict=False)
        if part.startswith("{") and part != "{object_type}" and value
    }


def _scrub(text: str, named: set[str]) -> str:
    for value in sorted(named, key=len, reverse=True):
        text = text.replace(value, "<id>")
    return text


def _ident(row: Row, c: Call, who: Role | str) -> str:
    """The named object; a fresh one where the step would use it up."""
    if row.kind == "user" and c.subject.whose == "own":
        if who != Role.ADMIN:
            return c.side.user_id
        user, _token = c.side.node.users.add(
            UserIn(
                name=f"matrix fresh {c.serial}",
                nation=c.side.nation,
                hq_id=TOP_HQ[c.side.nation],
                role=Role.VIEWER,
            )
        )
        return user.id
    if row.make is not None and c.fresh and c.subject.whose == "own":
        return row.make(c)
    return c.ident


def _stream_text(url: str, path: str, headers: dict[str, str], want: str) -> tuple[int, str]:
    """The first events of the live stream (until ``want`` arrived, at most 5 s)."""
    got = b""
    timeout = httpx.Timeout(10, read=3)
    with (
        httpx.Client(base_url=url, timeout=timeout) as client,
        client.stream("GET", path, headers=headers) as response,
    ):
        if response.status_code != 200:
            response.read()
            return response.status_code, response.text
        deadline = time.monotonic() + 5
        try:
            for chunk in response.iter_bytes():
                got += chunk
                if want.encode() in got or time.monotonic() > deadline:
                    break
        except httpx.ReadTimeout:
            pass  # what came is what is checked; the caller checks ``want`` arrived
    return 200, got.decode()


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    # TAXII's error shape names it error_code (the rest of the API: code).
    code = body.get("code", body.get("error_code"))
    return code if isinstance(code, str) else None


def run_matrix(world: World, clients: dict[str, httpx.Client], live: dict[str, str]) -> Report:
    report = Report()
    serial = 0
    for nation, side in world.sides.items():
        other = world.side(PARTNER[nation])
        secrets = other_unreleased(world, other.nation)
        client = clients[nation]
        for row in ROUTES:
            for s in subjects(row, side):
                for who in WHO:
                    serial += 1
                    exp = expected(row, who, s)
                    kind = _KIND_OBJECT.get(row.kind, row.kind)
                    fresh = row.fresh and isinstance(who, Role) and exp.status < 400
                    c = Call(side, other, s, kind, fresh, serial)
                    ident = _ident(row, c, who) if row.kind else ""
                    path = _path(row, c, ident)
                    headers = _headers(side, who)
                    body = row.body(c, ident) if row.body else None
                    params = row.params(c, ident) if row.params else None
                    if row.stream and exp.status == 200:
                        cop = row.path.endswith("/cop/stream")
                        want = side.obj("track", REL) if cop else "event: hello"
                        status, text = _stream_text(live[nation], path, headers, want)
                        code = None
                        if want not in text:
                            status, text = 0, f"{want} not streamed: {text}"
                    elif row.content is not None:
                        ctype, data = row.content(c, ident)
                        response = client.request(
                            row.method,
                            path,
                            headers={**headers, "Content-Type": ctype},
                            content=data,
                            params=params,
                        )
                        status, text, code = response.status_code, response.text, _code(response)
                    else:
                        response = client.request(
                            row.method, path, headers=headers, json=body, params=params
                        )
                        status, text, code = response.status_code, response.text, _code(response)
                    report.cells += 1
                    where = f"{nation} {who} {row.method} {row.path} [{s}]"
                    if status != exp.status or (exp.code is not None and code != exp.code):
                        report.wrong.append(
                            f"{where}: expected {exp}, got {status} {code or ''}: {text[:160]}"
                        )
                    # Every id the caller put in the path (a TAXII object's own and its
                    # collection's) may come back; nothing else unreleased may.
                    named = _named(row.path, path) | ({ident} if ident else set())
                    scrubbed = _scrub(text, named)
                    leaked = sorted(x for x in secrets if x in scrubbed)
                    if leaked:
                        report.wrong.append(f"{where}: names unreleased {leaked}: {text[:160]}")
                    if exp == NOT_FOUND and s.whose in ("partner", "missing") and code:
                        bodies = report.not_found_bodies.setdefault(
                            (nation, str(who), row.path, s.kind), {}
                        )
                        bodies[s.whose] = {
                            k: _scrub(str(v), named)
                            for k, v in response.json().items()
                            if k != "error_id"  # TAXII's: a new id per error, for the log
                        }
    return report


def other_unreleased(world: World, owner: str) -> set[str]:
    """Strings only ``owner``'s unreleased objects carry: their ids, and the callsign
    of its national-only track (its uid a partner may itself use for a track)."""
    ids = {i for i in world.unreleased_of(owner) if not i.startswith("mx-")}
    return ids | {f"MX {owner} {NAT}"}


@pytest.fixture(scope="module")
def apps(world: World) -> dict[str, FastAPI]:
    return {n: create_app(side.node) for n, side in world.sides.items()}


@pytest.fixture(scope="module")
def live(world: World) -> Iterator[dict[str, str]]:
    servers = {n: LiveServer(side.node).start() for n, side in world.sides.items()}
    yield {n: s.url for n, s in servers.items()}
    for server in servers.values():
        server.stop()


# -- the tests ----------------------------------------------------------------------


def _route_keys(app: FastAPI) -> tuple[set[str], set[str]]:
    routes, mounts = set(), set()
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, Mount):
            mounts.add(ctx.path or "")
        elif isinstance(route, APIRoute) or ctx.methods:
            for method in sorted((ctx.methods or set()) - {"HEAD"}):
                routes.add(f"{method} {ctx.path}")
        else:
            routes.add(f"? {ctx.path}")
    return routes, mounts


def test_every_route_of_the_app_has_a_row_in_the_matrix(apps: dict[str, FastAPI]) -> None:
    table = {f"{r.method} {r.path}" for r in ROUTES}
    assert len(table) == len(ROUTES), "a route has two rows"
    for app in apps.values():
        routes, mounts = _route_keys(app)
        assert sorted(routes - table) == [], "routes the matrix does not know: add their rows"
        assert sorted(table - routes) == [], "rows for routes the app no longer has"
        assert sorted(mounts - STATIC_MOUNTS) == [], "mounts the matrix does not know"


def test_every_owned_type_has_a_row_in_the_matrix() -> None:
    assert sorted(TYPE_ROUTES) == owned_types()
    table = {f"{r.method} {r.path}" for r in ROUTES}
    assert sorted(set(TYPE_ROUTES.values()) - table) == []


def test_every_owned_type_is_created_and_shipped_in_the_matrix_world(world: World) -> None:
    for side in world.sides.values():
        made = {kind for kind, _mark in side.objects}
        assert sorted(set(owned_types()) - made - {"nation"}) == []


# Every route by every role of both nations, on two live nodes: thousands of
# calls, longer than the suite's default bound per test.
@pytest.mark.timeout(900)
def test_authorization_matrix_no_unauthorized_success_no_leak_no_5xx(
    world: World, apps: dict[str, FastAPI], live: dict[str, str]
) -> None:
    clients = {n: httpx.Client(base_url=url, timeout=30) for n, url in live.items()}
    started = time.monotonic()
    try:
        report = run_matrix(world, clients, live)
    finally:
        for client in clients.values():
            client.close()
    took = time.monotonic() - started
    assert report.cells > 1000, report.cells
    assert not report.wrong, (
        f"{len(report.wrong)} of {report.cells} cells wrong ({took:.1f} s):\n"
        + "\n".join(report.wrong)
    )
    # A partner's unreleased object answers exactly as an id nobody holds.
    compared = [b for b in report.not_found_bodies.values() if {"partner", "missing"} <= set(b)]
    assert len(compared) > 100, len(compared)
    differ = [
        f"{key}: {bodies}"
        for key, bodies in report.not_found_bodies.items()
        if "partner" in bodies and bodies["partner"] != bodies.get("missing", bodies["partner"])
    ]
    assert not differ, "unreleased and unknown answer differently:\n" + "\n".join(differ)
    # Writes did not corrupt: both nodes drift-free, ledgers verify.
    jpn, usa = world.side("JPN").node, world.side("USA").node
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)
    for side in world.sides.values():
        state = check_state(side.node.db, side.node.types)
        assert state.ok, [(d.object_type, d.object_id, d.reason.en) for d in state.drifts]
        verified = side.node.verify_ledger()
        assert verified.ok, verified.problem
