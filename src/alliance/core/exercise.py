"""The demo exercise's name: one constant, so that a rename is one line.

The exercise is fictional and its name is chosen to resemble no real
exercise (it is neither martial nor in the "<adjective> <weapon>" form of
real bilateral exercise names). Every desk that shows exercise content
(the COP simulator, the ACM demo) takes the name from here and marks it
FICTIONAL beside it.
"""

from __future__ import annotations

EXERCISE_NAME = "PAPER ABACUS 26"
FICTIONAL = "FICTIONAL"

__all__ = ["EXERCISE_NAME", "FICTIONAL"]
