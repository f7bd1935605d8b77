"""The exercise desk: exercises run from a master scenario events list (MSEL).

Each nation owns what it writes: the lead nation the exercise and its clock,
each nation its training objectives, the roles it gives its own people, its
injects, their deliveries, its controllers' observations and its evaluators'
ratings (single writer). The rules on what leaves the node when are in
:mod:`.tables`.
"""

from __future__ import annotations

from .delivery import Delivery
from .exercises import Exercises
from .msel import Msel
from .msel_io import MselSheets
from .objectives import Objectives
from .observe import Observe
from .report import Reports


class ExerciseDesk(Exercises, Objectives, MselSheets, Msel, Delivery, Observe, Reports):
    """Exercises, their MSEL, inject delivery on the exercise clock,
    observations and evaluations."""


__all__ = ["ExerciseDesk"]
