"""The HTTP API: thin routers over the desks, one error shape, tokens on every call."""

from .app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
