"""How a node's user API is served: uvicorn, over HTTPS with the node's
certificate when ``api_tls`` is on.

With ``api_tls`` the API, the console and ``/docs`` are served over TLS 1.2 or
later with the node certificate and key from ``<home>/pki/`` (``alliance pki
init``); clients verify it with the national CA (``pki/ca.pem``). The API asks
for no client certificate: people sign in with their token.
"""

from __future__ import annotations

import ssl

import uvicorn

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
    return ctx


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
    )


__all__ = ["tls_context", "uvicorn_config"]
