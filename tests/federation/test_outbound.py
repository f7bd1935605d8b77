"""The sender's own outbound streams: exactly what is released to each partner is queued.

Checked at the sender, before any partner pulls, against a model of the
releases kept by the test: a sender that queues too much (every event to every
partner, or a national-only object) or too little (a missed withdrawal) fails
here at once, not as a timeout on the receiving side.
"""

from __future__ import annotations

import random

import orjson
import pytest

from alliance.core.authority import Role
from alliance.core.models import MarkingIn
from alliance.federation.stream import read_stream
from alliance.node import Node
from alliance.org.models import UnitIn, UnitPatch
from tests.conftest import NodeFactory
from tests.disclosure.helpers import set_release, widen

from .helpers import actor, federate, link

PARTNERS = ("USA", "AUS")
STAFF = actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)
SUBSETS: list[list[str]] = [[], ["USA"], ["AUS"], ["USA", "AUS"]]


def _stream(node: Node, partner: str, after: int) -> list[tuple[str, str, list[str] | None]]:
    """(kind, object id, releasable_to of the carried event) for each queued item."""
    out: list[tuple[str, str, list[str] | None]] = []
    for item in read_stream(node.db, partner, after, 100_000):
        body = orjson.loads(item.body)
        assert (body["from"], body["to"]) == ("JPN", partner)
        event = orjson.loads(body["event"]) if body["event"] is not None else None
        rel = event["marking"]["releasable_to"] if event is not None else None
        out.append((body["kind"], body["object"]["id"], rel))
    return out


@pytest.mark.parametrize("seed", [7])
def test_only_what_is_released_to_a_partner_is_queued_for_it(
    make_node: NodeFactory, seed: int
) -> None:
    jpn = make_node("JPN")
    # The units below go to AUS too, so the HQs they name do first (a released
    # object never names an unreleased one): jpn-gcc and its chain.
    mod = actor("JPN", "jpn-mod", Role.COMMANDER)
    for hq in ("jpn-mod", "jpn-jjoc", "jpn-gcc"):
        widen(jpn, mod, "hq", hq, [p for p in PARTNERS if p != "USA"])
    partners = [make_node(nation) for nation in PARTNERS]
    federate([jpn, *partners])
    start = {p: link(jpn, p).sent_seq for p in PARTNERS}  # the seed's initial sync

    rng = random.Random(seed)  # a test's fixed choices
    released: dict[str, set[str]] = {}  # unit -> nations it is released to now
    ever: dict[str, dict[str, bool]] = {p: {} for p in PARTNERS}
    expected: dict[str, list[tuple[str, str, list[str] | None]]] = {p: [] for p in PARTNERS}
    national_only_ever: set[str] = set()

    def expect(unit: str, rel: set[str]) -> None:
        nations = sorted({"JPN", *rel})
        for p in PARTNERS:
            if p in rel:
                expected[p].append(("event", unit, nations))
                ever[p][unit] = True
            elif ever[p].get(unit):
                expected[p].append(("withdraw", unit, None))
                ever[p][unit] = False
        released[unit] = rel

    for n in range(60):
        if not released or rng.random() < 0.35:
            rel = set(rng.choice(SUBSETS))
            unit = jpn.org.create_unit(
                STAFF,
                UnitIn(
                    hq_id="jpn-gcc",
                    name_en=f"Unit {n}",
                    name_ja=f"部隊 {n}",
                    sidc="SFGPUCI----H---",
                    domain="land",
                    marking=MarkingIn(releasable_to=sorted(rel)),
                ),
            ).id
            if not rel:
                national_only_ever.add(unit)
            expect(unit, rel)
        elif rng.random() < 0.5:
            unit = rng.choice(sorted(released))
            rel = set(rng.choice(SUBSETS))
            set_release(
                jpn,
                STAFF,
                "unit",
                unit,
                rel,
                lambda ident, kept: jpn.org.update_unit(
                    STAFF, ident, UnitPatch(marking=MarkingIn(releasable_to=kept))
                ),
            )
            if rel != released[unit]:
                expect(unit, rel)
        else:
            unit = rng.choice(sorted(released))
            jpn.org.update_unit(STAFF, unit, UnitPatch(name_en=f"Renamed {n}"))
            expect(unit, released[unit])

    for p in PARTNERS:
        queued = _stream(jpn, p, start[p])
        assert queued == expected[p], f"the stream to {p} differs from what was released"
        assert link(jpn, p).sent_seq == start[p] + len(expected[p])
        never = {u for u in national_only_ever if not any(i[1] == u for i in expected[p])}
        assert never.isdisjoint({i[1] for i in queued}), "a national-only unit was queued"
    # The two partners' streams differ: neither got everything.
    assert expected["USA"] != expected["AUS"]
