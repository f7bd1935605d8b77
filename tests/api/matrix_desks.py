"""How a desk's test package joins the authorization matrix, with no edit here.

A desk's test package ``tests/<package>/`` declares, in ``matrix.py``,
``MATRIX = DeskMatrix(...)``: its desk, the matrix rows of its routes, the
route that exercises each of its owned types, and a function that creates
its objects in the matrix world (one per type and marking, by the owner's
chain of command). The matrix finds every ``tests/*/matrix.py``; it uses a
declaration for each desk the world's nodes register. A desk that only the
tests register (not in ``alliance.desks.DESK_PACKAGES``) gives its
``migrate`` step, and the world's nodes are built with it.

The matrix still fails for a route with no row and an owned type with no
route (``test_matrix``): a desk that declares nothing is not skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.desks import DeskSpec, all_desks
from alliance.store import Database

if TYPE_CHECKING:
    from .matrix_rules import Row
    from .matrix_world import Side

TESTS = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DeskMatrix:
    """One desk's part of the matrix.

    - ``rows``: one per route of the desk's router (paths under ``/api/v1``).
    - ``type_routes``: object type -> ``"METHOD path"`` of a row that exercises it.
    - ``create(side)``: creates the desk's objects on ``side``'s node and
      records them in ``side.objects[(type, REL or NAT)]``; called after the
      product's desks created theirs, before the first drain.
    - ``after_drain(side, partner)``: creates what needs the partner's
      objects first (called once the first objects crossed).
    - ``migrate``: for a desk only tests register, its migration step, run on
      each node's database before the node starts.
    """

    desk: DeskSpec
    rows: Sequence[Row]
    type_routes: Mapping[str, str]
    create: Callable[[Side], None]
    after_drain: Callable[[Side, Side], None] | None = None
    migrate: Callable[[Database], None] | None = None


@cache
def declared() -> tuple[DeskMatrix, ...]:
    """Every ``MATRIX`` of ``tests/*/matrix.py``, in package order."""
    found: list[DeskMatrix] = []
    for path in sorted(TESTS.glob("*/matrix.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.matrix")
        spec = getattr(module, "MATRIX", None)
        if not isinstance(spec, DeskMatrix):
            raise TypeError(f"{module.__name__} declares no MATRIX: DeskMatrix")
        found.append(spec)
    return tuple(found)


@cache
def world_desks() -> tuple[DeskSpec, ...]:
    """The desks of the matrix world's nodes: the product's, then the desks
    only tests register."""
    product = all_desks()
    names = {d.name for d in product}
    return (*product, *(m.desk for m in declared() if m.desk.name not in names))


def for_desks(desks: Sequence[DeskSpec]) -> tuple[DeskMatrix, ...]:
    """The declarations of the desks a node registers."""
    names = {d.name for d in desks}
    return tuple(m for m in declared() if m.desk.name in names)
