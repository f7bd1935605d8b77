"""Over HTTPS (``api_tls``): the session cookie is Secure, and a user signs in
with the client certificate the node's user CA issued to them."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alliance.api.serving import uvicorn_config
from alliance.node import Node
from alliance.pki import Pki, write_client_files
from tests.conftest import NodeFactory, add_people

from .conftest import assert_error
from .served import Served


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


def _context(node: Node, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=Pki.load(node.settings.home).ca_cert_path)
    if cert is not None:
        ctx.load_cert_chain(cert, key)
    return ctx


def test_a_user_signs_in_with_the_certificate_the_node_issued_them(
    tls_node: Node, https_url: str, tmp_path: Path
) -> None:
    staff = tls_node.users.authenticate(add_people(tls_node).tokens["JPN staff_officer jpn-jjoc"])
    files = write_client_files(
        Pki.load(tls_node.settings.home), staff.user_id, staff.name, tmp_path, "p12-password"
    )
    key, pem = files[1], files[2]
    with httpx.Client(base_url=https_url + "/api/v1", verify=_context(tls_node)) as plain:
        identity = plain.get("/signin/node").json()
        assert identity["tls"] is True
        assert identity["certificate_signin"] is True
        # A browser that sent no certificate is told so, and what else to do.
        body = assert_error(plain.post("/session/certificate"), 401, "no_certificate")
        assert "password" in body["message"]["en"]
        assert "パスワード" in body["message"]["ja"]
    with httpx.Client(
        base_url=https_url + "/api/v1", verify=_context(tls_node, pem, key)
    ) as holder:
        signed = holder.post("/session/certificate")
        assert signed.status_code == 200, signed.text
        assert signed.json()["me"]["user"] == staff.user_id
        cookie = signed.headers["set-cookie"].lower()
        assert "secure" in cookie
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        me = holder.get("/me")
        assert me.status_code == 200, me.text
        assert me.json()["role"] == "staff_officer"
    # A disabled user's certificate signs in no more.
    tls_node.users.disable(staff.user_id)
    with httpx.Client(
        base_url=https_url + "/api/v1", verify=_context(tls_node, pem, key)
    ) as holder:
        assert_error(holder.post("/session/certificate"), 401, "user_disabled")
