"""The served nodes of the disclosure tests: ``site`` (JPN and USA authority,
the standard cast, the test world's standing guidance JPN↔USA) and ``bare``
(the same without any standing guidance: every release beyond the owner needs
a proposal until a foreign disclosure officer issues some)."""

from __future__ import annotations

import pytest

from tests.api.conftest import ServeFn, Site, site
from tests.conftest import NodeFactory, add_people


@pytest.fixture
def bare(make_node: NodeFactory, serve: ServeFn) -> Site:
    node = make_node("JPN", hosted=["USA"], guidance=False)
    return Site(node, serve(node), add_people(node))


__all__ = ["bare", "site"]
