"""What a desk is given by the node: the database, the writer, the node's nations
and the object types of its desks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from alliance.core.authority import DISCLOSURE_ROLE, Role

from .db import Database
from .types import ObjectTypes
from .writer import Writer


@dataclass(frozen=True, slots=True)
class DeskContext:
    db: Database
    writer: Writer
    nation: str
    hosted: frozenset[str]
    clock: Callable[[], datetime]
    # Every owned object type of the node's desks (from the desk registry).
    types: ObjectTypes = field(default_factory=ObjectTypes)
    # The role that approves widening a release beyond the owner (a node setting).
    disclosure_role: Role = DISCLOSURE_ROLE
