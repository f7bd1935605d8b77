"""A partner ships an object type this node does not understand: held, not fatal.

The sender is a partner running a newer version (the fake partner, with JPN's
real key and certificate, serving a genuine stream with items of a type
"airspace_request" spliced in). The receiver is a real USA node on the
selected backend; after it is "upgraded" (the type registered, the node
restarted) what it held is applied, in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from typer.testing import CliRunner

from alliance.access import UserIn
from alliance.acm import RequestIn, RequestKind
from alliance.cli import app
from alliance.core.authority import Role
from alliance.core.dtg import iso
from alliance.core.i18n import Text
from alliance.core.models import MarkingIn
from alliance.desks import DeskSpec, all_desks
from alliance.federation import HeldOut
from alliance.federation.stream import read_stream
from alliance.node import Node
from alliance.org.models import UnitIn
from alliance.store.ledger import iter_events
from alliance.store.projection import check_state
from alliance.store.schema import Owned, OwnedRow
from alliance.store.types import ObjectType
from tests.conftest import NodeFactory

from .fake_partner import Chain, FakePartner
from .helpers import actor, bundle_of, federate, give_pki, link, owned_rows, wait_until

pytestmark = pytest.mark.timeout(120)

STAFF = actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)
NEW_TYPE = "airspace_request"
ServeFn = Callable[[Node], httpx.Client]


class _Later(DeclarativeBase):
    """Tables of a version the receiver does not run yet (kept out of the app's metadata)."""


class AirspaceRequestRow(Owned, _Later):
    __tablename__ = "test_airspace_requests"

    name: Mapped[str] = mapped_column(String(64), default="")


# The version that knows the type: one more desk, declaring it.
AIRSPACE = DeskSpec(
    name="airspace",
    label=Text("Airspace (a later version)", "空域（後の版）"),
    object_types=(
        ObjectType(
            NEW_TYPE, cast(type[OwnedRow], AirspaceRequestRow), Text("airspace request", "空域要求")
        ),
    ),
    make=lambda _ctx, _built: object(),
)


def _upgrade(node: Node) -> Node:
    """What installing the version that knows the type does: its table, its desk
    registered; then the node starts again."""
    engine = create_engine(node.settings.database_url)
    try:
        _Later.metadata.create_all(engine)
    finally:
        engine.dispose()
    return Node(node.settings, desks=(*all_desks(), AIRSPACE)).start()


def _state(name: str, now: datetime) -> dict[str, Any]:
    """A whole airspace request as its owner's node records it."""
    at = iso(now)
    return {
        "name": name,
        "rel": "JPN,USA",
        "tlp": None,
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }


def _unit(node: Node, name: str) -> str:
    return node.org.create_unit(
        STAFF,
        UnitIn(
            hq_id="jpn-gcc",
            name_en=name,
            name_ja=f"{name}（試験）",
            sidc="SFGPUCI----H---",
            domain="land",
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    ).id


def _request(node: Node, subject: str) -> str:
    """A coordination request, sent (so released to USA)."""
    request = node.acm.create_request(
        STAFF,
        RequestIn(
            kind=RequestKind.RFI,
            from_hq_id="jpn-jjoc",
            to_hq_ids=["usa-jfhq"],
            subject=subject,
            body="Fictional exercise traffic. / 架空の訓練通信。",
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    node.acm.send(STAFF, request.id)
    return request.id


def _cli_status(node: Node, lang: str) -> tuple[int, str]:
    env = {**os.environ, "ALLIANCE_LANG": lang}
    result = CliRunner().invoke(
        app, ["federation", "status", "--home", str(node.settings.home)], env=env
    )
    return result.exit_code, result.output


@pytest.fixture
def newer_partner(make_node: NodeFactory) -> Iterator[tuple[Node, Node, FakePartner, Chain]]:
    """USA (the receiver) pinned to a JPN partner whose stream the test builds."""
    usa = make_node("USA")
    jpn = make_node("JPN")
    jpn_pki = give_pki(jpn)
    usa_pki = give_pki(usa)
    with FakePartner(jpn_pki, usa_pki.ca_pem, jpn.key, "USA") as fake:
        usa.federation.add_partner(bundle_of(jpn, fake.url))
        jpn.federation.add_partner(bundle_of(usa))
        chain = Chain(jpn.key, origin="JPN", node=jpn.node_id, to="USA")
        for item in read_stream(jpn.db, "USA", 0, 10_000):  # JPN's seed released to USA
            chain.add(item)
        yield usa, jpn, fake, chain
        # Our pullers stop before the fake partner does: a connection it resets
        # mid-handshake would leave an unclosed socket behind (CPython gh-113280).
        usa.federation.stop()


def _genuine_after(jpn: Node, seq: int) -> list[Any]:
    return read_stream(jpn.db, "USA", seq, 10_000)


def test_an_item_of_an_unknown_type_is_held_the_link_runs_on_and_an_upgrade_applies_it(
    newer_partner: tuple[Node, Node, FakePartner, Chain],
    monkeypatch: pytest.MonkeyPatch,
    serve: ServeFn,
) -> None:
    usa, jpn, fake, chain = newer_partner
    now = jpn.clock()
    sent = read_stream(jpn.db, "USA", 0, 10_000)[-1].seq
    first = chain.forge(NEW_TYPE, "jpn-asr-1", _state("ROZ Alpha", now), now=now)
    unit = _unit(jpn, "Arrives past the held item")
    (unit_item,) = _genuine_after(jpn, sent)
    chain.add(unit_item)
    second = chain.forge(NEW_TYPE, "jpn-asr-1", _state("ROZ Alpha, amended", now), now=now)
    other = chain.forge(NEW_TYPE, "jpn-asr-2", _state("ROZ Bravo", now), now=now)
    request = _request(jpn, "Coordination after the held items")
    for item in _genuine_after(jpn, unit_item.seq):
        chain.add(item)
    fake.items = list(chain.items)
    usa.serve_federation(wait=0.5)

    wait_until(lambda: link(usa, "JPN").received_seq == chain.items[-1].seq, 15, "the whole stream")
    state = link(usa, "JPN")
    assert (state.state, state.last_error) == ("running", "")
    assert usa.federation.partners.quarantine("JPN") == []
    held_rows = owned_rows(usa, "JPN")
    assert ("unit", unit) in held_rows  # the items after it still applied, ACM included
    assert ("coordination_request", request) in held_rows
    (status,) = usa.federation.partners.status()
    assert [(h.object_type, h.items) for h in status.held] == [(NEW_TYPE, 3)]
    held_events = [ev for ev in iter_events(usa.db) if ev.kind == "federation.item.held"]
    assert [ev.body_json()["data"]["seq"] for ev in held_events] == [
        first.seq,
        second.seq,
        other.seq,
    ]
    assert all(ev.marking.nations == ["USA"] for ev in held_events)  # our record, national-only

    # The operator sees it: the API and the CLI, in both languages; held is not a failure.
    _user, token = usa.users.add(
        UserIn(name="USA node admin", nation="USA", hq_id="usa-jfhq", role=Role.ADMIN)
    )
    api = serve(usa)
    listed = api.get("/federation/status", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.text
    (jpn_link,) = listed.json()
    assert [(h["object_type"], h["items"]) for h in jpn_link["held"]] == [(NEW_TYPE, 3)]
    assert jpn_link["held"][0]["note"]["ja"]
    code, output = _cli_status(usa, "en")
    assert code == 0, output
    assert f"Held from JPN: 3 item(s) of type {NEW_TYPE}" in output
    code, output = _cli_status(usa, "ja")
    assert code == 0, output
    assert f"JPNからの{NEW_TYPE}型の3件を保留中です" in output

    # The upgrade: the type is registered and the node restarted.
    usa.close()
    upgraded = _upgrade(usa)
    try:
        upgraded.serve_federation(wait=0.5)
        rows = owned_rows(upgraded, "JPN")
        assert rows[(NEW_TYPE, "jpn-asr-1")]["name"] == "ROZ Alpha, amended"  # in stream order
        assert rows[(NEW_TYPE, "jpn-asr-1")]["origin"] == "replica"
        assert rows[(NEW_TYPE, "jpn-asr-2")]["name"] == "ROZ Bravo"
        applied = [
            ev.body_json()["data"]["origin"]
            for ev in iter_events(upgraded.db)
            if ev.kind == "federation.replica.applied" and ev.object_type == NEW_TYPE
        ]
        assert [(o["stream_seq"], o["held"]) for o in applied] == [
            (first.seq, True),
            (second.seq, True),
            (other.seq, True),
        ]
        (status,) = upgraded.federation.partners.status()
        assert status.held == []
        assert (status.state, status.quarantined) == ("running", 0)
        report = upgraded.verify_ledger()
        assert report.ok, report.problem
        drift = check_state(upgraded.db, upgraded.types)
        assert drift.ok, drift.drifts[:5]
    finally:
        upgraded.close()


def test_a_later_item_about_a_held_object_is_held_too_even_once_the_type_is_known(
    newer_partner: tuple[Node, Node, FakePartner, Chain], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changes to one object apply in order: a held object's later items wait with it."""
    usa, _jpn, fake, chain = newer_partner
    now = usa.clock()
    chain.forge(NEW_TYPE, "jpn-asr-1", _state("v1", now), now=now)
    fake.items = list(chain.items)
    usa.serve_federation(wait=0.5)
    wait_until(lambda: link(usa, "JPN").received_seq == chain.items[-1].seq, 15, "the stream")
    usa.close()

    # Upgraded, but the held item has not been applied yet when a newer one
    # about the same object arrives: it must not overtake the older one.
    upgraded = _upgrade(usa)
    try:
        later = chain.forge(NEW_TYPE, "jpn-asr-1", _state("v2", now), now=now)
        fake.items = list(chain.items)
        monkeypatch.setattr(upgraded.federation, "apply_held", lambda known: 0)
        upgraded.serve_federation(wait=0.5)
        wait_until(lambda: link(upgraded, "JPN").received_seq == later.seq, 15, "the later item")
        (status,) = upgraded.federation.partners.status()
        assert status.held == [HeldOut(object_type=NEW_TYPE, items=2)]
        assert (NEW_TYPE, "jpn-asr-1") not in owned_rows(upgraded, "JPN")
    finally:
        upgraded.close()
    again = Node(usa.settings, desks=(*all_desks(), AIRSPACE)).start()
    try:
        again.serve_federation(wait=0.5)
        assert owned_rows(again, "JPN")[(NEW_TYPE, "jpn-asr-1")]["name"] == "v2"
        assert again.federation.partners.status()[0].held == []
    finally:
        again.close()


def test_partners_tell_each_other_the_types_they_understand(
    make_node: NodeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer USA node understands one type more than JPN: each link shows it."""
    jpn = make_node("JPN")
    older = sorted(jpn.federation.types)
    usa = make_node("USA")
    usa.close()
    newer = _upgrade(usa)
    try:
        federate([jpn, newer])
        for node in (jpn, newer):
            node.serve_federation(wait=0.5)
        wait_until(lambda: link(newer, "JPN").partner_types is not None, 15, "JPN's hello")
        wait_until(lambda: link(jpn, "USA").partner_types is not None, 15, "USA's hello")
        (at_usa,) = newer.federation.partners.status()
        (at_jpn,) = jpn.federation.partners.status()
        assert at_usa.partner_types == older
        assert at_usa.not_understood == [NEW_TYPE]
        assert at_jpn.partner_types == sorted([*older, NEW_TYPE])
        assert at_jpn.not_understood == []
    finally:
        newer.close()
