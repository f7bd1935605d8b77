"""Running the exercise clock: start, pause, resume, speed, set forward, end.

Only the lead nation writes its exercise row, and so the clock: a controller
of that nation (or its exercise owner), within its chain of command. Each
change is one change of the exercise row, recorded in the ledger and so
shipped by federation: every participating node reads the same clock from the
replicated row, and each node's scheduler (:mod:`.scheduler`) delivers its own
injects on it. The clock's real moments are the writer's (real time); the
ledger's stamps stay real time, never exercise time.

The exercise time only moves forward. Setting it back would show the players
moments whose injects they already hold (a delivery is not taken back), put
observations out of order and fold the after-action timeline over itself; a
controller who needs to replay a stretch writes new MSEL rows for it. Moving
it forward delivers at once every inject due on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from alliance.core.authority import Action, Actor
from alliance.core.dtg import iso
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.models import TimeOut
from alliance.store.owned import change_owned
from alliance.store.writer import Tx

from .common import EXERCISE, ExerciseBase, clock_of, exercise_view, require_role
from .models import (
    ClockChangeIn,
    ClockOut,
    ClockSetIn,
    ClockSpeedIn,
    ClockStartIn,
    ClockState,
    ExerciseOut,
    ExerciseRole,
    ExerciseTimeOut,
)
from .tables import ExerciseRow

STATE_NAMES: dict[ClockState, Text] = {
    ClockState.PLANNING: Text("not started", "開始前"),
    ClockState.RUNNING: Text("running", "進行中"),
    ClockState.PAUSED: Text("paused", "一時停止中"),
    ClockState.ENDED: Text("ended", "終了"),
}

_STEP_NAMES: dict[str, Text] = {
    "started": Text("started", "開始"),
    "paused": Text("paused", "一時停止"),
    "resumed": Text("resumed", "再開"),
    "speed": Text("given a new speed", "速度変更"),
    "set": Text("set forward", "時刻の前進"),
    "ended": Text("ended", "終了"),
}


def _wrong_state(row: ExerciseRow, step: str, allowed: tuple[ClockState, ...]) -> Conflict:
    state = STATE_NAMES[ClockState(row.clock_state)]
    step_name = _STEP_NAMES[step]
    en = " or ".join(STATE_NAMES[s].en for s in allowed)
    ja = "または".join(STATE_NAMES[s].ja for s in allowed)
    return Conflict(
        Text(
            f"The clock of exercise '{row.id}' is {state.en}; it can be {step_name.en} "
            f"only when it is {en}.",
            f"演習「{row.id}」の時計は{state.ja}です。{step_name.ja}できるのは{ja}のときだけです。",
        ),
        code="wrong_state",
    )


class ClockControl(ExerciseBase):
    """The exercise clock's controls and the exercise time."""

    def _clock_change(
        self,
        tx: Tx,
        actor: Actor,
        exercise_id: str,
        version: int | None,
        step: str,
        allowed: tuple[ClockState, ...],
        change: Callable[[ExerciseRow, datetime], None],
        check: Callable[[ExerciseRow, datetime], None] | None = None,
    ) -> ExerciseOut:
        s = tx.session
        exercise = self._exercise(s, actor, exercise_id)
        held = require_role(s, actor, exercise, ExerciseRole.CONTROLLER)
        now = tx.now

        def require(row: ExerciseRow) -> None:
            if ClockState(row.clock_state) not in allowed:
                raise _wrong_state(row, step, allowed)
            if check is not None:
                check(row, now)

        row = change_owned(
            tx,
            actor,
            EXERCISE,
            exercise.id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=version,
            change=lambda r: change(r, now),
            require=require,
            event=f"exercise.clock.{step}",
        )
        return exercise_view(row, now, held)

    # -- the controls ------------------------------------------------------------

    def start_clock(self, actor: Actor, exercise_id: str, data: ClockStartIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.start_clock_in(tx, actor, exercise_id, data))

    def start_clock_in(
        self, tx: Tx, actor: Actor, exercise_id: str, data: ClockStartIn
    ) -> ExerciseOut:
        """Start the clock at ``data.at`` (default H-hour), running now."""

        def change(row: ExerciseRow, now: datetime) -> None:
            row.clock_state = ClockState.RUNNING.value
            row.clock_ex = data.at or row.h_hour
            row.clock_real = now
            if data.speed is not None:
                row.clock_speed = data.speed

        return self._clock_change(
            tx, actor, exercise_id, data.version, "started", (ClockState.PLANNING,), change
        )

    def pause_clock(self, actor: Actor, exercise_id: str, data: ClockChangeIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.pause_clock_in(tx, actor, exercise_id, data))

    def pause_clock_in(
        self, tx: Tx, actor: Actor, exercise_id: str, data: ClockChangeIn
    ) -> ExerciseOut:
        """Stop the clock where it stands: nothing more is delivered until resumed."""

        def change(row: ExerciseRow, now: datetime) -> None:
            row.clock_ex = clock_of(row).now_ex(now)
            row.clock_real = now
            row.clock_state = ClockState.PAUSED.value

        return self._clock_change(
            tx, actor, exercise_id, data.version, "paused", (ClockState.RUNNING,), change
        )

    def resume_clock(self, actor: Actor, exercise_id: str, data: ClockChangeIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.resume_clock_in(tx, actor, exercise_id, data))

    def resume_clock_in(
        self, tx: Tx, actor: Actor, exercise_id: str, data: ClockChangeIn
    ) -> ExerciseOut:
        """Run the clock again from the exercise time it was paused at."""

        def change(row: ExerciseRow, now: datetime) -> None:
            row.clock_real = now
            row.clock_state = ClockState.RUNNING.value

        return self._clock_change(
            tx, actor, exercise_id, data.version, "resumed", (ClockState.PAUSED,), change
        )

    def set_speed(self, actor: Actor, exercise_id: str, data: ClockSpeedIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.set_speed_in(tx, actor, exercise_id, data))

    def set_speed_in(
        self, tx: Tx, actor: Actor, exercise_id: str, data: ClockSpeedIn
    ) -> ExerciseOut:
        """Run at ``data.speed`` from now on; the exercise time now stays."""

        def change(row: ExerciseRow, now: datetime) -> None:
            if row.clock_state == ClockState.RUNNING.value:
                row.clock_ex = clock_of(row).now_ex(now)
                row.clock_real = now
            row.clock_speed = data.speed

        allowed = (ClockState.PLANNING, ClockState.RUNNING, ClockState.PAUSED)
        return self._clock_change(tx, actor, exercise_id, data.version, "speed", allowed, change)

    def set_time(self, actor: Actor, exercise_id: str, data: ClockSetIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.set_time_in(tx, actor, exercise_id, data))

    def set_time_in(self, tx: Tx, actor: Actor, exercise_id: str, data: ClockSetIn) -> ExerciseOut:
        """Move the exercise time forward to ``data.at`` (never back, see the
        module docstring); a running clock runs on from there."""

        def check(row: ExerciseRow, now: datetime) -> None:
            current = clock_of(row).now_ex(now)
            if current is not None and data.at < current:
                raise InvalidInput(
                    Text(
                        f"The exercise time only moves forward: it is {iso(current)} now, "
                        f"after {iso(data.at)}. What was delivered stays delivered; write "
                        "new MSEL rows to replay a stretch.",
                        f"演習時刻は前にのみ進められます。現在は{iso(current)}で、"
                        f"{iso(data.at)}より後です。付与済みの状況は取り消せません。"
                        "再現するには新しいMSEL行を作成してください。",
                    ),
                    field="at",
                    code="clock_backwards",
                )

        def change(row: ExerciseRow, now: datetime) -> None:
            row.clock_ex = data.at
            row.clock_real = now

        allowed = (ClockState.RUNNING, ClockState.PAUSED)
        return self._clock_change(
            tx, actor, exercise_id, data.version, "set", allowed, change, check
        )

    def end_clock(self, actor: Actor, exercise_id: str, data: ClockChangeIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.end_clock_in(tx, actor, exercise_id, data))

    def end_clock_in(
        self, tx: Tx, actor: Actor, exercise_id: str, data: ClockChangeIn
    ) -> ExerciseOut:
        """End the exercise: the clock stops for good and nothing more is delivered."""

        def change(row: ExerciseRow, now: datetime) -> None:
            if row.clock_state == ClockState.RUNNING.value:
                row.clock_ex = clock_of(row).now_ex(now)
            row.clock_real = now
            row.clock_state = ClockState.ENDED.value

        allowed = (ClockState.PLANNING, ClockState.RUNNING, ClockState.PAUSED)
        return self._clock_change(tx, actor, exercise_id, data.version, "ended", allowed, change)

    # -- reading it ----------------------------------------------------------------

    def exercise_time(self, actor: Actor, exercise_id: str) -> ExerciseTimeOut:
        """The exercise time now, on the exercise's clock (any node computes the
        same from the replicated row)."""
        with self.ctx.db.read() as s:
            row = self._exercise(s, actor, exercise_id)
            now = self.ctx.clock()
            clock = clock_of(row)
            return ExerciseTimeOut(
                exercise_id=row.id,
                clock=ClockOut(
                    state=clock.state,
                    speed=clock.speed,
                    now_ex=TimeOut.maybe(clock.now_ex(now)),
                    real=TimeOut.maybe(row.clock_real),
                    ex=TimeOut.maybe(row.clock_ex),
                ),
                real_now=TimeOut.of(now),
            )


__all__ = ["ClockControl"]
