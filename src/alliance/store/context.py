"""What a desk is given by the node: the database, the writer and the node's nations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .db import Database
from .writer import Writer


@dataclass(frozen=True, slots=True)
class DeskContext:
    db: Database
    writer: Writer
    nation: str
    hosted: frozenset[str]
    clock: Callable[[], datetime]
