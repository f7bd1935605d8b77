"""The node starts, serves, and answers with the one error shape."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from alliance.node import Node
from tests.conftest import add_people


def test_every_call_needs_a_token(combined: Node, serve: Callable[[Node], httpx.Client]) -> None:
    client = serve(combined)
    response = client.get("/org/hqs")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "no_token"
    assert body["message"]["en"]
    assert body["message"]["ja"]


def test_seeded_structures_are_listed(
    combined: Node, serve: Callable[[Node], httpx.Client]
) -> None:
    people = add_people(combined)
    client = serve(combined)
    hqs = client.get("/org/hqs", headers=people("JPN", "commander", "jpn-jjoc")).json()
    ids = {h["id"] for h in hqs}
    assert {"jpn-jjoc", "usa-jfhq", "usa-indopacom"} <= ids
