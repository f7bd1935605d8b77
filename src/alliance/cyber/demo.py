"""The cyber desk's demo content: a FICTIONAL exercise collection on each node
(:data:`EXERCISE_NAME`): indicators in documentation address ranges and
example.net names, and their sightings, sourced from nothing real.

JPN's collection is released to the USA, with one indicator kept national-only;
the USA's to JPN. Each node writes only its own nation's objects; the
partner's arrive by federation.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from alliance.core.authority import Actor, Role
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.markings import TLP
from alliance.core.models import MarkingIn

from .desk import CyberDesk
from .models import CollectionIn
from .stix import TLP_IDS, rel_marking_id

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}
PARTNER = {"JPN": "USA", "USA": "JPN"}


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _indicator(nation: str, n: int, address: str, when: datetime, shared: bool) -> dict[str, Any]:
    refs = [TLP_IDS[TLP.AMBER]] + ([rel_marking_id(PARTNER[nation])] if shared else [])
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'alliance-demo-{nation}-{n}')}",
        "created": _stamp(when),
        "modified": _stamp(when),
        "name": f"{EXERCISE_NAME} C2 address {address} ({FICTIONAL})",
        "description": "Exercise indicator; the address is in a documentation range.",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '{address}']",
        "pattern_type": "stix",
        "valid_from": _stamp(when),
        "object_marking_refs": refs,
    }


def _sighting(nation: str, of: str, n: int, when: datetime, count: int) -> dict[str, Any]:
    return {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid5(uuid.NAMESPACE_URL, f'alliance-demo-{nation}-s{n}')}",
        "created": _stamp(when),
        "modified": _stamp(when),
        "sighting_of_ref": of,
        "first_seen": _stamp(when),
        "count": count,
        "description": f"Seen at a notional port operator's gateway ({FICTIONAL}).",
        "object_marking_refs": [TLP_IDS[TLP.AMBER], rel_marking_id(PARTNER[nation])],
    }


def content(desk: CyberDesk, nation: str, now: datetime) -> None:
    """The nation's exercise collection and its objects (JPN and USA nodes only)."""
    if nation not in HQ:
        return
    staff = Actor(
        f"demo-{nation}-cyber",
        f"demo {nation} cyber analyst",
        nation,
        HQ[nation],
        Role.STAFF_OFFICER,
    )
    collection = desk.create_collection(
        staff,
        CollectionIn(
            id=f"{nation.lower()}-exercise-cti",
            title=f"{EXERCISE_NAME} threat sharing ({FICTIONAL})",
            title_ja=f"{EXERCISE_NAME} 脅威情報共有（架空）",
            description="Fictional exercise indicators and sightings. / 演習用の架空の指標と検知。",
            marking=MarkingIn(releasable_to=[PARTNER[nation]]),
        ),
    )
    base = 100 if nation == "JPN" else 200
    start = now - timedelta(days=6)
    shared = [
        _indicator(nation, i, f"198.51.100.{base // 10 + i}", start + timedelta(hours=6 * i), True)
        for i in range(4)
    ]
    national = _indicator(nation, 9, f"203.0.113.{base // 10}", start, False)
    sightings = [
        _sighting(nation, shared[i % 4]["id"], i, start + timedelta(days=i % 6, hours=i), 1 + i % 3)
        for i in range(10)
    ]
    desk.add(staff, collection.id, [*shared, national, *sightings])


__all__ = ["content"]
