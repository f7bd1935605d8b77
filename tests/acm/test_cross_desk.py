"""Transactions across desks: a writer job calls the org and ACM desks'
transaction forms, and what they do commits together or not at all."""

from __future__ import annotations

import time
from concurrent.futures import Future

import pytest

from alliance.access import UserIn
from alliance.acm import RequestIn, RequestKind
from alliance.core.authority import Actor, Role
from alliance.core.errors import InvalidInput, NotFound
from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.org import HqIn, HqKind
from alliance.store import Tx
from alliance.store.ledger import iter_events
from alliance.store.writer import WriterReentered
from tests.conftest import add_people

CELL = "jpn-plans-cell"


@pytest.fixture
def commander(combined: Node) -> Actor:
    people = add_people(combined)
    return combined.users.authenticate(people.tokens["JPN commander jpn-jjoc"])


def _cell() -> HqIn:
    return HqIn(
        id=CELL,
        nation="JPN",
        parent_id="jpn-jjoc",
        kind=HqKind.OTHER,
        name_en="JJOC plans cell",
        name_ja="統合作戦司令部計画班",
        short_en="Plans",
        short_ja="計画班",
        marking=MarkingIn(releasable_to=["USA"]),
    )


def _request(to_hq: str, from_hq: str = CELL) -> RequestIn:
    return RequestIn(
        kind=RequestKind.ACTIVITY,
        from_hq_id=from_hq,
        to_hq_ids=[to_hq],
        subject="Deconflict the exercise airspace",
        marking=MarkingIn(releasable_to=["USA"]),
    )


def _kinds(node: Node) -> list[str]:
    return [ev.kind for ev in iter_events(node.db)]


def test_one_job_creates_an_hq_and_opens_a_request_from_it_in_one_transaction(
    combined: Node, commander: Actor
) -> None:
    before = _kinds(combined)

    def plan(tx: Tx) -> tuple[str, str, str]:
        hq = combined.org.create_hq_in(tx, commander, _cell())
        # The request is sent from the HQ the same transaction just created.
        req = combined.acm.create_request_in(tx, commander, _request("usa-jfhq"))
        return hq.id, req.id, req.from_hq_id

    hq_id, request_id, from_hq = combined.ctx.writer.run(plan, timeout=20)
    assert (hq_id, from_hq) == (CELL, CELL)
    assert combined.org.get_hq(commander, CELL).parent_id == "jpn-jjoc"
    thread = combined.acm.thread(commander, request_id)
    assert thread.request.from_hq_id == CELL
    assert thread.request.state == "draft"
    # Both were committed with their signed events, in the order they were made.
    assert _kinds(combined)[len(before) :] == ["org.hq.created", "acm.request.created"]


def test_when_the_request_is_refused_the_hq_made_in_the_same_job_is_not_stored_either(
    combined: Node, commander: Actor
) -> None:
    before = _kinds(combined)

    def plan(tx: Tx) -> None:
        combined.org.create_hq_in(tx, commander, _cell())
        # Addressed to an HQ of the sender's own nation: the ACM desk refuses it.
        combined.acm.create_request_in(tx, commander, _request("jpn-gcc"))

    with pytest.raises(InvalidInput) as refused:
        combined.ctx.writer.run(plan, timeout=20)
    assert refused.value.code == "addressee_same_nation"
    assert refused.value.field == "to_hq_ids.0"
    with pytest.raises(NotFound):
        combined.org.get_hq(commander, CELL)
    assert combined.acm.list_requests(commander) == []
    assert _kinds(combined) == before
    # The desks go on: the same HQ can be created afterwards.
    assert combined.org.create_hq(commander, _cell()).id == CELL


def test_calling_a_desk_s_public_method_inside_a_job_fails_at_once_and_stores_nothing(
    combined: Node, commander: Actor
) -> None:
    """The public form waits on the writer; from inside a job it would wait on itself."""

    def plan(tx: Tx) -> None:
        combined.acm.create_request(commander, _request("usa-jfhq", "jpn-jjoc"))

    started = time.monotonic()
    future: Future[None] = combined.ctx.writer.submit(plan)
    err = future.exception(15)  # the old desks waited 60 s on themselves, twice
    assert time.monotonic() - started < 10
    assert isinstance(err, WriterReentered)
    assert err.code == "writer_reentered"
    assert "foo_in(tx" in err.message.en
    assert "foo_in(tx" in err.message.ja
    assert combined.acm.list_requests(commander) == []
    # The writer was not held up: the same request goes through its public form.
    assert combined.acm.create_request(commander, _request("usa-jfhq", "jpn-jjoc")).state == "draft"


def test_a_user_disabled_inside_a_job_is_announced_once_and_only_if_the_job_commits(
    combined: Node, commander: Actor
) -> None:
    admin = Actor("admin", "JPN admin", "JPN", "jpn-jjoc", Role.ADMIN)
    user, _token = combined.users.add(
        UserIn(name="Watch officer", nation="JPN", hq_id="jpn-jjoc", role=Role.VIEWER)
    )
    announced: list[str] = []
    combined.users.on_disabled(announced.append)

    def disable_then_fail(tx: Tx) -> None:
        combined.users.disable_in(tx, user.id, admin)
        # Refused: addressed to an HQ of the sender's own nation.
        combined.acm.create_request_in(tx, commander, _request("jpn-gcc", "jpn-jjoc"))

    with pytest.raises(InvalidInput):
        combined.ctx.writer.run(disable_then_fail, timeout=20)
    assert announced == []
    assert combined.users.actor_for_id(user.id).user_id == user.id  # still enabled

    def disable_and_plan(tx: Tx) -> None:
        combined.users.disable_in(tx, user.id, admin)
        combined.org.create_hq_in(tx, commander, _cell())

    combined.ctx.writer.run(disable_and_plan, timeout=20)
    assert announced == [user.id]
    assert not combined.user_enabled(user.id)
