"""Alliance: coordination between sovereign allied headquarters.

Each nation runs its own node; every object has one owning nation; every
decision is an event in a signed, hash-chained ledger; every object carries a
marking that says who may see it.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
