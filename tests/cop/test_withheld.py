"""No submarine position ever leaves the node: a report of one is refused over
the API, dropped from a TAK client (pytak, as a field gateway sends it) or a
partner's feed, never restored from the store, and so never sent to a TAK
client, the console's stream, an export or a partner. And the simulated
exercise reaches TAK clients, the API and exports flagged as exercise data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from alliance.cop import CopDesk, TrackHub
from alliance.cop.cot import CotEvent, to_xml
from alliance.cop.feed import TrackChanges, TrackFeed
from alliance.cop.simulator import EXERCISE_NAME, FORCES, Simulator
from alliance.cop.tracks import Track
from alliance.core.markings import Marking
from alliance.node import Node
from tests.conftest import NodeFactory, add_people

from .conftest import TakNode, auth
from .test_tak_interop import PytakClient, _config, _tracks

NOW = datetime.now(UTC)
SUB = "SFUPSN---------"

pytestmark = pytest.mark.filterwarnings("ignore:ssl.OP_NO_SSL:DeprecationWarning")


def _cot(uid: str, cot_type: str, rel: str = "USA") -> bytes:
    return to_xml(
        CotEvent(
            uid=uid,
            type=cot_type,
            time=NOW,
            start=NOW,
            stale=NOW + timedelta(minutes=10),
            lat=31.0,
            lon=132.0,
            callsign=uid,
            extra={"releasable_to": rel},
        )
    )


def _sub_track(owner: str, uid: str = "SUB-1") -> Track:
    return Track(
        uid=uid,
        owner=owner,
        marking=Marking.of(owner, ["JPN", "USA"]),
        sidc=SUB,
        callsign=uid,
        lat=31.0,
        lon=132.0,
        time=NOW,
        stale=NOW + timedelta(minutes=10),
    )


def test_a_tak_client_never_gets_a_submarine(tak_node: TakNode) -> None:
    """JPN's gateway sends a submarine released to USA, by CoT type and by symbol
    code, then a ship: USA's client gets the ship only, and nobody holds the submarine."""
    sidc_sub = to_xml(
        CotEvent(
            uid="JPN-SUB-2",
            type="a-f-S-C-L",  # the type says surface; the symbol code says submarine
            time=NOW,
            start=NOW,
            stale=NOW + timedelta(minutes=10),
            lat=31.0,
            lon=132.0,
            extra={"releasable_to": "USA", "sidc": SUB},
        )
    )

    async def scenario() -> None:
        url = f"tcp://127.0.0.1:{tak_node.server.tcp_port}"
        async with PytakClient(_config(url)) as usa, PytakClient(_config(url)) as jpn:
            await usa.send(auth(tak_node.token("USA")))
            await jpn.send(auth(tak_node.token("JPN")))
            await usa.read_until(lambda e: e.type == "t-x-takp-v")
            await jpn.read_until(lambda e: e.type == "t-x-takp-v")
            await jpn.send(_cot("JPN-SUB-1", "a-f-U-S-N") + sidc_sub)
            await jpn.send(_cot("JPN-SHIP-1", "a-f-S-C-L"))  # the barrier
            got = await usa.read_until(lambda e: e.uid == "JPN-SHIP-1")
            assert _tracks(got) == ["JPN-SHIP-1"]
        # A client connecting now is sent the picture: no submarine in it either.
        async with PytakClient(_config(url)) as late:
            await late.send(auth(tak_node.token("JPN")))
            got = await late.read_until(lambda e: e.uid == "JPN-SHIP-1")
            assert _tracks(got) == ["JPN-SHIP-1"]

    asyncio.run(scenario())
    hub = tak_node.node.cop.hub
    for nation in ("JPN", "USA"):
        assert hub.get("JPN-SUB-1", nation) is None
        assert hub.get("JPN-SUB-2", nation) is None
    tak_node.node.cop.store.flush()
    assert {t.uid for t in tak_node.node.cop.store.load()} == {"JPN-SHIP-1"}


def test_tak_clients_get_the_exercise_flagged(tak_node: TakNode) -> None:
    node = tak_node.node
    Simulator(node.cop, "JPN", clock=lambda: NOW).step()
    Simulator(node.cop, "USA", clock=lambda: NOW).step()
    expected = {m.uid for m in FORCES["USA"]} | {
        m.uid for m in FORCES["JPN"] if "USA" in m.release_to
    }

    async def scenario() -> list[CotEvent]:
        url = f"tcp://127.0.0.1:{tak_node.server.tcp_port}"
        async with PytakClient(_config(url)) as usa:
            await usa.send(auth(tak_node.token("USA")))
            got = await usa.read_until(lambda e: set(_tracks(usa.events)) >= expected, timeout=10)
            return [e for e in got if not e.type.startswith("t-")]

    events = asyncio.run(scenario())
    assert {e.uid for e in events} == expected
    assert all(e.exercise == EXERCISE_NAME for e in events)


def test_a_partners_feed_never_brings_a_submarine(make_node: NodeFactory) -> None:
    usa = make_node("USA", seed=False)
    feed = TrackFeed(usa.cop)
    feed.apply("JPN", TrackChanges([_sub_track("JPN")], []), full=False)
    assert usa.cop.hub.get("SUB-1", "USA") is None
    assert usa.cop.hub.picture("USA") == []


def test_a_stored_submarine_is_not_restored(make_node: NodeFactory) -> None:
    """A node that stored one before submarines were withheld shows none of them."""
    node = make_node("JPN", seed=False)
    node.cop.store.save(_sub_track("JPN"))
    node.cop.store.flush()
    assert [t.uid for t in node.cop.store.load()] == ["SUB-1"]
    restarted = CopDesk(node.cop.ctx, TrackHub(), node.cop.store)
    assert restarted.restore() == 0
    assert restarted.hub.picture("JPN") == []


def test_the_api_refuses_a_submarine_and_flags_the_exercise(
    make_node: NodeFactory, serve: Callable[[Node], httpx.Client]
) -> None:
    node = make_node("JPN", hosted=["USA"], seed=True)
    people = add_people(node)
    client = serve(node)
    jpn = people("JPN", "staff_officer", "jpn-jjoc")
    usa = people("USA", "staff_officer", "usa-jfhq")
    refused = client.post(
        "/cop/tracks",
        json={"uid": "JPN-SUB-9", "sidc": SUB, "callsign": "x", "lat": 31.0, "lon": 132.0},
        headers=jpn,
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert (body["code"], body["field"]) == ("position_withheld", "sidc")
    assert body["message"]["en"]
    assert body["message"]["ja"]
    Simulator(node.cop, "JPN", clock=lambda: NOW).step()
    for who in (jpn, usa):
        tracks = client.get("/cop/tracks", headers=who).json()
        assert tracks
        assert all(t["domain"] != "subsurface" for t in tracks)
        assert all(t["exercise"] and t["exercise_name"] == EXERCISE_NAME for t in tracks)
        assert client.get("/cop/tracks/JPN-SUB-9", headers=who).status_code == 404
        geo = client.get("/cop/export.geojson", headers=who).json()
        assert geo["exercise"]["en"].startswith("EXERCISE EXERCISE EXERCISE")
        assert EXERCISE_NAME in geo["exercise"]["ja"]
        assert all(f["properties"]["exercise"] for f in geo["features"])
        kml = client.get("/cop/export.kml", headers=who).text
        assert "EXERCISE EXERCISE EXERCISE" in kml
        assert '<Data name="exercise"><value>true</value></Data>' in kml
        assert "JPN-SUB-9" not in kml
    # The scenario itself says it is fictional, and where the OPFOR's training box is.
    scenario = client.get("/cop/exercise", headers=usa).json()
    assert (scenario["name"], scenario["fictional"]) == (EXERCISE_NAME, True)
    assert "FICTIONAL" in scenario["label"]["en"]
    assert "架空" in scenario["label"]["ja"]
    assert [a["name"]["en"] for a in scenario["areas"]] == ["TRAINING BOX KILO (FICTIONAL)"]
    # A real-world report is not flagged, and an export of real-world tracks has no banner.
    own = client.post(
        "/cop/tracks",
        json={
            "uid": "JPN-REAL-1",
            "sidc": "SFGPUCR----E---",
            "callsign": "x",
            "lat": 35.0,
            "lon": 139.0,
        },
        headers=jpn,
    ).json()
    assert (own["exercise"], own["exercise_name"]) == (False, "")
    flagged = client.post(
        "/cop/tracks",
        json={
            "uid": "JPN-EX-9",
            "sidc": "SDGPUCR----E---",
            "callsign": "x",
            "lat": 35.0,
            "lon": 139.0,
            "exercise_name": "OTHER EX",
        },
        headers=jpn,
    ).json()
    assert (flagged["exercise"], flagged["exercise_name"]) == (True, "OTHER EX")
