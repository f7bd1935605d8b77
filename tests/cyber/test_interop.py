"""Interop with the OASIS TAXII 2.1 client (``taxii2-client``) over HTTPS with
the node's certificate and HTTP Basic sign-in (the token as the password):
every endpoint, 10,000 objects paged through with ``next``, an envelope posted
and its status polled. What comes back parses with ``stix2`` and validates
against the official schemas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import stix2
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from alliance.access import UserIn
from alliance.api.serving import uvicorn_config
from alliance.core.authority import Role
from alliance.node import Node
from alliance.pki import Pki
from tests.api.served import Served
from tests.conftest import NodeFactory

from .helpers import cyber, indicator, schema_errors, shared_collection, staff

MANY = 10_000


@pytest.fixture(autouse=True)
def _no_bundle_override(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's own
    # ``verify`` (psf/requests#3829): the client must trust the node's CA it was given.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture
def tls_node(make_node: NodeFactory) -> Node:
    node = make_node("JPN", hosted=["USA"])
    Pki.init(node.settings.home, node.nation, node.node_id, ["127.0.0.1", "localhost"])
    node.settings.api_tls = True
    return node


@pytest.fixture
def https_url(tls_node: Node) -> Iterator[str]:
    with Served(uvicorn_config(tls_node)) as url:
        yield url


def _client(node: Node, url: str, nation: str, role: Role) -> Server:
    hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[nation]
    user, token = node.users.add(
        UserIn(name=f"{nation} analyst", nation=nation, hq_id=hq, role=role)
    )
    ca = str(Pki.load(node.settings.home).ca_cert_path)
    return Server(f"{url}/taxii2/", user=user.id, password=token, verify=ca)


def test_the_oasis_client_uses_every_endpoint_and_pages_through_ten_thousand_objects(
    tls_node: Node, https_url: str
) -> None:
    collection_id = shared_collection(tls_node)
    desk = cyber(tls_node)
    # 10,000 fictional indicators released to USA, stored as JPN's staff would.
    for start in range(0, MANY, 2_000):
        batch = [indicator(n, rel=("USA",)) for n in range(start, start + 2_000)]
        _status, outcomes = desk.add(staff("JPN"), collection_id, batch)
        assert all(o.ok for o in outcomes)

    server = _client(tls_node, https_url, "USA", Role.STAFF_OFFICER)
    try:
        _every_endpoint(tls_node, server, collection_id)
    finally:
        server.close()  # its keep-alive connection would hold the server's shutdown


def _every_endpoint(tls_node: Node, server: Server, collection_id: str) -> None:
    assert "JPN" in server.title
    root: ApiRoot = server.default
    assert [r.url for r in server.api_roots] == [root.url]
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length == tls_node.settings.max_body_bytes
    collection: Collection = next(c for c in root.collections if c.id == collection_id)
    assert collection.can_read
    assert collection.can_write

    seen: list[str] = []
    pages = 0
    for envelope in as_pages(collection.get_objects, per_request=1_000):
        pages += 1
        seen.extend(o["id"] for o in envelope.get("objects", []))
    assert pages == MANY // 1_000
    assert len(seen) == len(set(seen)) == MANY
    manifest = [
        r["id"]
        for page in as_pages(collection.get_manifest, per_request=1_000)
        for r in page["objects"]
    ]
    assert manifest == seen

    # Post an envelope (one object refused) and poll its status.
    mine = [indicator(MANY + 1, rel=("JPN",)), indicator(MANY + 2)]
    wrong = {**indicator(MANY + 3), "spec_version": "2.0"}
    status = collection.add_objects({"objects": [*mine, wrong]})
    status.refresh()  # polls GET …/status/{id}
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (3, 2, 1)
    assert status.failures[0]["id"] == wrong["id"]
    assert root.get_status(status.id).success_count == 2

    one = collection.get_object(mine[0]["id"])["objects"]
    assert one == [mine[0]]
    assert collection.object_versions(mine[0]["id"])["versions"] == [mine[0]["modified"]]
    filtered = collection.get_objects(id=mine[0]["id"], type="indicator", version="all")
    assert [o["id"] for o in filtered["objects"]] == [mine[0]["id"]]

    collection.delete_object(mine[1]["id"])
    with pytest.raises(requests.HTTPError) as gone:
        collection.get_object(mine[1]["id"])
    assert gone.value.response is not None
    assert gone.value.response.status_code == 404

    # Everything served is STIX 2.1 by the library and by the official schemas.
    served = collection.get_objects(limit=500)["objects"]
    for obj in served:
        assert stix2.parse(obj, allow_custom=False, version="2.1").id == obj["id"]
        assert schema_errors(obj) == []
