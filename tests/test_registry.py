"""The desk registry is the one list of desks and owned object types.

Every owned table of the product is a registered object type, and what a
node ships to partners, applies from them and drift-checks is exactly the
registered types. The authorization matrix reads the same registry
(:func:`alliance.desks.all_desks`).
"""

from __future__ import annotations

import pytest

from alliance.core.i18n import Text
from alliance.desks import DESK_PACKAGES, all_desks, load_desks, object_types
from alliance.store.schema import Base, OwnedRow
from alliance.store.types import ObjectType, ObjectTypes
from tests.conftest import NodeFactory


def _product_owned_tables() -> set[type[OwnedRow]]:
    """Every mapped owned table defined in the product (test-only desks aside)."""
    all_desks()  # desk tables join the metadata when their package is imported
    return {
        m.class_
        for m in Base.registry.mappers
        if issubclass(m.class_, OwnedRow) and m.class_.__module__.startswith("alliance.")
    }


def test_every_owned_table_is_a_registered_object_type() -> None:
    types = object_types()
    assert set(types.tables().values()) == _product_owned_tables()
    assert all(isinstance(t.label, Text) for t in types.values())


def test_each_desk_declares_its_own_tables_in_its_own_package() -> None:
    for package, spec in zip(DESK_PACKAGES, all_desks(), strict=True):
        for t in spec.object_types:
            assert t.table.__module__.startswith(package + "."), (spec.name, t.name)


def test_one_spelling_per_object_type() -> None:
    names = set(object_types())
    assert {"hq", "coordination_request", "action_item", "working_group"} <= names
    with pytest.raises(ValueError, match="snake_case"):
        ObjectType("coordination request", OwnedRow, Text("x", "x"))


def test_a_type_or_table_declared_twice_is_refused() -> None:
    hq = object_types()["hq"]
    with pytest.raises(ValueError, match="declared twice"):
        ObjectTypes([hq, hq])
    with pytest.raises(ValueError, match="declared by both"):
        ObjectTypes([hq, ObjectType("headquarters", hq.table, hq.label)])


def test_a_package_without_a_desk_is_refused() -> None:
    with pytest.raises(TypeError, match="declares no DESK"):
        load_desks(["alliance.core"])


def test_a_node_ships_applies_and_drift_checks_every_registered_type(
    make_node: NodeFactory,
) -> None:
    node = make_node("JPN", seed=False)
    registered = object_types()
    assert dict(node.types) == dict(registered)
    assert set(node.desks) == {spec.name for spec in all_desks()}
    # Shipped: the stream builder takes every registered type, and only those.
    assert node.federation.builder.types == node.types.tables()
    # Applied and drift-checked: federation and check_state read the node's
    # context, whose types are the registry's.
    assert node.ctx.types is node.types
