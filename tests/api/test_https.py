"""``api_tls``: the user API, the console and /docs over HTTPS with the node's
certificate, verified by a client that trusts only the node's national CA."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from alliance.api.middleware import HSTS
from alliance.api.serving import tls_context, uvicorn_config
from alliance.node import Node
from alliance.pki import Pki, fingerprint
from tests.conftest import NodeFactory, add_people

from .conftest import assert_error
from .served import Served, references

ALLIANCE = Path(sys.executable).parent / "alliance"


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


def trusting(node: Node) -> ssl.SSLContext:
    """A client context that trusts the node's national CA and nothing else."""
    return ssl.create_default_context(cafile=Pki.load(node.settings.home).ca_cert_path)


def test_the_api_is_served_over_https_with_the_node_certificate(
    tls_node: Node, https_url: str
) -> None:
    assert https_url.startswith("https://")
    token = add_people(tls_node)("USA", "staff_officer", "usa-jfhq")
    with httpx.Client(base_url=https_url, verify=trusting(tls_node), timeout=30) as client:
        me = client.get("/api/v1/me", headers=token)
        assert me.status_code == 200, me.text
        assert me.json()["nation"] == "USA"
        tls = me.extensions["network_stream"].get_extra_info("ssl_object")
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}
        presented = tls.getpeercert(True)
        node_cert = Pki.load(tls_node.settings.home).node_cert
        assert presented is not None
        assert fingerprint(x509.load_der_x509_certificate(presented)) == fingerprint(node_cert)
        # Over HTTPS every answer also tells the browser to keep to HTTPS.
        assert me.headers["strict-transport-security"] == HSTS
        assert_error(client.get("/api/v1/me"), 401, "no_token")
        assert client.get("/api/v1/me").headers["strict-transport-security"] == HSTS

        # The console and /docs load over HTTPS, every file they reference.
        for page in ("/console/", "/docs"):
            loaded = references(client, page)
            assert len(loaded) >= 3, (page, loaded)
            for path in {page, *loaded}:
                got = client.get(path)
                assert got.status_code == 200, path
                assert got.headers["strict-transport-security"] == HSTS, path


def test_plain_http_to_the_https_port_gets_no_answer(https_url: str) -> None:
    plain = https_url.replace("https://", "http://")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(plain + "/api/v1/healthz", timeout=10)


def test_a_client_that_trusts_other_cas_only_refuses_the_node(https_url: str) -> None:
    """The certificate is the node's own, not one any public CA vouches for."""
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(https_url + "/api/v1/healthz", verify=ssl.create_default_context(), timeout=10)


def test_tls_older_than_1_2_is_refused(tls_node: Node, https_url: str) -> None:
    def client(version: ssl.TLSVersion) -> ssl.SSLContext:
        ctx = trusting(tls_node)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer old versions
        ctx.minimum_version = ctx.maximum_version = version
        return ctx

    url = https_url + "/api/v1/healthz"
    assert httpx.get(url, verify=client(ssl.TLSVersion.TLSv1_2), timeout=10).status_code == 200
    with pytest.warns(DeprecationWarning, match="TLSv1_1"):
        legacy = client(ssl.TLSVersion.TLSv1_1)
    # The server ends the handshake (asyncio closes without sending the alert).
    with pytest.raises(httpx.ConnectError, match=r"^\[SSL: "):
        httpx.get(url, verify=legacy, timeout=10)
    server_side = tls_context(tls_node.settings)
    assert server_side is not None
    assert server_side.minimum_version == ssl.TLSVersion.TLSv1_2


# -- `alliance serve` as an operator runs it ------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb", **extra})
    return env


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ALLIANCE), *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=120,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_alliance_serve_with_api_tls_needs_the_pki_then_serves_https(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    port = str(_free_port())
    init = _run("init", "--nation", "JPN", "--home", str(home), "--no-seed", "--port", port)
    assert init.returncode == 0, init.stderr

    # No PKI yet: it refuses to start, in the user's language, and says what to do.
    for lang, says in (
        ("en", "api_tls is on, but the node's certificate cannot be used"),
        ("ja", "api_tls が有効ですが、ノード証明書を使えません"),
    ):
        refused = _run("serve", "--home", str(home), ALLIANCE_API_TLS="true", ALLIANCE_LANG=lang)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        message = " ".join(refused.stderr.split())
        assert says in message, message
        assert "alliance pki init" in message, message
        assert "Traceback" not in refused.stderr

    pki = _run("pki", "init", "--home", str(home))
    assert pki.returncode == 0, pki.stderr
    ca = Pki.load(home).ca_cert_path
    proc = subprocess.Popen(
        [str(ALLIANCE), "serve", "--home", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(ALLIANCE_API_TLS="1"),
        start_new_session=True,
    )
    try:
        verify = ssl.create_default_context(cafile=ca)
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                got = httpx.get(f"https://127.0.0.1:{port}/api/v1/healthz", verify=verify)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "alliance serve did not answer over HTTPS"
                time.sleep(0.1)
        assert got.status_code == 200
        assert got.headers["strict-transport-security"] == HSTS
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert f"API and console on https://127.0.0.1:{port}/ (TLS, node certificate)." in " ".join(
        output.split()
    )
