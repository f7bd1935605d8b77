"""The demo exercise simulator: plausible movement, own forces only, releases as declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alliance.cop.simulator import FORCES, Simulator, distance_m, picture
from alliance.cop.tracks import TrackDomain
from alliance.node import Node
from tests.conftest import NodeFactory

T = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


@pytest.fixture
def jpn(make_node: NodeFactory) -> Node:
    return make_node("JPN", seed=False)


@pytest.mark.parametrize("nation", ["JPN", "USA"])
def test_every_platform_moves_at_its_own_speed(nation: str, make_node: NodeFactory) -> None:
    node = make_node(nation, seed=False)
    sim = Simulator(node.cop, nation, clock=lambda: T)
    before = {t.uid: t for t in sim.tracks_at(T)}
    after = {t.uid: t for t in sim.tracks_at(T + timedelta(seconds=10))}
    for mover in sim.movers:
        moved = distance_m(
            (before[mover.uid].lat, before[mover.uid].lon),
            (after[mover.uid].lat, after[mover.uid].lon),
        )
        # Along a leg the straight distance equals the distance run; over a
        # turn it is a little less, never more.
        assert moved <= mover.speed * 10 + 1.0, mover.uid
        assert moved >= mover.speed * 10 * 0.9 - 1.0, mover.uid


def test_the_exercise_has_every_kind_of_track_for_both_nations() -> None:
    for nation, movers in FORCES.items():
        tracks = picture(nation, movers, T)
        domains = {t.domain for t in tracks}
        assert {
            TrackDomain.MARITIME,
            TrackDomain.AIR,
            TrackDomain.LAND,
            TrackDomain.INSTALLATION,
        } <= domains, nation
        drones = [t for t in tracks if t.unmanned]
        assert drones
        assert all(t.operator_nation == nation and t.control_link for t in drones)
        assert all(t.owner == nation for t in tracks)
        # Something stays national, the rest is released to the partner.
        partner = "USA" if nation == "JPN" else "JPN"
        assert any(not t.marking.releases_to(partner) for t in tracks)
        assert any(t.marking.releases_to(partner) for t in tracks)


def test_steps_feed_the_picture_and_the_released_part_only(jpn: Node) -> None:
    now = [T]
    sim = Simulator(jpn.cop, "JPN", clock=lambda: now[0])
    assert sim.step() == len(FORCES["JPN"])
    ship = jpn.cop.hub.get("JPN-EX-DD02", "USA")
    assert ship is not None
    assert (ship.owner, ship.marking.nations, ship.time) == ("JPN", ["JPN", "USA"], T)
    now[0] = T + timedelta(minutes=1)
    assert sim.step() == len(FORCES["JPN"])
    moved = jpn.cop.hub.get("JPN-EX-DD02", "USA")
    assert moved is not None
    assert moved.time == now[0]
    assert (moved.lat, moved.lon) != (ship.lat, ship.lon)
    assert jpn.cop.hub.get("JPN-EX-RCN1", "USA") is None
    recon = jpn.cop.hub.get("JPN-EX-RCN1", "JPN")
    assert recon is not None
    assert (recon.owner, recon.marking.nations) == ("JPN", ["JPN"])
    # Every platform is in JPN's own picture; USA's holds exactly the released ones.
    forces = {m.uid for m in FORCES["JPN"]}
    released = {m.uid for m in FORCES["JPN"] if "USA" in m.release_to}
    assert {t.uid for t in jpn.cop.hub.picture("JPN")} == forces
    assert {t.uid for t in jpn.cop.hub.picture("USA")} == released
