"""A served node for the TAXII tests: the combined node (JPN and USA authority)
behind a real uvicorn server, its cast of users, and a collection both see."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from alliance.cyber.taxii import TAXII
from alliance.node import Node
from tests.conftest import LiveServer, People, add_people

from .helpers import shared_collection

ROOT = "/taxii2/alliance"


@dataclass
class Taxii:
    node: Node
    client: httpx.Client
    people: People
    collection: str

    def token(self, nation: str, role: str = "staff_officer") -> str:
        hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[nation]
        return self.people.tokens[f"{nation} {role} {hq}"]

    def auth(self, nation: str, role: str = "staff_officer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(nation, role)}", "Accept": TAXII}

    def basic(self, nation: str, role: str = "staff_officer") -> dict[str, str]:
        raw = base64.b64encode(f":{self.token(nation, role)}".encode()).decode()
        return {"Authorization": f"Basic {raw}", "Accept": TAXII}

    def objects_url(self, collection: str | None = None) -> str:
        return f"{ROOT}/collections/{collection or self.collection}/objects/"

    def post(self, nation: str, objects: list[Any], collection: str | None = None) -> Any:
        response = self.client.post(
            self.objects_url(collection),
            json={"objects": objects},
            headers={**self.auth(nation), "Content-Type": TAXII},
        )
        assert response.status_code == 202, response.text
        return response.json()

    def get(self, path: str, nation: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params, headers=self.auth(nation))

    def everything(self, nation: str, path: str | None = None, **params: Any) -> list[Any]:
        """Every object (or manifest record) of a paged GET, following ``next``."""
        found: list[Any] = []
        url = path or self.objects_url()
        while True:
            response = self.get(url, nation, **params)
            assert response.status_code == 200, response.text
            body = response.json()
            found.extend(body.get("objects", body.get("versions", [])))
            if not body["more"]:
                return found
            params = {**params, "next": body["next"]}


@pytest.fixture
def taxii(combined: Node) -> Iterator[Taxii]:
    live = LiveServer(combined).start()
    people = add_people(combined)
    client = httpx.Client(base_url=live.url, timeout=60)
    try:
        yield Taxii(combined, client, people, shared_collection(combined))
    finally:
        client.close()
        live.stop()
