"""Conformance: a simulated unmanned aircraft reported through the COP (as a
TAK client or the simulator would) against its approved operating volume,
on a combined node (JPN and USA authority)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from alliance.airspace import AirspaceDesk, MeasureIn
from alliance.cop import CopDesk, LinkStatus, ReportIn
from alliance.core.authority import Actor, Role
from alliance.node import Node
from tests.federation.helpers import wait_until

from .helpers import measure

JPN = Actor("cdr-jpn", "JPN commander", "JPN", "jpn-jjoc", Role.COMMANDER)
USA = Actor("cdr-usa", "USA commander", "USA", "usa-jfhq", Role.COMMANDER)
UAV = "jpn-uav-ex-1"


def _report(
    cop: CopDesk,
    lon: float,
    lat: float,
    *,
    alt_m: float = 100.0,
    link: LinkStatus = LinkStatus.OK,
    at: datetime | None = None,
) -> None:
    cop.report(
        JPN,
        ReportIn(
            uid=UAV, sidc="SFAPMFQ--------", callsign="EX UAV 1", lat=lat, lon=lon, hae=alt_m,
            unmanned=True, control_link=link, time=at, exercise=True, exercise_name="EX",
            marking={"releasable_to": ["USA"]},
        ),
    )  # fmt: skip


def test_a_drone_leaving_its_volume_raises_one_alert_within_two_seconds(combined: Node) -> None:
    desk, cop = combined.desk("airspace", AirspaceDesk), combined.desk("cop", CopDesk)
    now = datetime.now(UTC)
    body = measure(
        "UAS EX-1", 139.0, 35.0, release=["USA"], kind="uas_volume",
        window={"start": (now - timedelta(hours=1)).isoformat(), "end": (now + timedelta(hours=2)).isoformat()},
    )  # fmt: skip
    body["volume"]["altitude"] = {
        "lower": 0,
        "lower_datum": "MSL",
        "upper": 1_000,
        "upper_datum": "MSL",
    }
    body["aircraft"] = [UAV]
    made = desk.propose(JPN, MeasureIn.model_validate(body))
    # Proposed, not approved: not monitored yet.
    _report(cop, 139.5, 35.5)
    time.sleep(0.3)
    assert desk.alerts(JPN) == []
    desk.approve(JPN, made.id)

    _report(cop, 139.05, 35.05)  # inside: 0.05° into a 0.1° square
    time.sleep(0.3)
    assert desk.alerts(JPN) == []

    left = time.monotonic()
    _report(cop, 139.2, 35.05, link=LinkStatus.LOST)  # ~9 km east of it, link lost
    took = wait_until(lambda: bool(desk.alerts(JPN)), 2.0, "one alert")
    assert time.monotonic() - left < 2.0, took
    for _ in range(3):  # still outside: no second alert
        _report(cop, 139.25, 35.05, link=LinkStatus.LOST)
    time.sleep(0.5)
    (alert,) = desk.alerts(JPN)
    assert (alert.volume_id, alert.track_uid, alert.reasons) == (made.id, UAV, ["footprint"])
    assert alert.control_link == "lost"
    # The partner the volume is released to is told too.
    assert [a.id for a in desk.alerts(USA)] == [alert.id]

    # Back inside, then above the band (1,000 ft): a second excursion, a second alert.
    _report(cop, 139.05, 35.05)
    _report(cop, 139.05, 35.05, alt_m=600.0)
    wait_until(lambda: len(desk.alerts(JPN)) == 2, 2.0, "a second alert")
    assert desk.alerts(JPN)[0].reasons == ["band"]


def test_flying_outside_the_window_is_an_excursion(combined: Node) -> None:
    desk, cop = combined.desk("airspace", AirspaceDesk), combined.desk("cop", CopDesk)
    now = datetime.now(UTC)
    body = measure(
        "UAS EX-2", 139.0, 35.0, kind="uas_volume",
        window={"start": (now + timedelta(hours=1)).isoformat(), "end": (now + timedelta(hours=2)).isoformat()},
    )  # fmt: skip
    body["aircraft"] = [UAV]
    made = desk.propose(JPN, MeasureIn.model_validate(body))
    desk.approve(JPN, made.id)
    _report(cop, 139.05, 35.05)  # inside the footprint, an hour early
    wait_until(lambda: bool(desk.alerts(JPN)), 2.0, "an alert")
    assert desk.alerts(JPN)[0].reasons == ["window"]
    assert desk.alerts(USA) == []  # a national-only volume's alert stays national
