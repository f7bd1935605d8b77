"""Storage: SQLAlchemy schema, Alembic migrations, the ledger writer."""

from .context import DeskContext
from .db import Database
from .writer import Tx, Writer

__all__ = ["Database", "DeskContext", "Tx", "Writer"]
