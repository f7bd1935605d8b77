"""Helpers for the HTTP acceptance tests: a served node with its cast of users.

Every test here talks to a real uvicorn server over a loopback socket (the
``serve`` fixture), never to the desks directly, so what is tested is what a
client sees: status, the one error shape, and what the ledger recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from alliance.access import UserIn
from alliance.core.authority import Role
from alliance.node import Node
from tests.conftest import NodeFactory, People, add_people

Headers = dict[str, str]


@dataclass
class Site:
    """A served node: its client and the tokens of its people."""

    node: Node
    client: httpx.Client
    people: People

    def as_(self, nation: str, role: str, hq: str) -> Headers:
        return self.people(nation, role, hq)

    def add_person(self, nation: str, role: Role, hq: str) -> Headers:
        """One more user, e.g. a staff officer at a component HQ."""
        _user, token = self.node.users.add(
            UserIn(name=f"{nation} {role.value} {hq}", nation=nation, hq_id=hq, role=role)
        )
        self.people.tokens[f"{nation} {role.value} {hq}"] = token
        return {"Authorization": f"Bearer {token}"}

    def ledger_events(self) -> int:
        """The node's ledger size as reported by ``GET /node``."""
        response = self.client.get("/node", headers=self.as_("JPN", "viewer", "jpn-jjoc"))
        assert response.status_code == 200, response.text
        count: int = response.json()["ledger_events"]
        return count


ServeFn = Callable[[Node], httpx.Client]


@pytest.fixture
def site(combined: Node, serve: ServeFn) -> Site:
    """The combined node (JPN and USA authority), served, with the standard cast."""
    return Site(combined, serve(combined), add_people(combined))


@pytest.fixture
def usa_site(make_node: NodeFactory, serve: ServeFn) -> Site:
    """A single-nation USA node holding the seeded JPN structure as read-only reference."""
    node = make_node("USA")
    return Site(node, serve(node), add_people(node))


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """The one error shape: ``{code, message: {en, ja}, field}`` with both languages filled."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert {"code", "message", "field"} <= set(body), body
    assert body["code"] == code, body
    assert set(body["message"]) == {"en", "ja"}, body
    assert body["message"]["en"].strip(), body
    assert body["message"]["ja"].strip(), body
    assert body["message"]["en"] != body["message"]["ja"], body
    if field is not None:
        assert body["field"] == field, body
    return body
