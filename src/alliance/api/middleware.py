"""What every HTTP exchange with the node passes through before routing and
authentication: a limit on the request body, and the security headers.

Both are pure ASGI middleware (no ``BaseHTTPMiddleware``): they never buffer a
response, so the server-sent event stream stays a stream. They wrap the whole
application, outside Starlette's error handling, so that even a 500 answer
carries the headers (see :func:`alliance.api.app.create_app`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance.core.i18n import Text
from alliance.desks import Mount

from .errors import body, mount_of

# Answers of the API itself: JSON that no browser should render, frame or keep.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# A year: the usual minimum for HSTS; only ever sent over HTTPS (RFC 6797 §7.2).
HSTS = "max-age=31536000"

# Set on every answer, whatever the route said.
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Set unless the route chose its own (the console, /docs and static files do).
_DEFAULTS = {
    "Content-Security-Policy": API_CSP,
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """Adds the security headers to every response, errors and 404s included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in _ALWAYS.items():
                    headers[name] = value
                for name, value in _DEFAULTS.items():
                    headers.setdefault(name, value)
                if https:
                    headers["Strict-Transport-Security"] = HSTS
                message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses a request body over ``max_bytes`` with 413, before anything reads it.

    A declared ``Content-Length`` over the limit is answered at once: no byte of
    the body is read, no token looked at. A body of unknown length (chunked) or
    one that sends more than it declared is counted as it arrives and refused
    at the limit; the application is called only with a complete body within
    the limit, so no route ever sees an oversized one. The 413 closes the
    connection, so the server stops reading what the client is still sending.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, mounts: Sequence[Mount] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.mounts = tuple(mounts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(Headers(scope=scope))
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = await _read_within(receive, self.max_bytes)
        if received is None:
            await self._refuse(scope, receive, send)
            return
        if not isinstance(received, bytes):  # the client left before sending it all
            return
        await self.app(scope, _replay(received, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes
        message = Text(
            f"The request body is larger than this node accepts ({limit} bytes at most).",
            f"要求の本文が大きすぎます（このノードの上限は {limit} バイトです）。",
        )
        mount = mount_of(self.mounts, scope.get("path", ""))
        if mount is not None:
            response = mount.error(413, "payload_too_large", message, None)
            response.headers["Connection"] = "close"
        else:
            response = JSONResponse(
                body("payload_too_large", message), 413, headers={"Connection": "close"}
            )
        await response(scope, receive, send)


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None  # the server refuses malformed ones; an unknown length is counted
    return int(value)


async def _read_within(receive: Receive, limit: int) -> bytes | Message | None:
    """The whole body if it is at most ``limit`` bytes; None as soon as it is
    more; the ``http.disconnect`` message if the client left first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(data: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then the client's own
    messages (a streaming answer listens there for the client leaving)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    return replayed


__all__ = ["API_CSP", "HSTS", "BodyLimit", "SecurityHeaders"]
