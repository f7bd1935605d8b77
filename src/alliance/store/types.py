"""Owned object types: the one spelling of each type's name, its table and label.

A desk declares its object types (:class:`ObjectType`) in its own package;
the node collects them into one :class:`ObjectTypes` and hands it to whatever
needs the list: the drift check (:func:`alliance.store.projection.check_state`),
the ledger's release checks and federation (what is shipped to partners and
applied from them). Nothing in ``store`` lists the types itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from alliance.core.errors import register_label
from alliance.core.i18n import Text

from .schema.base import OwnedRow

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class ObjectType:
    """One owned object type.

    ``name`` is the one spelling used everywhere: ledger events
    (``object_type``), federation items, authority rules, URLs of the ledger
    API. It is snake_case ("hq", "coordination_request"). ``label`` is what a
    user reads in messages ("HQ" / "司令部").
    """

    name: str
    table: type[OwnedRow]
    label: Text
    national_only: bool = False
    """Never released beyond its owner: no disclosure guidance may cover the
    type and no disclosure proposal may widen an object of it."""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"object type name {self.name!r} is not snake_case")
        register_label(self.name, self.label)


class ObjectTypes(Mapping[str, ObjectType]):
    """An immutable mapping of object type name → :class:`ObjectType`.

    Two types may not share a name or a table: each table holds one type,
    and each name means one table.
    """

    __slots__ = ("_by_name", "_by_table")

    def __init__(self, types: Iterable[ObjectType] = ()) -> None:
        by_name: dict[str, ObjectType] = {}
        by_table: dict[type[OwnedRow], ObjectType] = {}
        for t in types:
            if t.name in by_name:
                raise ValueError(f"object type {t.name!r} is declared twice")
            if t.table in by_table:
                raise ValueError(
                    f"table {t.table.__tablename__!r} is declared by both "
                    f"{by_table[t.table].name!r} and {t.name!r}"
                )
            by_name[t.name] = t
            by_table[t.table] = t
        self._by_name = MappingProxyType(by_name)
        self._by_table = MappingProxyType(by_table)

    def __getitem__(self, name: str) -> ObjectType:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"ObjectTypes({', '.join(self._by_name)})"

    def of_table(self, table: type[OwnedRow]) -> ObjectType:
        """The type whose rows live in ``table`` (KeyError when none does)."""
        return self._by_table[table]

    def tables(self) -> dict[str, type[OwnedRow]]:
        """Name → table, in declaration order."""
        return {name: t.table for name, t in self._by_name.items()}

    def names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    def releasable(self) -> list[str]:
        """The names of the types an object of which may be released, sorted."""
        return sorted(n for n, t in self._by_name.items() if not t.national_only)


__all__ = ["ObjectType", "ObjectTypes"]
