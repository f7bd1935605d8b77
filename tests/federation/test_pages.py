"""What a receiver does with answers that are not good pages, and with a partner
whose stream got shorter.

* An answer that is not a page — not JSON, no list of items, more items than
  asked for, larger than a page can be — is refused whole: nothing of it is
  applied, the pull is retried, the link keeps running and the operator sees
  why in its ``last_error``; a good answer afterwards takes the note away.
* A stream head that does not verify (forged, or missing) is not believed:
  the items still verify one by one, but no head is recorded and the
  operator is told a shortened stream could not be noticed.
* A partner whose stream lost its tail — its ledger restored from an old
  backup, or its last rows deleted — still verifies on its own (the chain it
  has is intact). Its partner notices: the stream head it signs is shorter
  than what the partner already holds, so the link stops with
  ``stream_truncated`` (``stream_forked`` when it ends where ours does, in
  another item). Tested with two real nodes, every node on the backend.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import orjson
import pytest
from sqlalchemy import delete, func, select, update

from alliance.core.authority import Role
from alliance.core.keys import NodeKey
from alliance.core.models import MarkingIn
from alliance.federation.link import PageRefused, fetch_json
from alliance.federation.stream import read_stream
from alliance.federation.wire import Item
from alliance.node import Node
from alliance.org.models import UnitIn
from alliance.store.schema import LedgerRow, LinkRow, OutboundRow
from tests.conftest import NodeFactory

from .fake_partner import FakePartner, rebody
from .helpers import (
    actor,
    bundle_of,
    give_pki,
    link,
    owned_rows,
    served_pair,
    wait_drained,
    wait_until,
)

pytestmark = pytest.mark.timeout(120)

STAFF = actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)


def _unit(node: Node, name: str) -> str:
    return node.org.create_unit(
        STAFF,
        UnitIn(
            hq_id="jpn-gcc",
            name_en=name,
            name_ja=f"{name}（演習）",
            sidc="SFGPUCI----H---",
            domain="land",
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    ).id


@dataclass
class Scene:
    jpn: Node  # only its key, PKI and stream are used: the fake serves them
    usa: Node
    genuine: list[Item]
    fake: FakePartner


@pytest.fixture
def scene(make_node: NodeFactory) -> Iterator[Scene]:
    usa, jpn = make_node("USA"), make_node("JPN")
    jpn_pki, usa_pki = give_pki(jpn), give_pki(usa)
    with FakePartner(jpn_pki, usa_pki.ca_pem, jpn.key, "USA") as fake:
        usa.federation.add_partner(bundle_of(jpn, fake.url))
        jpn.federation.add_partner(bundle_of(usa))
        for i in range(3):
            _unit(jpn, f"Released {i}")
        genuine = read_stream(jpn.db, "USA", 0, 10_000)
        yield Scene(jpn, usa, genuine, fake)
        # Our pullers stop before the fake partner does: a connection it resets
        # mid-handshake would leave an unclosed socket behind (CPython gh-113280).
        usa.federation.stop()


def _error(node: Node) -> str:
    return link(node, "JPN").last_error


def _clear_error(node: Node) -> None:
    with node.db.write_session() as s, s.begin():
        s.execute(update(LinkRow).where(LinkRow.partner == "JPN").values(last_error=""))


def test_an_answer_that_is_not_a_page_is_refused_whole_and_retried(scene: Scene) -> None:
    usa, fake, genuine = scene.usa, scene.fake, scene.genuine
    wire = genuine[0].to_wire()
    head = {"to": "USA", "seq": 0, "hash": "0" * 64, "sig": "00"}
    bad: dict[str, bytes] = {
        "page_not_json": b"<html><body>502 Bad Gateway</body></html>",
        "page_malformed": json.dumps({"head": head, "items": {"1": wire}}).encode(),
        # More items than the receiver asked for (it asks for 2,000 at most).
        "page_too_large": b"{}",  # with a declared length past the limit, below
    }
    too_many = json.dumps({"head": head, "items": [wire] * 2001}).encode()
    fake.items = list(genuine)
    # The first bad answer is in place before the puller's first pull: nothing
    # genuine may arrive until every bad answer has been refused.
    fake.answer = lambda _after, _limit: bad["page_not_json"]
    usa.serve_federation(wait=0.5)
    try:
        for code, answer in [*bad.items(), ("page_malformed", too_many)]:
            # Never a genuine page in between: the answer is always a bad one.
            fake.answer = lambda _after, _limit, data=answer: data
            fake.declare_length = 65 * 1024 * 1024 if code == "page_too_large" else None
            wait_until(lambda c=code: _error(usa).startswith(f"{c}:"), 20, f"{code} noted")  # type: ignore[misc]
            state = link(usa, "JPN")
            assert (state.state, state.received_seq) == ("running", 0)
            assert "link keeps running" in state.last_error
        assert not [k for k, v in owned_rows(usa, "JPN").items() if v["origin"] == "replica"]
        assert usa.federation.partners.quarantine("JPN") == []

        fake.answer, fake.declare_length = None, None
        wait_until(lambda: link(usa, "JPN").received_seq == len(genuine), 20, "the stream")
        wait_until(lambda: _error(usa) == "", 10, "the note to go")
        assert link(usa, "JPN").state == "running"
    finally:
        usa.federation.stop()


def test_a_head_that_does_not_verify_is_not_believed(scene: Scene) -> None:
    usa, fake, genuine = scene.usa, scene.fake, scene.genuine
    fake.items = list(genuine)
    # Signed by another key, claiming a stream far longer than it is.
    fake.head_key = NodeKey.generate()
    fake.head_as = (10_000, genuine[-1].hash)
    usa.serve_federation(wait=0.5)
    try:
        wait_until(lambda: link(usa, "JPN").received_seq == len(genuine), 20, "the items")
        wait_until(lambda: _error(usa).startswith("stream_head_unverified:"), 10, "the note")
        assert link(usa, "JPN").partner_head_seq == 0  # never believed
        fake.head_key, fake.head_as = None, "none"  # no head at all: a new run notes it
        usa.federation.stop()
        _clear_error(usa)
        usa.serve_federation(wait=0.5)
        wait_until(lambda: _error(usa).startswith("stream_head_unverified:"), 10, "the note")
        assert link(usa, "JPN").partner_head_seq == 0
        usa.federation.stop()  # a note a previous run left goes at the first good answer
        fake.head_as = None  # the genuine head
        usa.serve_federation(wait=0.5)
        wait_until(lambda: link(usa, "JPN").partner_head_seq == len(genuine), 10, "the head")
        wait_until(lambda: _error(usa) == "", 10, "the note to go")
        assert link(usa, "JPN").state == "running"
    finally:
        usa.federation.stop()


@pytest.mark.parametrize("how", ["truncated", "forked"])
def test_a_stream_that_got_shorter_or_was_rewritten_stops_the_link(scene: Scene, how: str) -> None:
    usa, fake, genuine = scene.usa, scene.fake, scene.genuine
    fake.items = list(genuine)
    usa.serve_federation(wait=0.5)
    try:
        wait_until(lambda: link(usa, "JPN").received_seq == len(genuine), 20, "the stream")
        held = owned_rows(usa, "JPN")
        if how == "truncated":
            fake.items = genuine[:-2]
            code = "stream_truncated"
        else:
            last = genuine[-1]
            fake.items = [*genuine[:-1], rebody(last, scene.jpn.key, ledger_seq=999_999)]
            code = "stream_forked"
        wait_until(lambda: link(usa, "JPN").state == "stopped", 20, "the link to stop")
        (entry,) = usa.federation.partners.quarantine("JPN")
        assert entry.code == code
        assert entry.reason["ja"] != entry.reason["en"]
        state = link(usa, "JPN")
        assert state.received_seq == len(genuine)  # nothing we hold was given up
        assert state.last_error.startswith(f"{code}:")
        assert owned_rows(usa, "JPN") == held
    finally:
        usa.federation.stop()


def test_a_partner_notices_a_ledger_that_lost_its_tail(make_node: NodeFactory) -> None:
    """JPN's last events are deleted with their stream items, as a restore from
    an old backup would leave it: JPN's own ledger still verifies, USA stops."""
    jpn, usa = served_pair(make_node)
    for i in range(4):
        _unit(jpn, f"Before the backup {i}")
    wait_drained(jpn, [usa])
    received = link(usa, "JPN").received_seq
    jpn.federation.stop()
    with jpn.db.write_session() as s, s.begin():
        # Back to the moment before the event of USA's second-to-last stream item.
        tail = s.scalars(
            select(OutboundRow.ledger_seq)
            .where(OutboundRow.partner == "USA")
            .order_by(OutboundRow.seq.desc())
            .limit(2)
        ).all()
        cut = min(tail)
        s.execute(delete(LedgerRow).where(LedgerRow.seq >= cut))
        s.execute(delete(OutboundRow).where(OutboundRow.ledger_seq >= cut))
        assert s.scalar(select(func.max(OutboundRow.seq)).where(OutboundRow.partner == "USA")) == (
            received - 2
        )
    report = jpn.verify_ledger()
    assert report.ok, "a ledger cut at its tail verifies on its own: this is what a partner adds"
    jpn.serve_federation(wait=0.5)
    wait_until(lambda: link(usa, "JPN").state == "stopped", 20, "USA to stop the link")
    (entry,) = usa.federation.partners.quarantine("JPN")
    assert entry.code == "stream_truncated"
    assert link(usa, "JPN").received_seq == received


def test_an_answer_is_read_only_up_to_the_page_limit() -> None:
    """A partner that streams without end is cut off at the limit, declared or not."""
    sent = {"bytes": 0}

    class Endless(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"[" + b"0," * 32_000
            try:
                for _ in range(1000):  # up to ~64 MB if nobody stops reading
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent["bytes"] += len(chunk)
            except OSError:
                return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(timeout=10) as http_client, pytest.raises(PageRefused) as refused:
            fetch_json(
                http_client,
                f"http://127.0.0.1:{server.server_address[1]}/",
                params={},
                headers={},
                max_bytes=1024 * 1024,
            )
        assert refused.value.code == "page_too_large"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert sent["bytes"] < 16 * 1024 * 1024, "the reader kept reading past its limit"
    assert orjson.loads(b"[1]") == [1]  # orjson is what fetch_json parses with
