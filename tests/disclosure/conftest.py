"""The served node of the API tests (``site``: JPN and USA authority, the standard cast)."""

from tests.api.conftest import site

__all__ = ["site"]
