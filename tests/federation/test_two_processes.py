"""Two real node processes federate over mutual TLS on 127.0.0.1.

Set up the way an operator does it, with the ``alliance`` command only: init
two nodes (JPN, USA, seeded; each on a database of its own on the selected
backend), a national CA and node certificate each, exchange partner bundles,
add users, and run ``alliance serve`` for both.
Then, through the user API of each node:

* a JPN staff officer drafts and sends an ACM request to USFJ,
  released to USA; it appears at the USA node;
* the US commander counter-proposes; JPN sees it, amends (revision 2); the US
  commander concurs; the JJOC commander concurs and records the decision;
  the USA node shows it in its decision log;
* the whole thread reads the same at both nodes (only ``origin`` differs),
  and each side's ledger holds the thread, each writing only its own part;
* a JPN-only unit never reaches the USA node: 404 there, and not a byte of
  it in the USA node's database;
* both ledgers verify (state included), and ``alliance federation status``
  shows every link drained and acknowledged, nothing quarantined.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alliance.core.exercise import EXERCISE_NAME
from tests.conftest import DatabaseFactory

from .processes import (
    Site,
    api_port,
    database_holds,
    json_of,
    ledger,
    ok,
    parallel,
    poll,
    serving,
    strip,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


JPN_PEOPLE = [
    ("JJOC J3 staff", "jpn-jjoc", "staff_officer"),
    ("JJOC commander", "jpn-jjoc", "commander"),
    ("JJOC FDO", "jpn-jjoc", "foreign_disclosure_officer"),
]
USA_PEOPLE = [
    ("USFJ commander", "usa-jfhq", "commander"),
    ("USFJ FDO", "usa-jfhq", "foreign_disclosure_officer"),
]


def _standing_guidance(site: Site, fdo: str, partner: str) -> None:
    """Each nation's foreign disclosure officer lets its staff release
    coordination traffic to the partner (nothing else)."""
    json_of(
        site.api.post(
            "/disclosure/guidance",
            json={
                "object_types": [
                    "coordination_request",
                    "coordination_response",
                    "decision",
                    "national_decision",
                ],
                "releasable_to": [partner],
                "note": "Bilateral coordination (test).",
            },
            headers=site.as_(fdo),
        ),
        201,
    )


def test_two_node_processes_coordinate_over_mutual_tls(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    started = time.monotonic()
    taken: set[int] = set()
    jpn = Site("JPN", tmp_path / "jpn", api_port(taken))
    usa = Site("USA", tmp_path / "usa", api_port(taken))
    # Each node on a database of its own, both on the selected backend.
    jpn_db, usa_db = new_database(), new_database()
    parallel(lambda: jpn.setup(jpn_db), lambda: usa.setup(usa_db))
    parallel(lambda: jpn.join(usa, JPN_PEOPLE), lambda: usa.join(jpn, USA_PEOPLE))
    setup_s = time.monotonic() - started

    with serving([jpn, usa], tmp_path / "serve.log"):
        _coordinate(jpn, usa)

    # Each ledger verifies, tables included; each link is drained and acknowledged.
    statuses: dict[str, list[dict[str, Any]]] = {}

    def check_node(site: Site) -> None:
        out = ok("ledger", "verify", home=site.home)
        assert "Ledger OK" in out, out
        assert "State OK" in out, out
        statuses[site.nation] = json.loads(ok("federation", "status", "--json", home=site.home))

    parallel(lambda: check_node(jpn), lambda: check_node(usa))
    for me, other in (("JPN", "USA"), ("USA", "JPN")):
        (mine,) = statuses[me]
        (theirs,) = statuses[other]
        assert mine["partner"] == other
        assert (mine["state"], mine["quarantined"]) == ("running", 0), mine
        assert mine["sent_seq"] == mine["acked_seq"] > 0, mine
        assert mine["received_seq"] == mine["partner_head_seq"] == theirs["sent_seq"], mine
        assert (mine["outbound_lag"], mine["inbound_lag"]) == (0, 0), mine

    elapsed = time.monotonic() - started
    print(f"setup {setup_s:.1f} s, total {elapsed:.1f} s")


def _coordinate(jpn: Site, usa: Site) -> None:
    staff, jcdr, ucdr = (
        jpn.as_("JJOC J3 staff"),
        jpn.as_("JJOC commander"),
        usa.as_("USFJ commander"),
    )
    _standing_guidance(jpn, "JJOC FDO", "USA")
    _standing_guidance(usa, "USFJ FDO", "JPN")

    # A JPN-only unit, created first: it must never leave the JPN node.
    marker = f"JPN-ONLY-{uuid.uuid4().hex}"
    unit = json_of(
        jpn.api.post(
            "/org/units",
            json={
                "hq_id": "jpn-gcc",
                "name_en": marker,
                "name_ja": f"{marker}（国内限り）",
                "sidc": "SFGPUCI----H---",
                "domain": "land",
            },
            headers=staff,
        ),
        201,
    )
    assert unit["marking"]["releasable_to"] == ["JPN"]

    draft = json_of(
        jpn.api.post(
            "/acm/requests",
            json={
                "kind": "activity",
                "from_hq_id": "jpn-jjoc",
                "to_hq_ids": ["usa-jfhq"],
                "subject": f"{EXERCISE_NAME}: bilateral air defense window (fictional)",
                "body": "Propose 1-14 Aug for the bilateral serial. / 8月1日〜14日を提案。",
                "priority": "priority",
                "due": "271200ZJUL26",
                "marking": {"releasable_to": ["USA"]},
            },
            headers=staff,
        ),
        201,
    )
    rid = draft["id"]
    json_of(jpn.api.post(f"/acm/requests/{rid}/send", headers=staff))

    def at(site: Site, who: dict[str, str], check: Callable[[dict[str, Any]], bool]) -> Any:
        response = site.api.get(f"/acm/requests/{rid}", headers=who)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found", response.text
            return None
        thread = json_of(response)
        return thread if check(thread) else None

    # It crosses to the USA node.
    # (The draft was released to USA too, so it may show up before it is sent.)
    thread = poll(
        lambda: at(usa, ucdr, lambda t: t["request"]["status"] == "sent"), "the sent request at USA"
    )
    assert thread["request"]["origin"] == "replica"
    assert thread["request"]["owner"] == "JPN"

    # The US non-concurrence, with a critical comment proposing another window, comes back.
    counter = json_of(
        usa.api.post(
            f"/acm/requests/{rid}/responses",
            json={
                "kind": "non_concur",
                "text": "Non-concur as drafted.",
                "comments": [
                    {"grade": "critical", "text": "Propose 4-18 Aug instead.", "ref": "para 2"}
                ],
            },
            headers=ucdr,
        ),
        201,
    )
    assert counter["owner"] == "USA"
    thread = poll(
        lambda: at(jpn, staff, lambda t: t["request"]["status"] == "non_concurred"),
        "the non-concurrence at JPN",
    )
    assert thread["responses"][0]["comments"][0]["grade"] == "critical"
    assert [r["id"] for r in thread["responses"]] == [counter["id"]]

    # JPN amends (a new revision); the US commander concurs on it.
    amended = json_of(
        jpn.api.patch(
            f"/acm/requests/{rid}",
            json={"body": "Window 4-18 Aug as proposed.", "version": thread["request"]["version"]},
            headers=staff,
        )
    )
    assert amended["revision"] == 2
    poll(lambda: at(usa, ucdr, lambda t: t["request"]["revision"] == 2), "revision 2 at USA")
    concur = json_of(
        usa.api.post(
            f"/acm/requests/{rid}/responses",
            json={"kind": "concur", "text": "Concur."},
            headers=ucdr,
        ),
        201,
    )
    poll(
        lambda: at(jpn, jcdr, lambda t: t["request"]["status"] == "concurred"),
        "the US concurrence at JPN",
    )

    # JPN concurs and records the bilateral decision; the USA decision log shows it.
    jpn_concur = json_of(
        jpn.api.post(f"/acm/requests/{rid}/responses", json={"kind": "concur"}, headers=jcdr), 201
    )
    decision = json_of(
        jpn.api.post(
            f"/acm/requests/{rid}/decision",
            json={"summary": "Bilateral air defense serial 4-18 Aug (fictional)."},
            headers=jcdr,
        ),
        201,
    )
    logged = poll(
        lambda: next(
            (
                d
                for d in json_of(usa.api.get("/acm/decisions", headers=ucdr))
                if d["id"] == decision["id"]
            ),
            None,
        ),
        "the decision in the USA decision log",
    )
    assert {c["nation"]: c["response_id"] for c in logged["concurrences"]} == {
        "JPN": jpn_concur["id"],
        "USA": concur["id"],
    }
    poll(lambda: at(usa, ucdr, lambda t: t["request"]["status"] == "decided"), "decided at USA")

    # The whole thread reads the same at both nodes.
    here = json_of(jpn.api.get(f"/acm/requests/{rid}", headers=jcdr))
    there = json_of(usa.api.get(f"/acm/requests/{rid}", headers=ucdr))
    assert len(here["responses"]) == 3
    assert strip(here) == strip(there)
    assert here["decision"]["id"] == decision["id"] == logged["id"]
    assert strip(logged) == strip(here["decision"])
    origins = {
        (r["owner"], r["origin"], rr["origin"])
        for r, rr in zip(here["responses"], there["responses"], strict=True)
    }
    assert origins == {("JPN", "local", "replica"), ("USA", "replica", "local")}

    # The JPN-only unit: 404 at USA.
    hidden = usa.api.get(f"/org/units/{unit['id']}", headers=ucdr)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found"), hidden.text
    seen = jpn.api.get(f"/org/units/{unit['id']}", headers=jcdr)
    assert seen.status_code == 200, seen.text
    assert (seen.json()["owner"], seen.json()["marking"]["releasable_to"]) == ("JPN", ["JPN"])

    # Both links drain and are acknowledged before the nodes stop.
    def drained(site: Site, who: dict[str, str]) -> bool | None:
        (link,) = json_of(site.api.get("/federation/status", headers=who))
        ok = (
            link["sent_seq"] == link["acked_seq"]
            and link["received_seq"] == link["partner_head_seq"]
            and link["state"] == "running"
        )
        return True if ok else None

    poll(lambda: drained(jpn, jcdr), "the JPN link to drain")
    poll(lambda: drained(usa, ucdr), "the USA link to drain")
    _ledgers_hold_the_thread(jpn, usa, rid, decision["id"], unit["id"], marker)


def _ledgers_hold_the_thread(
    jpn: Site, usa: Site, rid: str, decision_id: str, unit_id: str, marker: str
) -> None:
    """Each ledger shows the whole thread; each node wrote only its own part."""
    for site in (jpn, usa):
        events = ledger(site.database_url)
        about = [
            e
            for e in events
            if e[2] == rid or e[2] == decision_id or e[1] == "coordination_response"
        ]
        local = [e for e in about if not e[0].startswith("federation.")]
        received = [e for e in about if e[0].startswith("federation.replica.")]
        # What the node wrote itself is its own nation's; the rest came signed from the partner.
        assert local, about
        assert received, about
        assert {e[3] for e in local} == {site.nation}, local
        assert {e[3] for e in received} == {"USA" if site.nation == "JPN" else "JPN"}, received
        kinds = {e[0] for e in local}
        if site.nation == "JPN":
            assert kinds == {
                "acm.request.created",
                "acm.request.sent",
                "acm.request.amended",
                "acm.response.concur",
                "acm.decision.recorded",
                "acm.request.decided",
            }, kinds
            assert {e[1] for e in received} == {"coordination_response"}
            assert any(e[2] == unit_id for e in events)
        else:
            assert kinds == {"acm.response.non_concur", "acm.response.concur"}
            assert {"coordination_request", "decision", "coordination_response"} == {
                e[1] for e in received
            }
            assert not any(e[2] == unit_id for e in events), "the JPN-only unit reached USA"
    # Not a byte of the JPN-only unit anywhere in the USA node's database or folder.
    assert database_holds(usa.database_url, marker) == []
    assert database_holds(jpn.database_url, marker) != []  # the search finds what is there
    for path in usa.home.rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes(), f"{marker} found in {path}"
