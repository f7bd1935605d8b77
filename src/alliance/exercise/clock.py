"""The exercise clock: exercise time from real time, and back.

An exercise runs on its own clock, never the node's (the node's clock stamps
the ledger and is real time). The clock is three numbers kept on the
exercise row by its owner: at the real moment ``real`` the exercise time was
``ex``, and it advances ``speed`` exercise seconds per real second while
running; paused, planned or ended, it stands at ``ex``. Every node computes
the same exercise time from the replicated row, so a partner's scheduler
delivers its own injects on the lead nation's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import ClockState


@dataclass(frozen=True, slots=True)
class Clock:
    state: ClockState
    speed: float
    real: datetime | None  # the real moment of the last change
    ex: datetime | None  # the exercise time at that moment

    @property
    def running(self) -> bool:
        return self.state == ClockState.RUNNING and self.real is not None and self.ex is not None

    def now_ex(self, real_now: datetime) -> datetime | None:
        """The exercise time at the real moment ``real_now`` (None before the
        clock was ever started)."""
        if self.ex is None or self.real is None:
            return None
        if self.state != ClockState.RUNNING:
            return self.ex
        return self.ex + (real_now - self.real) * self.speed

    def real_at(self, ex_moment: datetime) -> datetime | None:
        """The real moment the clock shows ``ex_moment`` if it keeps running as
        it is (None while it is not running: a paused clock reaches nothing)."""
        if self.state != ClockState.RUNNING or self.real is None or self.ex is None:
            return None
        return self.real + (ex_moment - self.ex) / self.speed

    def due(self, ex_moment: datetime, real_now: datetime) -> bool:
        """Whether ``ex_moment`` has come, on this clock, at ``real_now``."""
        now = self.now_ex(real_now)
        return now is not None and now >= ex_moment


def due_ex(h_hour: datetime, due: datetime | None, offset_s: int | None) -> datetime:
    """The exercise time an MSEL row is due: its DTG, or H-hour plus its offset."""
    if due is not None:
        return due
    return h_hour + timedelta(seconds=offset_s or 0)


__all__ = ["Clock", "due_ex"]
