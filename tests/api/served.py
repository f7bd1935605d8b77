"""Serving helpers for the edge tests: an app exactly as ``alliance serve``
configures it (TLS included), and the files a page loads."""

from __future__ import annotations

import re
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import uvicorn

from alliance.api.serving import NodeServer


class Served:
    """``with Served(uvicorn_config(node)) as url``: the server in a thread."""

    def __init__(self, config: uvicorn.Config) -> None:
        config.port = 0  # a free one
        self.scheme = "https" if config.ssl_context_factory is not None else "http"
        self.server = NodeServer(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive(), "server failed to start"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"{self.scheme}://127.0.0.1:{port}"

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class _Refs(HTMLParser):
    """``<script src>`` and ``<link href>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        ref = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if ref:
            self.refs.append(ref)


def references(client: httpx.Client, page: str) -> set[str]:
    """Every path on this node that ``page`` loads, found by reading what is
    served: its scripts and styles, what those styles load (``url(...)``), and
    the paths our own scripts name or import."""
    found: set[str] = set()
    parser = _Refs()
    parser.feed(client.get(page).text)
    todo = [urljoin(page, ref) for ref in parser.refs]
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.add(path)
        text = client.get(path).text
        if path.endswith(".css"):
            refs = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
            todo += [urljoin(path, r) for r in refs if not r.startswith(("data:", "#"))]
        elif path.startswith(("/console/", "/static/docs/")) and path.endswith(".js"):
            todo += re.findall(r"[\"'`](/(?:static|openapi)[^\"'`]*)[\"'`]", text)
            todo += [urljoin(path, r) for r in re.findall(r"from\s+\"(\./[^\"]+)\"", text)]
    return found
