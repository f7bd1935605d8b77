"""An object's identity includes its owner: no partner ever writes a row another nation owns.

Real ``alliance serve`` processes, every node on a database of its own on the
selected backend:

* between honest nodes a takeover cannot even be attempted: ids a client
  chooses are in the owner's namespace, so the JPN node refuses ``usa-…`` and
  a USA HQ and a JPN HQ of the same name coexist;
* a hostile JPN partner — JPN's real node key and certificate, the real wire
  format over the real mutual TLS — sends correctly signed items that relabel
  our objects as its own (a ``usa-…`` HQ, the ULIDs of our request and our
  command relationship), withdraw or change them again, or claim an id in our
  namespace we have not used yet. Each is refused and kept in quarantine, the
  link keeps running and the honest item after them arrives; our rows, their
  edits and our ledger are intact, and we can still create the id it claimed;
* a release narrowed to national-only is withdrawn on the receiver — on
  PostgreSQL too, where ``origin = "withdrawn"`` once did not fit its column
  and stopped the link — within a second, and the link runs on.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from alliance.config import load_settings
from alliance.core.keys import NodeKey
from alliance.core.models import MarkingIn
from alliance.federation.stream import read_stream
from alliance.node import Node
from alliance.org.models import UnitIn
from alliance.pki import Pki
from alliance.store.ledger import events_of
from tests.conftest import DatabaseFactory

from .fake_partner import Chain, FakePartner
from .helpers import actor
from .processes import (
    Site,
    api_port,
    cli,
    json_of,
    ledger,
    ok,
    parallel,
    poll,
    serving,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

JPN_PEOPLE = [("JJOC J3 staff", "jpn-jjoc", "staff_officer")]
USA_PEOPLE = [
    ("USFJ J3 staff", "usa-jfhq", "staff_officer"),
    ("USFJ commander", "usa-jfhq", "commander"),
    ("USA node admin", "usa-jfhq", "admin"),
]
WITHDRAWN_WITHIN_S = 1.0


def _hq(ident: str | None, nation: str, parent: str, name: str, rel: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nation": nation,
        "parent_id": parent,
        "kind": "component",
        "name_en": name,
        "name_ja": f"{name}（試験）",
        "short_en": name[:10],
        "short_ja": "試験",
        "marking": {"releasable_to": rel},
    }
    if ident is not None:
        body["id"] = ident
    return body


def _pair(tmp_path: Path, new_database: DatabaseFactory) -> tuple[Site, Site]:
    """A JPN and a USA node folder, federated, with people; not serving yet."""
    taken: set[int] = set()
    jpn = Site("JPN", tmp_path / "jpn", api_port(taken))
    usa = Site("USA", tmp_path / "usa", api_port(taken))
    jpn_db, usa_db = new_database(), new_database()
    parallel(lambda: jpn.setup(jpn_db), lambda: usa.setup(usa_db))
    parallel(lambda: jpn.join(usa, JPN_PEOPLE), lambda: usa.join(jpn, USA_PEOPLE))
    parallel(jpn.standing_guidance, usa.standing_guidance)
    return jpn, usa


def _verified(site: Site) -> None:
    out = ok("ledger", "verify", home=site.home)
    assert "Ledger OK" in out, out
    assert "State OK" in out, out


def _running_clean(site: Site, who: str) -> None:
    link = site.link(who)
    assert (link["state"], link["quarantined"], link["last_error"]) == ("running", 0, ""), link


def _get(site: Site, path: str, who: str) -> dict[str, Any] | None:
    response = site.api.get(path, headers=site.as_(who))
    if response.status_code == 404:
        assert response.json()["code"] == "not_found", response.text
        return None
    found: dict[str, Any] = json_of(response)
    return found


# -- honest nodes: the namespace makes the takeover impossible ------------------------


def test_an_honest_node_cannot_choose_a_partners_id_and_both_hqs_coexist(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    jpn, usa = _pair(tmp_path, new_database)
    with serving([jpn, usa], tmp_path / "serve.log"):
        staff, ustaff, ucdr = "JJOC J3 staff", "USFJ J3 staff", "USFJ commander"
        mine = json_of(
            usa.api.post(
                "/org/hqs",
                json=_hq("usa-x", "USA", "usa-jfhq", "USA Cell X", []),
                headers=usa.as_(ustaff),
            ),
            201,
        )
        assert (mine["owner"], mine["marking"]["releasable_to"]) == ("USA", ["USA"])

        # JPN cannot choose an id in USA's namespace, for any kind of object.
        refused = jpn.api.post(
            "/org/hqs",
            json=_hq("usa-x", "JPN", "jpn-jjoc", "JPN Cell X", ["USA"]),
            headers=jpn.as_(staff),
        )
        body = json_of(refused, 422)
        assert (body["code"], body["field"]) == ("id_outside_namespace", "id"), body
        assert "jpn-" in body["message"]["en"]
        assert "jpn-" in body["message"]["ja"]
        unit = {
            "id": "usa-x",
            "hq_id": "jpn-gcc",
            "name_en": "Unit X",
            "name_ja": "部隊X",
            "sidc": "SFGPUCI----H---",
            "domain": "land",
        }
        body = json_of(jpn.api.post("/org/units", json=unit, headers=jpn.as_(staff)), 422)
        assert body["code"] == "id_outside_namespace", body

        # In its own namespace it may; the release reaches USA beside USA's own HQ.
        theirs = json_of(
            jpn.api.post(
                "/org/hqs",
                json=_hq("jpn-x", "JPN", "jpn-jjoc", "JPN Cell X", ["USA"]),
                headers=jpn.as_(staff),
            ),
            201,
        )
        assert theirs["owner"] == "JPN"
        replica = poll(lambda: _get(usa, "/org/hqs/jpn-x", ucdr), "jpn-x at USA")
        assert (replica["owner"], replica["origin"], replica["name_en"]) == (
            "JPN",
            "replica",
            "JPN Cell X",
        )
        ours = _get(usa, "/org/hqs/usa-x", ucdr)
        assert ours is not None
        assert (ours["owner"], ours["origin"], ours["name_en"], ours["parent_id"]) == (
            "USA",
            "local",
            "USA Cell X",
            "usa-jfhq",
        )
        edited = json_of(
            usa.api.patch(
                "/org/hqs/usa-x", json={"name_en": "USA Cell X (edited)"}, headers=usa.as_(ucdr)
            )
        )
        assert (edited["version"], edited["owner"]) == (2, "USA")
        listed = {
            h["id"]: h["owner"] for h in json_of(usa.api.get("/org/hqs", headers=usa.as_(ucdr)))
        }
        assert (listed["usa-x"], listed["jpn-x"]) == ("USA", "JPN")
        assert _get(jpn, "/org/hqs/usa-x", staff) is None  # national-only stays at home
        poll(lambda: True if usa.link("USA node admin")["inbound_lag"] == 0 else None, "drain")
        _running_clean(usa, "USA node admin")

    parallel(lambda: _verified(jpn), lambda: _verified(usa))
    about_x = [e for e in ledger(usa.database_url) if e[2] == "usa-x"]
    assert {e[3] for e in about_x} == {"USA"}, about_x
    assert [e[0] for e in about_x] == ["org.hq.created", "org.hq.updated"]


# -- a withdrawal on the receiver (PostgreSQL included) ------------------------------


def test_a_withdrawal_is_applied_on_the_receiver_within_a_second_and_the_link_runs_on(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    jpn, usa = _pair(tmp_path, new_database)
    with serving([jpn, usa], tmp_path / "serve.log"):
        staff, ucdr, admin = "JJOC J3 staff", "USFJ commander", "USA node admin"
        made = json_of(
            jpn.api.post(
                "/org/hqs",
                json=_hq("jpn-y", "JPN", "jpn-jjoc", "JPN Cell Y", ["USA"]),
                headers=jpn.as_(staff),
            ),
            201,
        )
        poll(lambda: _get(usa, "/org/hqs/jpn-y", ucdr), "jpn-y at USA")

        narrowed = json_of(
            jpn.api.patch(
                "/org/hqs/jpn-y",
                json={"marking": {"releasable_to": []}, "version": made["version"]},
                headers=jpn.as_(staff),
            )
        )
        assert narrowed["marking"]["releasable_to"] == ["JPN"]
        observable = time.monotonic()  # committed at JPN: the withdrawal may now cross
        poll(
            lambda: True if _get(usa, "/org/hqs/jpn-y", ucdr) is None else None,
            "the withdrawal at USA",
            timeout=5,
        )
        took = time.monotonic() - observable
        assert took < WITHDRAWN_WITHIN_S, f"withdrawn after {took:.2f} s"
        hqs = {h["id"] for h in json_of(usa.api.get("/org/hqs", headers=usa.as_(ucdr)))}
        assert "jpn-y" not in hqs
        _running_clean(usa, admin)

        # A later release still arrives.
        json_of(
            jpn.api.post(
                "/org/hqs",
                json=_hq("jpn-z", "JPN", "jpn-jjoc", "JPN Cell Z", ["USA"]),
                headers=jpn.as_(staff),
            ),
            201,
        )
        poll(lambda: _get(usa, "/org/hqs/jpn-z", ucdr), "jpn-z at USA")
        _running_clean(usa, admin)
        assert usa.link(admin)["inbound_lag"] == 0

    parallel(lambda: _verified(jpn), lambda: _verified(usa))
    kinds = [e[0] for e in ledger(usa.database_url) if e[2] == "jpn-y"]
    assert kinds == ["federation.replica.applied", "federation.replica.withdrawn"], kinds


# -- a hostile partner -------------------------------------------------------------------


def _jpn_in_process(jpn: Site) -> tuple[NodeKey, str, list[Any], str, dict[str, Any]]:
    """From the JPN node's folder: its key, node id, its genuine stream to USA
    (the seed's released objects, then one more unit released to USA, the last
    item), that unit's id and the full state of one of its HQs."""
    with Node(load_settings(jpn.home)) as node:
        unit = node.org.create_unit(
            actor("JPN", "jpn-gcc"),
            UnitIn(
                hq_id="jpn-gcc",
                name_en="Honest Unit",
                name_ja="誠実な部隊",
                sidc="SFGPUCI----H---",
                domain="land",
                marking=MarkingIn(releasable_to=["USA"]),
            ),
        )
        genuine = read_stream(node.db, "USA", 0, 10_000)
        state = events_of(node.db, "hq", "jpn-gcc")[-1].body_json()["data"]["state"]
        return node.key, node.node_id, genuine, unit.id, state


def test_a_partner_relabelling_our_ids_is_refused_item_by_item_and_the_link_runs_on(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    jpn, usa = _pair(tmp_path, new_database)
    key, node_id, genuine, honest_unit, hq_state = _jpn_in_process(jpn)
    assert genuine[-1].body.decode().count(honest_unit) >= 1
    chain = Chain(key, origin="JPN", node=node_id, to="USA")
    for item in genuine[:-1]:
        chain.add(item)
    usa_ca = Pki.load(usa.home).ca_pem
    staff, cdr, admin = "USFJ J3 staff", "USFJ commander", "USA node admin"

    # The fake JPN serves at the JPN node's federation address, with its key and certificate.
    with (
        FakePartner(Pki.load(jpn.home), usa_ca, key, "USA", port=jpn.port + 10) as fake,
        serving([usa], tmp_path / "serve.log"),
    ):
        fake.items = list(chain.items)
        poll(
            lambda: True if usa.link(admin)["received_seq"] == len(genuine) - 1 else None,
            "the seed's releases at USA",
        )
        # Our objects: an HQ in our namespace (edited once), a request to JPN and
        # a command relationship (ids the server chose: ULIDs).
        json_of(
            usa.api.post(
                "/org/hqs",
                json=_hq("usa-x", "USA", "usa-jfhq", "USA Cell X", []),
                headers=usa.as_(staff),
            ),
            201,
        )
        json_of(
            usa.api.patch("/org/hqs/usa-x", json={"name_en": "USA Cell X v2"}, headers=usa.as_(cdr))
        )
        request = json_of(
            usa.api.post(
                "/acm/requests",
                json={
                    "kind": "rfi",
                    "from_hq_id": "usa-jfhq",
                    "to_hq_ids": ["jpn-jjoc"],
                    "subject": "USA planning question",
                    "marking": {"releasable_to": ["JPN"]},
                },
                headers=usa.as_(staff),
            ),
            201,
        )
        relationship = json_of(
            usa.api.post(
                "/org/relationships",
                json={
                    "kind": "tacon",
                    "superior": {"kind": "hq", "id": "usa-jfhq"},
                    "subordinate": {"kind": "unit", "id": "usa-18wg"},
                    "valid_from": "010000ZJAN25",
                    "caveats_en": "USA caveat",
                },
                headers=usa.as_(cdr),
            ),
            201,
        )
        rid, relid = request["id"], relationship["id"]
        at = datetime.now(UTC)
        hijacked = {**hq_state, "name_en": "Hijacked", "parent_id": "jpn-jjoc"}
        forged = [
            (chain.forge("hq", "usa-x", hijacked, now=at), "id_collision"),
            (
                chain.forge("coordination_request", rid, {"subject": "Hijacked"}, now=at),
                "id_collision",
            ),
            (
                chain.forge("relationship", relid, {"caveats_en": "Hijacked"}, now=at),
                "id_collision",
            ),
            (chain.forge("hq", "usa-future", hijacked, now=at), "id_namespace"),
            (chain.forge("hq", "usa-x", {}, kind="withdraw", now=at), "id_collision"),
            (chain.forge("hq", "usa-x", {**hijacked, "name_en": "Again"}, now=at), "id_collision"),
        ]
        last = chain.add(genuine[-1])  # then an honest release
        fake.items = list(chain.items)

        arrived = poll(lambda: _get(usa, f"/org/units/{honest_unit}", cdr), "the honest unit")
        assert (arrived["owner"], arrived["origin"]) == ("JPN", "replica")
        link = usa.link(admin)
        assert link["state"] == "running", link
        assert link["received_seq"] == link["partner_head_seq"] == last.seq, link
        assert link["quarantined"] == len(forged), link
        assert link["last_error"].startswith("id_collision:"), link
        assert "kept running" in link["last_error"], link
        listed = json_of(usa.api.get("/federation/quarantine", headers=usa.as_(admin)))
        assert [(q["seq"], q["code"]) for q in listed] == [(i.seq, c) for i, c in forged]
        assert all(q["reason"]["en"] and q["reason"]["ja"] for q in listed)

        # Our objects are ours, as we last wrote them; we can still edit them.
        hq = _get(usa, "/org/hqs/usa-x", cdr)
        assert hq is not None
        assert (hq["owner"], hq["origin"], hq["name_en"], hq["parent_id"], hq["version"]) == (
            "USA",
            "local",
            "USA Cell X v2",
            "usa-jfhq",
            2,
        )
        assert hq["marking"]["releasable_to"] == ["USA"]
        req = json_of(usa.api.get(f"/acm/requests/{rid}", headers=usa.as_(staff)))["request"]
        assert (req["owner"], req["subject"]) == ("USA", "USA planning question")
        rels = json_of(usa.api.get("/org/relationships", headers=usa.as_(cdr)))
        (rel,) = [r for r in rels if r["id"] == relid]
        assert (rel["owner"], rel["caveats_en"]) == ("USA", "USA caveat")
        edited = json_of(
            usa.api.patch("/org/hqs/usa-x", json={"name_en": "USA Cell X v3"}, headers=usa.as_(cdr))
        )
        assert (edited["version"], edited["owner"]) == (3, "USA")
        # The id it claimed in our namespace was never taken: we create it now.
        future = json_of(
            usa.api.post(
                "/org/hqs",
                json=_hq("usa-future", "USA", "usa-jfhq", "USA Future Cell", []),
                headers=usa.as_(staff),
            ),
            201,
        )
        assert future["owner"] == "USA"

        # The operator is told (CLI too), and closes the quarantine; the link was never stopped.
        told = cli("federation", "status", home=usa.home)
        assert told.returncode == 1, told.stdout + told.stderr
        assert "refused and quarantined (the links kept running)" in " ".join(told.stderr.split())
        resumed = json_of(
            usa.api.post(
                "/federation/JPN/resume", json={"note": "JPN told"}, headers=usa.as_(admin)
            )
        )
        assert (resumed["state"], resumed["quarantined"], resumed["last_error"]) == (
            "running",
            0,
            "",
        )

    _verified(usa)
    quarantine = cli("federation", "quarantine", "--all", home=usa.home)
    assert quarantine.returncode == 0, quarantine.stderr
    assert quarantine.stdout.count("id_collision") == 5, quarantine.stdout
    assert quarantine.stdout.count("id_namespace") == 1, quarantine.stdout
    events = ledger(usa.database_url)
    for ident in ("usa-x", rid, relid, "usa-future"):
        owners = {e[3] for e in events if e[2] == ident}
        assert owners == {"USA"}, (ident, owners)
    refused = [e for e in events if e[0] == "federation.item.refused"]
    assert refused == [("federation.item.refused", "partner", "JPN", "USA")] * len(forged)
    assert [e for e in events if e[2] == honest_unit] == [
        ("federation.replica.applied", "unit", honest_unit, "JPN")
    ]
