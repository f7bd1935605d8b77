"""The API's edges, against a real uvicorn server: request bodies over the limit
are refused before they are read or anyone is signed in, every answer carries
the security headers, and ``/static`` serves only what the pages load."""

from __future__ import annotations

import json
import re
import selectors
import socket
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.routing import Mount, Route

from alliance.api import console, create_app, docs
from alliance.api.middleware import API_CSP
from alliance.config import MAX_BODY_BYTES
from alliance.node import Node
from alliance.pki import Pki, client_context
from alliance.web import NODE_MODULES, WEB_ROOT
from tests.conftest import NodeFactory, add_people
from tests.federation.helpers import fed_url, served_pair

from .conftest import ServeFn, Site, assert_error
from .served import Served, references

LIMIT = MAX_BODY_BYTES
HUGE = 100 * 1024 * 1024
CHUNK = b"x" * 65536
# What the client may still push into loopback socket buffers after the server
# stopped reading: far below the 100 MB it tries to send.
SLACK = 16 * 1024 * 1024
HQ = "/org/hqs/jpn-jjoc"


# -- a raw HTTP/1.1 client that sees exactly what the server read -------------------


@dataclass
class Pushed:
    """What happened when a client kept sending a body: the server's answer,
    the body bytes sent before it, and the bytes sent after it until the
    server closed the connection (``closed``)."""

    status: int
    headers: dict[str, str]
    body: bytes
    sent_before_answer: int
    sent_after_answer: int
    closed: bool
    seconds: float


def push(url: str, head: str, *, chunked: bool, total: int, timeout: float = 20) -> Pushed:
    """Send ``head`` and then up to ``total`` body bytes (in chunked encoding when
    ``chunked``) until the server answers; read the answer; then keep sending to
    see whether the server still reads."""
    parts = urlsplit(url)
    started = time.monotonic()
    deadline = started + timeout
    piece = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK
    with (
        socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock,
        selectors.DefaultSelector() as sel,
    ):
        sock.sendall(head.encode())
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        sent_before = _send_until_answered(sock, sel, piece, total, deadline)
        answer = _read_answer(sock, sel, deadline)
        sent_after, closed = _send_until_closed(sock, sel, piece, total, deadline)
    head_part, _, body = answer.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    return Pushed(
        int(lines[0].split()[1]),
        headers,
        body,
        sent_before,
        sent_after,
        closed,
        time.monotonic() - started,
    )


def _send_until_answered(
    sock: socket.socket, sel: selectors.BaseSelector, piece: bytes, total: int, deadline: float
) -> int:
    """Body bytes sent before the server's answer was there to read."""
    sent = 0
    while time.monotonic() < deadline:
        for _key, events in sel.select(timeout=0.5):
            if events & selectors.EVENT_READ:
                return sent
            if sent < total:
                try:
                    sent += sock.send(piece)
                except (BrokenPipeError, ConnectionResetError):
                    return sent  # it answered and closed: the answer waits in our buffer
    raise AssertionError(f"no answer after {sent} body bytes")


def _read_answer(sock: socket.socket, sel: selectors.BaseSelector, deadline: float) -> bytes:
    """The whole response (it has a Content-Length)."""
    got = b""
    while time.monotonic() < deadline:
        head, sep, body = got.partition(b"\r\n\r\n")
        match = re.search(rb"(?i)content-length:\s*(\d+)", head)
        if sep and match and len(body) >= int(match.group(1)):
            return got
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            sel.select(timeout=0.1)
            continue
        if not data:
            break
        got += data
    raise AssertionError(f"no complete answer: {got[:200]!r}")


def _send_until_closed(
    sock: socket.socket, sel: selectors.BaseSelector, piece: bytes, total: int, deadline: float
) -> tuple[int, bool]:
    """Body bytes the server still took after its answer, and whether it closed."""
    sent = 0
    while sent < total and time.monotonic() < deadline:
        for _key, events in sel.select(timeout=0.5):
            try:
                if events & selectors.EVENT_READ:
                    if sock.recv(65536) == b"":
                        return sent, True
                elif events & selectors.EVENT_WRITE:
                    sent += sock.send(piece)
            except (BrokenPipeError, ConnectionResetError):
                return sent, True
    return sent, False


def request_head(site: Site, method: str, path: str, *, token: bool, length: int | None) -> str:
    url = urlsplit(str(site.client.base_url))
    lines = [
        f"{method} {url.path}{path} HTTP/1.1",
        f"Host: {url.netloc}",
        "Content-Type: application/json",
    ]
    if token:
        lines += [f"Authorization: {site.as_('JPN', 'commander', 'jpn-jjoc')['Authorization']}"]
    lines += ["Transfer-Encoding: chunked"] if length is None else [f"Content-Length: {length}"]
    return "\r\n".join(lines) + "\r\n\r\n"


def assert_too_large(pushed: Pushed) -> None:
    assert pushed.status == 413, pushed
    error = json.loads(pushed.body)
    assert error["code"] == "payload_too_large", error
    assert set(error["message"]) == {"en", "ja"}, error
    assert str(LIMIT) in error["message"]["en"], error
    assert str(LIMIT) in error["message"]["ja"], error
    assert error["message"]["en"] != error["message"]["ja"], error
    assert pushed.headers["x-content-type-options"] == "nosniff"
    assert pushed.headers["connection"] == "close"


def root(site: Site) -> str:
    """The server's own URL (the site's client is for /api/v1)."""
    url = urlsplit(str(site.client.base_url))
    return f"{url.scheme}://{url.netloc}"


def hq_state(site: Site) -> tuple[str, int]:
    got = site.client.get(HQ, headers=site.as_("JPN", "viewer", "jpn-jjoc"))
    assert got.status_code == 200, got.text
    return got.json()["name_en"], site.ledger_events()


# -- the body limit ------------------------------------------------------------------


@pytest.mark.parametrize("token", [True, False], ids=["signed-in", "no-token"])
def test_a_declared_100_mb_body_is_refused_before_it_is_read(site: Site, token: bool) -> None:
    before = hq_state(site)
    tracemalloc.start()
    try:
        pushed = push(
            str(site.client.base_url),
            request_head(site, "PATCH", HQ, token=token, length=HUGE),
            chunked=False,
            total=HUGE,
        )
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_too_large(pushed)
    # Answered while the client was still sending, and the server read no further:
    # the connection closed with the client nowhere near done.
    assert pushed.sent_before_answer < SLACK, pushed
    assert pushed.closed, pushed
    assert pushed.sent_before_answer + pushed.sent_after_answer < SLACK, pushed
    assert pushed.seconds < 10, pushed
    # Nothing in this process held the body: no copy of 100 MB, nor of 16.
    assert peak < 8 * 1024 * 1024, peak
    assert hq_state(site) == before


@pytest.mark.parametrize("token", [True, False], ids=["signed-in", "no-token"])
def test_a_chunked_body_is_refused_at_the_limit(site: Site, token: bool) -> None:
    before = hq_state(site)
    pushed = push(
        str(site.client.base_url),
        request_head(site, "PATCH", HQ, token=token, length=None),
        chunked=True,
        total=HUGE,
    )
    assert_too_large(pushed)
    assert LIMIT < pushed.sent_before_answer < LIMIT + SLACK, pushed
    assert pushed.closed, pushed
    assert pushed.sent_before_answer + pushed.sent_after_answer < LIMIT + SLACK, pushed
    assert hq_state(site) == before


def _padded_patch(size: int, name: str) -> bytes:
    """A valid HQ change of exactly ``size`` bytes (JSON allows the padding)."""
    data = json.dumps({"name_en": name}).encode()
    return data[:-1] + b" " * (size - len(data)) + b"}"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_at_the_limit_is_answered_and_one_byte_more_is_not(
    site: Site, chunked: bool
) -> None:
    commander = site.as_("JPN", "commander", "jpn-jjoc")

    def send(data: bytes) -> httpx.Response:
        content: bytes | Iterator[bytes] = data
        if chunked:  # httpx sends an iterator with Transfer-Encoding: chunked
            content = iter([data[i : i + 65536] for i in range(0, len(data), 65536)])
        return site.client.patch(
            HQ, content=content, headers={**commander, "Content-Type": "application/json"}
        )

    at_limit = send(_padded_patch(LIMIT, "Joint Operations Command (at limit)"))
    assert at_limit.status_code == 200, at_limit.text
    assert at_limit.json()["name_en"] == "Joint Operations Command (at limit)"
    before = hq_state(site)
    over = send(_padded_patch(LIMIT + 1, "Joint Operations Command (over)"))
    assert_error(over, 413, "payload_too_large")
    assert hq_state(site) == before


def test_the_limit_is_a_setting(combined: Node, serve: ServeFn) -> None:
    combined.settings.max_body_bytes = 64 * 1024
    client = serve(combined)
    people = add_people(combined)
    commander = {**people("JPN", "commander", "jpn-jjoc"), "Content-Type": "application/json"}
    fits = client.patch(HQ, content=_padded_patch(64 * 1024, "Fits"), headers=commander)
    assert fits.status_code == 200, fits.text
    over = client.patch(HQ, content=_padded_patch(64 * 1024 + 1, "Over"), headers=commander)
    body = assert_error(over, 413, "payload_too_large")
    assert "65536" in body["message"]["en"]


def test_the_largest_legitimate_request_fits_the_limit(site: Site) -> None:
    """A working group of 200 members with every text at its limit, in Japanese,
    as Python's json module sends it (every character \\u-escaped)."""
    kanji = "統"
    members = [
        {
            "nation": "JPN" if i % 2 else "USA",
            "name": kanji * 200,
            "role": kanji * 200,
            "hq_id": "jpn-jjoc" if i % 2 else "usa-jfhq",
        }
        for i in range(200)
    ]
    group = {
        "name_en": "Largest working group",
        "name_ja": kanji * 200,
        "purpose": kanji * 20000,
        "members": members,
        "marking": {"releasable_to": ["USA"]},
    }
    data = json.dumps(group).encode()
    assert 600_000 < len(data) < LIMIT
    created = site.client.post(
        "/acm/groups",
        content=data,
        headers={
            **site.as_("JPN", "staff_officer", "jpn-jjoc"),
            "Content-Type": "application/json",
        },
    )
    assert created.status_code == 201, created.text[:500]
    assert len(created.json()["members"]) == 200


# -- security headers on every answer -----------------------------------------------

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def assert_api_headers(response: httpx.Response, what: str) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (what, name, response.headers)
    assert response.headers.get("content-security-policy") == API_CSP, (what, response.headers)
    assert response.headers.get("cache-control") == "no-store", (what, response.headers)
    assert "strict-transport-security" not in response.headers, what  # plain HTTP here


def _concrete(path: str) -> str:
    """An OpenAPI path with each ``{parameter}`` filled in."""
    return re.sub(r"\{[^}]+\}", "jpn-jjoc", path)


def api_operations(app_schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), _concrete(path))
        for path, operations in app_schema["paths"].items()
        for method in operations
    ]


def test_every_route_answers_with_the_security_headers(site: Site) -> None:
    base = root(site)
    with httpx.Client(base_url=base, timeout=30) as client:
        schema = client.get("/openapi.json").json()
        operations = api_operations(schema)
        assert len(operations) > 40  # the whole API, not a sample
        admin = site.as_("JPN", "admin", "jpn-jjoc")
        for method, path in operations:
            for headers in ({}, admin):
                body: dict[str, Any] | None = {} if method in {"POST", "PATCH"} else None
                # Streamed: the SSE route answers its headers and stays open.
                with client.stream(method, path, json=body, headers=headers) as response:
                    what = f"{method} {path} {'admin' if headers else 'no token'}"
                    assert response.status_code != 500, what
                    assert_api_headers(response, what)
        for path in ("/openapi.json", "/api/v1/no/such/thing", "/nowhere", "/"):
            assert_api_headers(client.get(path), path)
        # And every route outside the OpenAPI document: pages, redirects, static mounts.
        walked = 0
        for path in _routes_outside_the_schema(create_app(site.node)):
            for headers in ({}, admin):
                got = client.get(path, headers=headers)
                for name, value in ALWAYS.items():
                    assert got.headers.get(name) == value, (path, name)
                assert got.headers["content-security-policy"].startswith("default-src 'none'")
                # A file served may be kept and revalidated; anything else is not kept.
                kept = got.status_code == 200 and path.startswith(("/console/", "/static/"))
                assert got.headers["cache-control"] == ("no-cache" if kept else "no-store"), path
                walked += 1
        # /openapi.json, /docs, /, the console's page (/console/ and /console/index.html,
        # put together from the desks' panes) and 19 mounts, 2 paths each: 7 libraries,
        # swagger, docs, the console's shell, the COP, ACM, org, exercise, plans,
        # cyber, airspace and industry desks' panes (/console/desks/<name>) and the
        # node's health pane (/console/node/health).
        assert walked == 2 * 43, walked
        # TAXII 2.1 (its own error shape, outside the OpenAPI document) too.
        for path in ("/taxii2/", "/taxii2/alliance/collections/", "/taxii2/nowhere"):
            for headers in ({}, admin):
                assert_api_headers(client.get(path, headers=headers), path)
        assert_api_headers(client.delete("/api/v1/org/hqs"), "405")
        assert_api_headers(client.post("/api/v1/org/hqs", content=b"x" * (LIMIT + 1)), "413")

        page = client.get("/docs")
        assert page.status_code == 200
        for name, value in ALWAYS.items():
            assert page.headers[name] == value
        assert page.headers["content-security-policy"] == docs.CSP
        assert page.headers["cache-control"] == "no-store"
        for path in ("/console/", "/console/console.js", "/static/leaflet/leaflet.js"):
            got = client.get(path)
            assert got.status_code == 200, path
            for name, value in ALWAYS.items():
                assert got.headers[name] == value, (path, name)
            assert got.headers["content-security-policy"] == console.CSP, path
            assert got.headers["cache-control"] == "no-cache", path  # may be kept, revalidated
        swagger = client.get("/static/swagger/swagger-ui-bundle.js")
        assert swagger.status_code == 200
        assert swagger.headers["content-security-policy"] == API_CSP
        assert swagger.headers["cache-control"] == "no-cache"


def _routes_outside_the_schema(app: FastAPI) -> Iterator[str]:
    for route in app.routes:
        if isinstance(route, Mount):
            yield route.path + "/"
            yield route.path + "/no-such-file"
        elif isinstance(route, Route) and not route.include_in_schema:
            yield route.path


def test_the_docs_page_runs_no_inline_script(site: Site) -> None:
    """/docs allows scripts from this node only, so it can have none inline."""
    with httpx.Client(base_url=root(site), timeout=30) as client:
        page = client.get("/docs")
    assert page.status_code == 200
    policy = dict(
        d.strip().partition(" ")[::2] for d in page.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert "unsafe" not in page.headers["content-security-policy"]
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S | re.I)
    assert scripts, page.text
    for attrs, inline in scripts:
        assert "src=" in attrs, attrs
        assert inline.strip() == "", inline


def test_an_internal_error_carries_the_security_headers_too(combined: Node) -> None:
    config = uvicorn.Config(create_app(combined), host="127.0.0.1", log_level="warning")

    def broken() -> None:
        raise RuntimeError("a bug")

    app = config.app
    assert isinstance(app, FastAPI)
    app.add_api_route("/api/v1/broken", broken)
    with Served(config) as url, httpx.Client(base_url=url) as client:
        got = client.get("/api/v1/broken")
    assert_error(got, 500, "internal")
    assert_api_headers(got, "500")


def test_federation_answers_are_never_sniffed_or_kept(make_node: NodeFactory) -> None:
    jpn, usa = served_pair(make_node)
    pki = Pki.load(usa.settings.home)
    ctx = client_context(pki, Pki.load(jpn.settings.home).ca_pem)
    with httpx.Client(base_url=fed_url(jpn), verify=ctx, timeout=30) as client:
        for path, status in (("/federation/v1/head", 200), ("/federation/v1/nothing", 404)):
            got = client.get(path)
            assert got.status_code == status, got.text
            if status == 404:
                assert got.json()["code"] == "not_found", got.text
            assert got.headers["x-content-type-options"] == "nosniff", path
            assert got.headers["cache-control"] == "no-store", path


# -- /static serves only what the pages load ----------------------------------------


def test_static_serves_exactly_what_the_console_and_docs_load(site: Site) -> None:
    base = root(site)
    with httpx.Client(base_url=base, timeout=30) as client:
        loaded = references(client, "/console/") | references(client, "/docs")
        assert {
            "/static/leaflet/leaflet.js",
            "/static/world-atlas/countries-50m.json",
            "/static/swagger/swagger-ui-bundle.js",
            "/static/docs/swagger-init.js",
            "/console/i18n.js",
            "/openapi.json",
        } <= loaded
        for path in loaded:
            assert client.get(path).status_code == 200, path
        # Every file of every package folder mounted under /static: served if and
        # only if a page loads it (no package.json, README, LICENSE, map, source).
        mounts = {
            **{name: NODE_MODULES / lib.folder for name, lib in console.LIBRARIES.items()},
            "swagger": NODE_MODULES / docs.SWAGGER.folder,
            "docs": WEB_ROOT / "docs",
        }
        refused = []
        for name, folder in mounts.items():
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                path = f"/static/{name}/{file.relative_to(folder).as_posix()}"
                status = client.get(path).status_code
                assert status == (200 if path in loaded else 404), (path, status)
                if status == 404:
                    refused.append(path)
        assert "/static/world-atlas/package.json" in refused
        assert "/static/swagger/package.json" in refused
        assert "/static/leaflet/leaflet.js.map" in refused
        for path in (
            "/static/world-atlas/README.md",
            "/static/leaflet/../package.json",
            "/static/leaflet/%2e%2e/package.json",
            "/static/milsymbol/package.json",
            "/static/swagger/index.html",
            "/static/swagger/swagger-initializer.js",  # the petstore one
            "/static/commander/package.json",
        ):
            assert_error(client.get(path), 404, "not_found")
