"""A released object never names an unreleased one.

If JPN could release a unit to USA under an HQ it keeps national-only, USA
would read the HQ's id in the unit list, the ledger and the org export. Every
way of getting there is refused with ``reference_not_released`` naming the
reference (on creation, and when a change widens the object or points it
elsewhere), and narrowing an object that released objects still name is
refused with ``still_referenced``. A refusal changes nothing: same rows, same
versions, same ledger.
"""

from __future__ import annotations

from typing import Any

import pytest

from alliance.core.errors import InvalidInput
from alliance.org import load_document, parse_document
from tests.disclosure.helpers import release_over_api

from .conftest import Headers, Site, assert_error

USA = {"releasable_to": ["USA"]}
NATIONAL: dict[str, Any] = {"releasable_to": []}
SINCE = "010000ZJAN25"


def _jpn(site: Site) -> Headers:
    return site.as_("JPN", "commander", "jpn-jjoc")


def _hq(site: Site, ident: str, marking: dict[str, Any], parent: str = "jpn-jjoc") -> Any:
    return site.client.post(
        "/org/hqs",
        json={
            "id": ident,
            "nation": "JPN",
            "parent_id": parent,
            "kind": "component",
            "name_en": f"{ident} command",
            "name_ja": f"{ident}司令部",
            "short_en": ident,
            "short_ja": ident,
            "marking": marking,
        },
        headers=_jpn(site),
    )


def _unit(site: Site, hq_id: str, marking: dict[str, Any]) -> Any:
    return site.client.post(
        "/org/units",
        json={
            "hq_id": hq_id,
            "name_en": "Quiet unit",
            "name_ja": "静かな部隊",
            "sidc": "SFGPUCI----H---",
            "domain": "land",
            "marking": marking,
        },
        headers=_jpn(site),
    )


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def world(site: Site) -> dict[str, str]:
    """A national-only JPN HQ with a national-only unit, and a released HQ
    with a released unit (the ids are what the cases refer to)."""
    _created(_hq(site, "jpn-quiet", NATIONAL))
    quiet_unit = _created(_unit(site, "jpn-quiet", NATIONAL))["id"]
    _created(_hq(site, "jpn-open", USA))
    open_unit = _created(_unit(site, "jpn-open", USA))["id"]
    return {"quiet_unit": quiet_unit, "open_unit": open_unit}


def _refused(site: Site, response: Any, code: str, field: str) -> None:
    body = assert_error(response, 422, code, field)
    assert "USA" in body["message"]["en"]
    assert "USA" in body["message"]["ja"]


def _usa_sees(site: Site, path: str) -> str:
    response = site.client.get(path, headers=site.as_("USA", "viewer", "usa-jfhq"))
    assert response.status_code == 200, response.text
    return response.text


# -- creating a released object that names an unreleased one -------------------


def _create_cases(world: dict[str, str]) -> list[tuple[str, dict[str, Any], str]]:
    return [
        (
            "/org/hqs",
            {
                "id": "jpn-under-quiet",
                "nation": "JPN",
                "parent_id": "jpn-quiet",
                "kind": "component",
                "name_en": "Under",
                "name_ja": "下",
                "short_en": "U",
                "short_ja": "下",
                "marking": USA,
            },
            "parent_id",
        ),
        (
            "/org/units",
            {
                "hq_id": "jpn-quiet",
                "name_en": "Loud unit",
                "name_ja": "部隊",
                "sidc": "SFGPUCI----H---",
                "domain": "land",
                "marking": USA,
            },
            "hq_id",
        ),
        (
            "/org/taskings",
            {"unit_id": world["quiet_unit"], "title": "Move", "marking": USA},
            "unit_id",
        ),
        (
            "/org/relationships",
            {
                "kind": "opcon",
                "superior": {"kind": "hq", "id": "jpn-quiet"},
                "subordinate": {"kind": "unit", "id": world["open_unit"]},
                "valid_from": SINCE,
                "marking": USA,
            },
            "superior.id",
        ),
        (
            "/org/relationships",
            {
                "kind": "direct_support",
                "superior": {"kind": "hq", "id": "usa-jfhq"},
                "subordinate": {"kind": "unit", "id": world["quiet_unit"]},
                "valid_from": SINCE,
            },
            "subordinate.id",
        ),
        (
            "/org/counterparts",
            {"hq_id": "jpn-quiet", "partner_hq_id": "usa-jfhq", "marking": USA},
            "hq_id",
        ),
        (
            "/acm/groups",
            {
                "name_en": "Quiet group",
                "name_ja": "静かな部会",
                "members": [
                    {"nation": "JPN", "name": "Sato", "hq_id": "jpn-quiet"},
                    {"nation": "USA", "name": "Smith", "hq_id": "usa-jfhq"},
                ],
                "marking": USA,
            },
            "members.0.hq_id",
        ),
    ]


CREATE_IDS = [
    "hq-parent",
    "unit-hq",
    "tasking-unit",
    "relationship-superior",
    "support-subordinate",
    "counterpart-hq",
    "group-member-hq",
]


@pytest.mark.parametrize("case", range(len(CREATE_IDS)), ids=CREATE_IDS)
def test_a_released_object_naming_an_unreleased_one_is_refused_and_nothing_is_stored(
    site: Site, world: dict[str, str], case: int
) -> None:
    path, body, field = _create_cases(world)[case]
    before = site.ledger_events()
    listed = site.client.get(path, headers=_jpn(site)).json()
    _refused(
        site, site.client.post(path, json=body, headers=_jpn(site)), "reference_not_released", field
    )
    assert site.ledger_events() == before
    assert site.client.get(path, headers=_jpn(site)).json() == listed
    assert "jpn-quiet" not in _usa_sees(site, path)
    assert world["quiet_unit"] not in _usa_sees(site, path)


def test_objects_released_as_far_as_what_they_name_are_created(
    site: Site, world: dict[str, str]
) -> None:
    jpn = _jpn(site)
    # Kept at home alongside what they name: fine.
    _created(_unit(site, "jpn-quiet", NATIONAL))
    _created(_hq(site, "jpn-quiet-child", NATIONAL, parent="jpn-quiet"))
    task: dict[str, Any] = {"unit_id": world["quiet_unit"], "title": "Move"}
    _created(site.client.post("/org/taskings", json=task, headers=jpn))
    # Released, naming released objects and a partner's HQ: fine.
    _created(_unit(site, "jpn-open", USA))
    task = {"unit_id": world["open_unit"], "title": "Move", "marking": USA}
    _created(site.client.post("/org/taskings", json=task, headers=jpn))
    counterpart = {"hq_id": "jpn-open", "partner_hq_id": "usa-jfhq", "marking": USA}
    _created(site.client.post("/org/counterparts", json=counterpart, headers=jpn))
    request = {
        "kind": "rfs",
        "from_hq_id": "jpn-open",
        "to_hq_ids": ["usa-jfhq"],
        "subject": "Open support",
        "marking": USA,
    }
    sent = _created(site.client.post("/acm/requests", json=request, headers=jpn))
    response = site.client.post(f"/acm/requests/{sent['id']}/send", headers=jpn)
    assert response.status_code == 200, response.text
    assert "jpn-open" in _usa_sees(site, "/org/units")


# -- changes that would release what names an unreleased object ----------------


def _version(site: Site, path: str) -> int:
    response = site.client.get(path, headers=_jpn(site))
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


def test_widening_a_unit_under_a_national_only_hq_is_refused(
    site: Site, world: dict[str, str]
) -> None:
    path = f"/org/units/{world['quiet_unit']}"
    version, before = _version(site, path), site.ledger_events()
    response = site.client.patch(path, json={"marking": USA}, headers=_jpn(site))
    _refused(site, response, "reference_not_released", "hq_id")
    assert (_version(site, path), site.ledger_events()) == (version, before)
    # Release the HQ first, then the unit (each through a disclosure proposal): both go.
    release_over_api(site, _jpn(site), "hq", "jpn-quiet", ["USA"])
    release_over_api(site, _jpn(site), "unit", world["quiet_unit"], ["USA"])
    assert world["quiet_unit"] in _usa_sees(site, "/org/units")


def test_moving_a_released_unit_under_a_national_only_hq_is_refused(
    site: Site, world: dict[str, str]
) -> None:
    path = f"/org/units/{world['open_unit']}"
    version, before = _version(site, path), site.ledger_events()
    response = site.client.patch(path, json={"hq_id": "jpn-quiet"}, headers=_jpn(site))
    _refused(site, response, "reference_not_released", "hq_id")
    assert (_version(site, path), site.ledger_events()) == (version, before)
    assert site.client.get(path, headers=_jpn(site)).json()["hq_id"] == "jpn-open"


def _draft(site: Site, from_hq: str) -> dict[str, Any]:
    draft = {
        "kind": "rfs",
        "from_hq_id": from_hq,
        "to_hq_ids": ["usa-jfhq"],
        "subject": "Support",
        "marking": USA,
    }
    return _created(site.client.post("/acm/requests", json=draft, headers=_jpn(site)))


def test_sending_a_request_from_a_national_only_hq_is_refused_until_the_hq_is_released(
    site: Site, world: dict[str, str]
) -> None:
    jpn = _jpn(site)
    made = _draft(site, "jpn-quiet")  # a draft stays at home: it may wait for its HQ
    path = f"/acm/requests/{made['id']}"
    before = site.ledger_events()
    sent = site.client.post(f"{path}/send", headers=jpn)
    _refused(site, sent, "reference_not_released", "from_hq_id")
    assert site.ledger_events() == before
    after = site.client.get(path, headers=jpn).json()["request"]
    assert (after["version"], after["state"]) == (made["version"], "draft")
    assert made["id"] not in _usa_sees(site, "/acm/requests")
    release_over_api(site, jpn, "hq", "jpn-quiet", ["USA"])
    sent = site.client.post(f"{path}/send", headers=jpn)
    assert sent.status_code == 200, sent.text
    assert made["id"] in _usa_sees(site, "/acm/requests")


def test_widening_a_sent_request_beyond_its_hqs_is_refused(
    site: Site, world: dict[str, str]
) -> None:
    jpn = _jpn(site)
    made = _draft(site, "jpn-open")
    path = f"/acm/requests/{made['id']}"
    sent = site.client.post(f"{path}/send", headers=jpn)
    assert sent.status_code == 200, sent.text
    # Standing guidance allows requests to KOR: what refuses this is the reference rule.
    issued = site.client.post(
        "/disclosure/guidance",
        json={"object_types": ["coordination_request"], "releasable_to": ["KOR"], "note": "Test."},
        headers=site.as_("JPN", "foreign_disclosure_officer", "jpn-jjoc"),
    )
    assert issued.status_code == 201, issued.text
    before = site.ledger_events()
    wider = {"marking": {"releasable_to": ["USA", "KOR"]}}
    body = assert_error(
        site.client.patch(path, json=wider, headers=jpn),
        422,
        "reference_not_released",
        "from_hq_id",
    )
    assert "KOR" in body["message"]["en"]
    assert "KOR" in body["message"]["ja"]
    assert site.ledger_events() == before
    after = site.client.get(path, headers=jpn).json()["request"]
    assert after["version"] == sent.json()["version"]
    assert after["marking"] == sent.json()["marking"]


# -- narrowing what released objects still name --------------------------------


def test_narrowing_an_hq_that_released_units_still_name_is_refused(
    site: Site, world: dict[str, str]
) -> None:
    path = "/org/hqs/jpn-open"
    version, before = _version(site, path), site.ledger_events()
    response = site.client.patch(path, json={"marking": NATIONAL}, headers=_jpn(site))
    body = assert_error(response, 422, "still_referenced", "marking.releasable_to")
    assert world["open_unit"] in body["message"]["en"]
    assert world["open_unit"] in body["message"]["ja"]
    assert (_version(site, path), site.ledger_events()) == (version, before)
    assert "jpn-open" in _usa_sees(site, "/org/hqs")
    # Narrow the unit first, then the HQ: both go.
    unit = f"/org/units/{world['open_unit']}"
    response = site.client.patch(unit, json={"marking": NATIONAL}, headers=_jpn(site))
    assert response.status_code == 200, response.text
    response = site.client.patch(path, json={"marking": NATIONAL}, headers=_jpn(site))
    assert response.status_code == 200, response.text
    assert "jpn-open" not in _usa_sees(site, "/org/hqs")


# -- what is loaded already keeps the rule -------------------------------------

REFERENCES = {
    "/org/hqs": ("parent_id",),
    "/org/units": ("hq_id",),
    "/org/counterparts": ("hq_id", "partner_hq_id"),
    "/org/taskings": ("unit_id", "issuing_hq_id"),
}


def test_the_seeded_structure_names_only_what_the_partner_may_read(site: Site) -> None:
    usa = site.as_("USA", "viewer", "usa-jfhq")
    visible = {
        row["id"]
        for path in ("/org/hqs", "/org/units")
        for row in site.client.get(path, headers=usa).json()
    }
    for path, fields in REFERENCES.items():
        for row in site.client.get(path, headers=usa).json():
            for field in fields:
                assert row[field] in visible | {None}, (path, row["id"], field)
    for rel in site.client.get("/org/relationships", headers=usa).json():
        assert {rel["superior"]["id"], rel["subordinate"]["id"]} <= visible, rel["id"]


QUIET_DOCUMENT = """
format: alliance-org/1
title_en: Quiet
title_ja: 静か
marking: {releasable_to: [JPN, USA]}
hqs:
  - {id: jpn-doc-quiet, nation: JPN, parent: jpn-jjoc, kind: component, name_en: Quiet,
     name_ja: 静か, short_en: Q, short_ja: 静, marking: {releasable_to: []}}
units:
  - {id: jpn-doc-loud, hq: jpn-doc-quiet, name_en: Loud, name_ja: 騒, sidc: SFGPUCI----H---,
     domain: land}
"""


def test_a_loaded_document_naming_an_unreleased_hq_is_refused_whole(site: Site) -> None:
    doc, digest = parse_document(QUIET_DOCUMENT)
    before = site.ledger_events()
    with pytest.raises(InvalidInput) as refused:
        load_document(site.node.ctx, doc, digest)
    assert (refused.value.code, refused.value.field) == ("reference_not_released", "units.0.hq")
    assert site.ledger_events() == before
    gone = site.client.get("/org/hqs/jpn-doc-quiet", headers=_jpn(site))
    assert_error(gone, 404, "not_found")
