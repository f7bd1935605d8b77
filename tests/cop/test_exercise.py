"""Exercise safety in the picture: every simulated track is flagged and named
as exercise data through CoT, the API and exports; platforms and callsigns are
fictional; the opposing force stays in its notional training box; ships stay
at sea and ground units on land for a day (against the coastline the console
draws); unmanned aircraft lose their link only when the scenario says so."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import takproto
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import Polygon

from alliance.cop.cot import parse_xml, to_proto_frame, to_xml
from alliance.cop.simulator import (
    CYCLE,
    EXERCISE_NAME,
    FORCES,
    LINK_EVENTS,
    TRAINING_BOX,
    LinkEvent,
    Simulator,
    distance_m,
    link_state,
    picture,
    scenario,
)
from alliance.cop.tracks import LinkStatus, Track, TrackDomain, track_from_cot
from alliance.core.markings import Marking

from .coast import COUNTRIES, on_land

T = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
DAY = [T + timedelta(minutes=m) for m in range(0, 24 * 60 + 1, 5)]
MOVERS = [m for movers in FORCES.values() for m in movers]


def _all_tracks(at: datetime) -> list[Track]:
    return [t for nation, movers in FORCES.items() for t in picture(nation, movers, at)]


# -- flagged and named everywhere ----------------------------------------------------


def test_every_simulated_track_is_flagged_and_named_as_exercise_data() -> None:
    for track in _all_tracks(T):
        assert track.exercise, track.uid
        assert track.exercise_name == EXERCISE_NAME
        assert track.remarks.startswith("EXERCISE EXERCISE EXERCISE"), track.uid
        # In Japanese too, whoever owns it: a Japanese console shows remarks_ja.
        assert track.remarks_ja.startswith("演習 演習 演習"), track.uid
        assert "架空" in track.remarks_ja, track.uid
        # A MIL-STD-2525C exercise identity: exercise friend or faker.
        assert track.sidc[1] in "DK", track.uid
        data = track.to_json()
        assert (data["exercise"], data["exercise_name"]) == (True, EXERCISE_NAME)


@pytest.mark.parametrize("at", [T, T + timedelta(minutes=75)])
def test_every_simulated_cot_event_carries_the_exercise_element(at: datetime) -> None:
    for track in _all_tracks(at):
        xml = to_xml(track.to_cot())
        assert f'<exercise name="{EXERCISE_NAME}"/>'.encode() in xml, track.uid
        back = parse_xml(xml)
        assert back.exercise == EXERCISE_NAME
        again = track_from_cot(back, owner=track.owner, default=track.marking, source="tak")
        assert (again.exercise, again.exercise_name) == (True, EXERCISE_NAME)
        # The protobuf form as takproto (the reference client library) reads it.
        msg = takproto.parse_proto(bytearray(to_proto_frame(track.to_cot())))
        assert f'<exercise name="{EXERCISE_NAME}"/>' in msg.cotEvent.detail.xmlDetail


def test_exercise_identities_map_to_the_cot_affiliation_they_play() -> None:
    ships = {t.uid: t for t in _all_tracks(T)}
    assert ships["JPN-EX-DD01"].cot_type.startswith("a-f-S")
    assert ships["JPN-EX-DD01"].affiliation == "friend"
    opfor = ships["USA-EX-OPFOR1"]
    assert opfor.cot_type.startswith("a-k-S")  # faker: a friend playing hostile
    assert opfor.affiliation == "hostile"


def test_a_real_world_track_is_not_flagged() -> None:
    """Only what says it is exercise data is flagged: a plain CoT event is real-world."""
    track = picture("JPN", FORCES["JPN"], T)[0]
    plain = parse_xml(
        to_xml(track.to_cot()).replace(f'<exercise name="{EXERCISE_NAME}"/>'.encode(), b"")
    )
    real = track_from_cot(plain, owner="JPN", default=Marking.national("JPN"), source="tak")
    assert (real.exercise, real.exercise_name) == (False, "")


# -- fictional --------------------------------------------------------------------------

# Real platforms: hull names of ships based in or around Japan (JMSDF escorts,
# U.S. Seventh Fleet ships, including ones that have left), real squadron
# callsigns and aircraft names used as callsigns. None may appear anywhere in
# the project's source, tests, fixtures or docs outside this guard list.
REAL_PLATFORMS = re.compile(
    r"\b(IZUMO|KAGA|HYUGA|ISE|MAYA|HAGURO|ATAGO|ASHIGARA|KONGO|KIRISHIMA|MYOKO|CHOKAI|"
    r"SHILOH|MILIUS|ANTIETAM|BENFOLD|BLUE RIDGE|REAGAN|GEORGE WASHINGTON|"
    r"MAD ?FOX|RAIDER|REAPER|VIPER|GLOBAL HAWK|POSEIDON|TRITON|SEA ?GUARDIAN|EAGLE)\b|"
    r"いずも|ひゅうが|あたご|はぐろ|あしがら|こんごう|きりしま|みょうこう|ちょうかい",
    re.IGNORECASE,
)
# Real units the fictional exercise must not borrow either (they are public
# facts in the org seed, so only the simulator's list is checked for them).
REAL_NAMES = re.compile(rf"{REAL_PLATFORMS.pattern}|まや|12th MLR|ARDB", re.IGNORECASE)
# A hull number, alone or in a track uid ("DDH-183", "JPN-DDG-174").
HULL_NUMBER = re.compile(r"\b(DD[GH]?|CG|CVN?|SSN?|LH[AD]|LCC|FFM?)-\d+", re.IGNORECASE)
# Real U.S.-Japan exercises, which the fictional exercise's name must not resemble.
REAL_EXERCISES = (
    "Keen Sword",
    "Keen Edge",
    "Yama Sakura",
    "Orient Shield",
    "Resolute Dragon",
    "Resolute Hunter",
    "Valiant Shield",
    "Iron Fist",
    "Cope North",
    "Red Flag",
    "Talisman Sabre",
    "Freedom Edge",
    "Forest Light",
    "Rising Thunder",
    "Northern Viper",
    "Silent Shark",
    "Pacific Vanguard",
    "Malabar",
)
ROOT = Path(__file__).resolve().parents[2]
TEXT = {".py", ".js", ".mjs", ".html", ".css", ".yaml", ".yml", ".json", ".xml", ".md", ".toml"}


def _project_text() -> list[Path]:
    """Every text file of the project's source, tests and docs (never the
    git-ignored venv or node_modules, which are not the project's)."""
    out = [ROOT / "README.md"]
    for top in ("src", "tests", "docs"):
        for path in (ROOT / top).rglob("*"):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"node_modules", "__pycache__", ".venv"} or path.suffix not in TEXT:
                continue
            if path.is_file():
                out.append(path)
    return out


def test_no_real_platform_name_or_hull_number_anywhere_in_the_project() -> None:
    """Fixtures and docs too: a test track named after a real ship ends up in a
    screenshot or a golden file as surely as the simulator's would."""
    me = Path(__file__).resolve()
    files = [p for p in _project_text() if p.resolve() != me]
    assert len(files) > 100  # the walk found the project
    found = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            hit = REAL_PLATFORMS.search(line) or HULL_NUMBER.search(line)
            if hit:
                found.append(f"{path.relative_to(ROOT)}:{n}: {hit.group(0)}")
    assert not found, "real platform names or hull numbers:\n" + "\n".join(found)


def test_the_exercise_name_is_marked_fictional_and_resembles_no_real_exercise() -> None:
    words = {w for w in EXERCISE_NAME.lower().split() if not w.isdigit()}
    assert words
    for real in REAL_EXERCISES:
        assert not words & set(real.lower().split()), (EXERCISE_NAME, real)
    assert not REAL_PLATFORMS.search(EXERCISE_NAME)
    label = scenario()["label"]
    assert isinstance(label, dict)
    assert "FICTIONAL" in label["en"]
    assert "架空" in label["ja"]
    assert EXERCISE_NAME in label["en"]


def test_platforms_and_callsigns_are_notional() -> None:
    for m in MOVERS:
        text = f"{m.callsign} {m.callsign_ja} {m.remarks} {m.remarks_ja} {m.uid}"
        assert not REAL_NAMES.search(text), text
        assert not HULL_NUMBER.search(text), text
        assert "notional" in m.callsign or "FICTIONAL" in m.callsign, m.callsign
        # A Japanese callsign says so as plainly (想定: notional; 架空: fictional).
        if m.callsign_ja:
            assert "想定" in m.callsign_ja or "架空" in m.callsign_ja, m.callsign_ja
        if m.station is not None:
            assert "notional" in m.station.name


def test_no_submarine_is_simulated() -> None:
    assert all(t.domain is not TrackDomain.SUBSURFACE for t in _all_tracks(T))


def test_the_opposing_force_is_fictional_and_stays_in_its_training_box() -> None:
    box = Polygon([(lon, lat) for lat, lon in TRAINING_BOX])
    opfor = [m for m in MOVERS if m.sidc[1] in "HKJS"]
    assert opfor
    for m in opfor:
        assert "FICTIONAL" in m.callsign
        for at in DAY:
            lat, lon, _ = m.where(at)
            assert box.contains(ShapelyPoint(lon, lat)), (m.uid, at, lat, lon)
    # The box is far from any maritime boundary between states: over 300 km of
    # open sea from the nearest coast the console draws, east of 135°E.
    for lat, lon in TRAINING_BOX:
        assert not on_land(lat, lon)
        assert lon >= 135.0


# -- at sea, on land ------------------------------------------------------------------


def test_ships_stay_at_sea_and_ground_units_on_land_for_a_day() -> None:
    """Every five minutes for 24 h of simulated time, against Natural Earth 1:50m
    (world-atlas countries-50m.json, the basemap the console draws)."""
    assert COUNTRIES.exists()
    checked = {TrackDomain.MARITIME: 0, TrackDomain.LAND: 0, TrackDomain.INSTALLATION: 0}
    for at in DAY:
        for track in _all_tracks(at):
            if track.domain is TrackDomain.MARITIME:
                assert not on_land(track.lat, track.lon), (track.uid, at)
            elif track.domain in (TrackDomain.LAND, TrackDomain.INSTALLATION):
                assert on_land(track.lat, track.lon), (track.uid, at)
            else:
                continue
            checked[track.domain] += 1
    assert all(checked.values()), checked


def test_control_stations_are_on_land() -> None:
    stations = [m.station for m in MOVERS if m.unmanned]
    assert stations
    assert all(s is not None and on_land(*s.at) for s in stations)


# -- unmanned aircraft --------------------------------------------------------------------


def test_a_link_changes_only_when_the_scenario_says_so() -> None:
    """Over a day, each drone's link is other than OK exactly inside its
    scenario events; without events, it never is."""
    drones = [m for m in MOVERS if m.unmanned]
    assert drones
    for m in drones:
        mine = [e for e in LINK_EVENTS if e.uid == m.uid]
        assert mine, m.uid
        for minute in range(0, 24 * 60):
            at = T + timedelta(minutes=minute, seconds=30)
            status, _since, event = link_state(m.uid, at, LINK_EVENTS)
            into = (at - T) % CYCLE
            expected = next((e for e in mine if e.start <= into < e.start + e.duration), None)
            assert event == expected
            assert status is (expected.status if expected else LinkStatus.OK)
            assert link_state(m.uid, at, ())[0] is LinkStatus.OK
    # Without events in the scenario, no drone ever reports a degraded or lost link.
    for at in DAY:
        for nation, movers in FORCES.items():
            for t in picture(nation, movers, at, events=()):
                assert t.control_link in (None, LinkStatus.OK)


def test_a_lost_link_shows_time_in_state_an_estimate_and_the_lost_link_route() -> None:
    event = next(e for e in LINK_EVENTS if e.status is LinkStatus.LOST)
    mover = next(m for m in MOVERS if m.uid == event.uid)
    nation = mover.uid[:3]
    start = T + event.start
    before = {t.uid: t for t in picture(nation, FORCES[nation], start - timedelta(seconds=1))}
    during = {t.uid: t for t in picture(nation, FORCES[nation], start + timedelta(minutes=5))}
    track = during[mover.uid]
    assert track.control_link is LinkStatus.LOST
    assert track.link_since == start  # time in state: lost for five minutes
    assert track.how == "h-e"  # an estimate, not a fix
    assert track.to_json()["estimated"] is True
    assert track.lost_link_route == mover.lost_link
    assert track.control_station
    assert track.control_station_at
    # The estimate runs from where it was when the link went, along the lost-link route.
    was = before[mover.uid]
    assert was.how == "m-g"
    assert distance_m((was.lat, was.lon), (track.lat, track.lon)) <= mover.speed * 301 + 1
    cot = to_xml(track.to_cot()).decode()
    assert 'how="h-e"' in cot
    assert 'control_link="lost"' in cot
    assert f'link_since="{track.to_json()["link_since"]}"' in cot
    assert "control_station=" in cot
    assert "lost_link_route=" in cot
    back = track_from_cot(
        parse_xml(cot.encode()), owner=nation, default=track.marking, source="tak"
    )
    assert (back.how, back.link_since, back.lost_link_route) == ("h-e", start, mover.lost_link)
    assert back.control_station_at == mover.station.at  # type: ignore[union-attr]
    # After the event the link is back, the position exact again.
    after = {t.uid: t for t in picture(nation, FORCES[nation], start + event.duration)}
    assert after[mover.uid].control_link is LinkStatus.OK
    assert after[mover.uid].how == "m-g"
    assert after[mover.uid].link_since == start + event.duration


def test_an_unmanned_aircraft_never_jumps_on_link_loss_or_return() -> None:
    """Every ten seconds for a day (twelve cycles of the scenario, each with a
    lost link and its return for each drone), and a second either side of each
    loss and return: a drone moves no further than it flies, and after a
    return it is back on its route before the next loss."""
    drones = [m for m in MOVERS if m.unmanned]
    ticks = [T + timedelta(seconds=s) for s in range(0, 24 * 3600 + 1, 10)]
    for m in drones:
        nation = m.uid[:3]
        lost = [e for e in LINK_EVENTS if e.uid == m.uid and e.status is LinkStatus.LOST]
        assert lost, m.uid
        edges = [
            T + n * CYCLE + edge + timedelta(seconds=d)
            for n in range(12)
            for e in lost
            for edge in (e.start, e.start + e.duration)
            for d in (-1, 0, 1)
        ]
        moments = sorted(set(ticks) | set(edges))
        where = [m.position(at, LINK_EVENTS) for at in moments]
        for (a, p), (b, q) in itertools.pairwise(zip(moments, where, strict=True)):
            step = distance_m(p[:2], q[:2])
            assert step <= m.speed * (b - a).total_seconds() + 1.0, (m.uid, a, b, step)
        # The picture shows just that: estimates while lost, fixes otherwise.
        for at, (lat, lon, _course, estimate) in zip(moments[::60], where[::60], strict=True):
            (track,) = [t for t in picture(nation, [m], at) if t.uid == m.uid]
            assert (track.lat, track.lon) == (round(lat, 6), round(lon, 6))
            assert track.how == ("h-e" if estimate else "m-g")
        # Back on the route, exactly, before the next loss.
        for n in range(12):
            for e in lost:
                nxt = T + n * CYCLE + e.start + CYCLE - timedelta(seconds=1)
                lat, lon, _course, estimate = m.position(nxt, LINK_EVENTS)
                assert not estimate
                assert distance_m((lat, lon), m.where(nxt)[:2]) < 1.0, (m.uid, nxt)


def test_after_a_lost_link_the_drone_flies_back_to_its_route_rather_than_jumping() -> None:
    event = next(e for e in LINK_EVENTS if e.status is LinkStatus.LOST)
    m = next(m for m in MOVERS if m.uid == event.uid)
    back = T + event.start + event.duration

    def seen(at: datetime) -> Track:
        return next(t for t in picture(m.uid[:3], [m], at) if t.uid == m.uid)

    last = seen(back - timedelta(seconds=1))
    assert last.how == "h-e"
    gone = distance_m((last.lat, last.lon), m.where(back)[:2])
    assert gone > m.speed * 60  # the estimate is far from where its schedule says
    rejoining = seen(back + timedelta(seconds=1))
    assert rejoining.how == "m-g"  # the link is back: a fix, not an estimate
    assert distance_m((last.lat, last.lon), (rejoining.lat, rejoining.lon)) <= m.speed * 2 + 1.0


def test_a_scenario_event_list_of_ones_own_is_honoured() -> None:
    events = (
        LinkEvent("USA-EX-UAS07", timedelta(minutes=1), timedelta(minutes=2), LinkStatus.DEGRADED),
    )
    states = [
        t.control_link
        for s in range(0, 300, 30)
        for t in picture("USA", FORCES["USA"], T + timedelta(seconds=s), events=events)
        if t.unmanned
    ]
    assert set(states) == {LinkStatus.OK, LinkStatus.DEGRADED}


def test_the_simulator_feeds_exercise_tracks_and_keeps_them_over_a_restart(
    make_node: object,
) -> None:
    node = make_node("USA", seed=False)  # type: ignore[operator]
    sim = Simulator(node.cop, "USA", clock=lambda: T)
    sim.step()
    node.cop.store.flush()
    restored = {t.uid: t for t in node.cop.store.load()}
    drone = restored["USA-EX-UAS07"]
    assert (drone.exercise, drone.exercise_name) == (True, EXERCISE_NAME)
    assert drone.control_station
    assert drone.control_station_at
    assert drone.lost_link_route
    assert drone.link_since is not None


def test_a_partner_receives_the_exercise_flag_and_the_link_details() -> None:
    """The federation feed's page, as the partner checks it: nothing of the
    exercise marking or of a drone's lost link is lost on the way."""
    from alliance.cop.feed import check_tracks

    event = next(e for e in LINK_EVENTS if e.uid == "JPN-EX-UAS12" and e.status is LinkStatus.LOST)
    sent = [
        t
        for t in picture("JPN", FORCES["JPN"], T + event.start + timedelta(minutes=2))
        if t.marking.releases_to("USA")
    ]
    page = check_tracks(
        {"tracks": [t.to_wire() for t in sent], "withdrawn": []}, me="USA", partner="JPN"
    )
    got = {t.uid: t for t in page.tracks}
    assert set(got) == {t.uid for t in sent}
    for track in sent:
        back = got[track.uid]
        assert (back.exercise, back.exercise_name, back.sidc) == (True, EXERCISE_NAME, track.sidc)
        # All but where it came from (the partner got it by federation).
        where = {"source": "x", "source_name": "x"}
        assert back.to_json() | where == track.to_json() | where
    drone = got["JPN-EX-UAS12"]
    assert (drone.control_link, drone.how) == (LinkStatus.LOST, "h-e")
