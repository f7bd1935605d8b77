"""Federation status and operator actions over HTTP: who may see the links, who may act on them."""

from __future__ import annotations

import pytest

from alliance.node import Node
from tests.conftest import NodeFactory, add_people
from tests.federation.helpers import federate

from .conftest import ServeFn, Site, assert_error


@pytest.fixture
def linked(make_node: NodeFactory, serve: ServeFn) -> Site:
    """A served JPN node with a link to a USA node (pinned both ways, not pulling)."""
    jpn: Node = make_node("JPN")
    usa: Node = make_node("USA")
    federate([jpn, usa])
    return Site(jpn, serve(jpn), add_people(jpn))


def test_federation_status_is_read_by_commanders_staff_and_administrators(linked: Site) -> None:
    site = linked
    for role in ("commander", "staff_officer", "admin"):
        status = site.client.get("/federation/status", headers=site.as_("JPN", role, "jpn-jjoc"))
        assert status.status_code == 200, status.text
        (link,) = status.json()
        # Nothing pulled yet: whatever is queued for USA is still unacknowledged.
        assert (link["partner"], link["acked_seq"], link["received_seq"]) == ("USA", 0, 0)
        assert (link["outbound_lag"], link["quarantined"]) == (link["sent_seq"], 0)
        assert link["url"].startswith("https://127.0.0.1:")


@pytest.mark.parametrize("role", ["viewer", "liaison_officer"])
def test_federation_status_is_refused_to_viewers_and_liaison_officers(
    linked: Site, role: str
) -> None:
    site = linked
    body = assert_error(
        site.client.get("/federation/status", headers=site.as_("JPN", role, "jpn-jjoc")),
        403,
        "role_not_authorized",
    )
    assert "federation status" in body["message"]["en"]
    assert "連携状況" in body["message"]["ja"]
    assert "USA" not in str(body)


def test_quarantine_and_resume_stay_with_the_administrator(linked: Site) -> None:
    site = linked
    before = site.ledger_events()
    for role in ("commander", "staff_officer", "liaison_officer", "viewer"):
        who = site.as_("JPN", role, "jpn-jjoc")
        assert_error(
            site.client.get("/federation/quarantine", headers=who), 403, "role_not_authorized"
        )
        assert_error(
            site.client.post("/federation/USA/resume", json={"note": "checked"}, headers=who),
            403,
            "role_not_authorized",
        )
    assert site.ledger_events() == before
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    listed = site.client.get("/federation/quarantine", headers=admin)
    assert listed.status_code == 200, listed.text
    assert listed.json() == []
    resumed = site.client.post(
        "/federation/usa/resume", json={"note": "fingerprint checked"}, headers=admin
    )
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["partner"], resumed.json()["state"]) == ("USA", "running")
    assert site.ledger_events() == before + 1
