"""How a node's user API is served: uvicorn, over HTTPS with the node's
certificate when ``api_tls`` is on.

With ``api_tls`` the API, the console and ``/docs`` are served over TLS 1.2 or
later with the node certificate and key from ``<home>/pki/`` (``alliance pki
init``); clients verify it with the national CA (``pki/ca.pem``). Where the node
has a user CA (``alliance user cert`` / ``alliance tak client-cert`` make one),
the API *asks* for a client certificate without requiring it: a user whose
browser holds a certificate that CA issued may sign in to the console with it
(``POST /api/v1/session/certificate``); everyone else signs in with a
password or a token as before. The certificate reaches the app in the ASGI
scope's ``extensions["tls"]["client_cert_chain"]`` (the ASGI TLS extension),
which :class:`ClientCertH11` puts there.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.serialization import Encoding
from uvicorn.protocols.http.h11_impl import H11Protocol

from alliance.config import Settings
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.node import Node
from alliance.pki import Pki, PkiError

from .app import create_app


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """The API's server-side TLS context, or None when ``api_tls`` is off.

    Raises :class:`PkiError` (``api_tls_no_pki``) when the node's PKI is
    missing or broken: the node then refuses to start rather than serve
    plain HTTP that users believe is protected.
    """
    if not settings.api_tls:
        return None
    try:
        pki = Pki.load(settings.home)
    except AllianceError as exc:
        raise PkiError(
            Text(
                f"api_tls is on, but the node's certificate cannot be used: {exc.message.en}",
                f"api_tls が有効ですが、ノード証明書を使えません: {exc.message.ja}",
            ),
            code="api_tls_no_pki",
        ) from exc
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.node_cert_path, pki.node_key_path)
    ctx.set_alpn_protocols(["http/1.1"])
    if pki.users_ca_cert is not None:
        # Ask for (never require) a certificate of this node's user CA.
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(cadata=pki.users_ca.public_bytes(Encoding.PEM).decode())
    return ctx


class ClientCertH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, passing the TLS client certificate (if the
    client presented one, checked by the handshake against the user CA) to the
    app in ``scope["extensions"]["tls"]["client_cert_chain"]`` (PEM)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        tls = transport.get_extra_info("ssl_object")
        der = tls.getpeercert(binary_form=True) if tls is not None else None
        if not der:
            return
        chain = [ssl.DER_cert_to_PEM_cert(der)]
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                extensions = dict(scope.get("extensions") or {})
                extensions["tls"] = {"client_cert_chain": chain}
                scope["extensions"] = extensions
            await inner(scope, receive, send)

        self.app = app


class NodeServer(uvicorn.Server):
    """uvicorn for a node's API. Its graceful shutdown waits for every open
    response to end, and a live stream (``GET /stream``) ends only when told:
    so the node's live streams are closed first (each says ``closed: stopped``
    and the console reconnects), and a stop takes moments, not a heartbeat."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        node = getattr(getattr(app, "state", None), "node", None)
        if isinstance(node, Node):
            node.live.close_all()
        await super().shutdown(sockets)


def uvicorn_config(node: Node) -> uvicorn.Config:
    """The uvicorn server for a started node's API, on its configured host and port."""
    tls = tls_context(node.settings)
    return uvicorn.Config(
        create_app(node),
        host=node.settings.host,
        port=node.settings.port,
        log_level="warning",
        access_log=False,
        ssl_context_factory=None if tls is None else (lambda _config, _default: tls),
        http=ClientCertH11 if tls is not None else "auto",
    )


__all__ = ["ClientCertH11", "NodeServer", "tls_context", "uvicorn_config"]
