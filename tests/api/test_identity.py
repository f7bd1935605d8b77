"""Ids a client chooses are in the owner's namespace, and creating an object is no
existence oracle.

On a combined node (JPN and USA authority in one node), a USA staff officer
who tries the id of a JPN object not released to USA — an HQ, a unit, a
working group — gets exactly the answer a free ``jpn-…`` id gets: the id is
refused for being outside USA's namespace before anything is looked up. Reads
of those ids stay 404 with identical bodies. Within a nation's own namespace a
taken id is still 409 ``duplicate_id``: every object there is the nation's own,
and its own users always see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from alliance.core.authority import Role
from alliance.core.ids import namespace_of
from tests.disclosure.helpers import release_over_api

from .conftest import Headers, Site, assert_error

SECRET_HQ, SECRET_UNIT, SECRET_GROUP = "jpn-secret-hq", "jpn-secret-unit", "jpn-secret-wg"
FREE = "jpn-never-used"


def _hq(ident: str, nation: str = "USA", parent: str = "usa-jfhq") -> dict[str, Any]:
    return {
        "id": ident,
        "nation": nation,
        "parent_id": parent,
        "kind": "component",
        "name_en": "Cell",
        "name_ja": "班",
        "short_en": "CELL",
        "short_ja": "班",
    }


def _unit(ident: str, hq: str = "usa-jfhq") -> dict[str, Any]:
    return {
        "id": ident,
        "hq_id": hq,
        "name_en": "Detachment",
        "name_ja": "分遣隊",
        "sidc": "SFGPUCI----H---",
        "domain": "land",
    }


HQ_OF = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}  # the HQ a group names for its creator


def _group(ident: str, nations: tuple[str, str], rel: list[str]) -> dict[str, Any]:
    return {
        "id": ident,
        "name_en": "Working group",
        "name_ja": "作業部会",
        "members": [
            {"nation": n, "name": f"{n} member", **({"hq_id": HQ_OF[n]} if n in HQ_OF else {})}
            for n in nations
        ],
        "marking": {"releasable_to": rel},
    }


def _jpn_secrets(site: Site) -> None:
    """A JPN HQ and unit released to nobody else, and a JPN-AUS group not released to USA."""
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    # The group names jpn-jjoc: JPN releases it (and its parent) to AUS first.
    mod = site.add_person("JPN", Role.COMMANDER, "jpn-mod")
    for hq in ("jpn-mod", "jpn-jjoc"):
        release_over_api(site, mod, "hq", hq, ["AUS"])
    made = [
        site.client.post("/org/hqs", json=_hq(SECRET_HQ, "JPN", "jpn-jjoc"), headers=staff),
        site.client.post("/org/units", json=_unit(SECRET_UNIT, "jpn-jjoc"), headers=staff),
        site.client.post(
            "/acm/groups", json=_group(SECRET_GROUP, ("JPN", "AUS"), ["AUS"]), headers=staff
        ),
    ]
    for response, released_to in zip(made, (["JPN"], ["JPN"], ["AUS", "JPN"]), strict=True):
        assert response.status_code == 201, response.text
        assert (response.json()["owner"], response.json()["marking"]["releasable_to"]) == (
            "JPN",
            released_to,
        )


def _same_answer(secret: httpx.Response, free: httpx.Response, ids: tuple[str, str]) -> None:
    """The same status and the same body, but for the id the caller typed."""
    assert secret.status_code == free.status_code, (secret.text, free.text)
    assert secret.text.replace(ids[0], "<id>") == free.text.replace(ids[1], "<id>")


def test_a_partners_unseen_id_gets_the_answer_a_free_id_gets(site: Site) -> None:
    _jpn_secrets(site)
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    before = site.ledger_events()
    tries: list[tuple[str, Callable[[str], dict[str, Any]], str]] = [
        ("/org/hqs", _hq, SECRET_HQ),
        ("/org/units", _unit, SECRET_UNIT),
        ("/acm/groups", lambda i: _group(i, ("USA", "JPN"), ["JPN"]), SECRET_GROUP),
    ]
    for path, body, secret in tries:
        taken = site.client.post(path, json=body(secret), headers=usa)
        free = site.client.post(path, json=body(FREE), headers=usa)
        assert_error(taken, 422, "id_outside_namespace", field="id")
        _same_answer(taken, free, (secret, FREE))
        assert "usa-" in taken.json()["message"]["en"]
        assert "usa-" in taken.json()["message"]["ja"]
    # Asking for a JPN HQ outright is refused by authority, for both ids alike.
    taken = site.client.post("/org/hqs", json=_hq(SECRET_HQ, "JPN", "jpn-jjoc"), headers=usa)
    free = site.client.post("/org/hqs", json=_hq(FREE, "JPN", "jpn-jjoc"), headers=usa)
    assert_error(taken, 403, "not_released")
    _same_answer(taken, free, (SECRET_HQ, FREE))
    assert site.ledger_events() == before


def test_reads_of_a_partners_unseen_ids_stay_identical_404s(site: Site) -> None:
    _jpn_secrets(site)
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    for path in ("/org/hqs/{}", "/org/units/{}", "/acm/groups/{}/meetings"):
        secret_id = {"/org/hqs/{}": SECRET_HQ, "/org/units/{}": SECRET_UNIT}.get(path, SECRET_GROUP)
        taken = site.client.get(path.format(secret_id), headers=usa)
        free = site.client.get(path.format(FREE), headers=usa)
        assert_error(taken, 404, "not_found")
        _same_answer(taken, free, (secret_id, FREE))
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    own = site.client.get(f"/org/hqs/{SECRET_HQ}", headers=jpn)
    assert own.status_code == 200, own.text
    assert (own.json()["id"], own.json()["owner"]) == (SECRET_HQ, "JPN")


def test_within_its_own_namespace_a_nation_sees_its_taken_ids(site: Site) -> None:
    _jpn_secrets(site)
    usa: Headers = site.as_("USA", "staff_officer", "usa-jfhq")
    jpn: Headers = site.as_("JPN", "staff_officer", "jpn-jjoc")
    first = site.client.post("/org/hqs", json=_hq("usa-cell"), headers=usa)
    assert first.status_code == 201, first.text
    assert first.json()["id"] == "usa-cell"
    assert_error(
        site.client.post("/org/hqs", json=_hq("usa-cell"), headers=usa), 409, "duplicate_id", "id"
    )
    # The same id is USA's, not JPN's: JPN is told it is outside its namespace,
    # not that it exists.
    assert_error(
        site.client.post("/org/hqs", json=_hq("usa-cell", "JPN", "jpn-jjoc"), headers=jpn),
        422,
        "id_outside_namespace",
        "id",
    )
    # Why a taken id in one's own namespace reveals nothing: on this combined
    # node every object in a nation's namespace is that nation's own, and a
    # nation's own objects are always released to it.
    with site.node.db.read() as s:
        for model in site.node.types.tables().values():
            for row in s.scalars(select(model)):
                assert namespace_of(row.id) in (None, row.owner), (row.id, row.owner)
                assert row.marking.releases_to(row.owner), (row.id, row.rel)
    # Ids the server chooses are ULIDs, in no nation's namespace.
    auto = {k: v for k, v in _hq("unused").items() if k != "id"}
    made = site.client.post("/org/hqs", json=auto, headers=usa)
    assert made.status_code == 201, made.text
    assert len(made.json()["id"]) == 26
    assert "-" not in made.json()["id"]


def test_ids_that_only_look_like_a_namespace_are_refused(site: Site) -> None:
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    for ident in ("usa", "usa-", "usa1-cell", "us-cell", "cell-usa", "01j0000000000000000000000x"):
        response = site.client.post("/org/units", json=_unit(ident), headers=usa)
        assert_error(response, 422, "id_outside_namespace", "id")
