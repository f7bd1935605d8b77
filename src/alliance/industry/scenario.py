"""Scenarios: the baseline model plus a list of changes, solved and compared
side by side ("seeker supply +30% from 2027", "line K down six months",
"an AMRAAM line in Japan from 2029")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

from .model import (
    Calendar,
    Ident,
    Model,
    Name,
    Rate,
    RateChange,
    Requirement,
    Span,
    When,
    _Strict,
)
from .plan import Plan
from .solver import Options, Progress, solve


class Scale(_Strict):
    """Every rate of a line or supplier (or of every supplier of an item) times
    ``factor`` from ``start``."""

    kind: Literal["scale"] = "scale"
    target: Ident  # a line, a supplier, or an item (its suppliers)
    factor: Annotated[float, Field(ge=0, le=100)]
    start: When


class Outage(_Strict):
    kind: Literal["outage"] = "outage"
    line: Ident
    start: When
    end: When
    fraction: Annotated[float, Field(gt=0, le=1)] = 1.0


class Open(_Strict):
    """A line (existing at rate 0, or any line) runs at ``rate_per_year`` from ``start``."""

    kind: Literal["open"] = "open"
    line: Ident
    start: When
    rate_per_year: Rate


class Require(_Strict):
    kind: Literal["require"] = "require"
    requirement: Requirement


Change = Annotated[Scale | Outage | Open | Require, Field(discriminator="kind")]


class Scenario(_Strict):
    id: Ident
    name_en: Name
    name_ja: Name
    changes: list[Change] = Field(default_factory=list)


def _rate_at(cal: Calendar, base: float, changes: list[RateChange], t: int) -> float:
    rate = base
    for ch in sorted(changes, key=lambda c: cal.first(c.start)):
        if cal.first(ch.start) <= t:
            rate = ch.rate_per_year
    return rate


def _scaled(
    cal: Calendar, base: float, changes: list[RateChange], start: When, factor: float
) -> list[RateChange]:
    at = cal.first(start)
    kept = [c for c in changes if cal.first(c.start) < at]
    later = [
        RateChange(start=c.start, rate_per_year=c.rate_per_year * factor)
        for c in changes
        if cal.first(c.start) > at
    ]
    now = RateChange(start=start, rate_per_year=_rate_at(cal, base, changes, at) * factor)
    return [*kept, now, *later]


def apply(model: Model, scenario: Scenario) -> Model:
    """The model with the scenario's changes, each checked to name what exists."""
    cal = Calendar.of(model.horizon)
    lines = {x.id: x for x in model.lines}
    suppliers = {x.id: x for x in model.suppliers}
    items = {x.id for x in model.items}
    requirements = list(model.requirements)
    for n, change in enumerate(scenario.changes):
        where = f"{scenario.id}.changes.{n}"
        if isinstance(change, Scale):
            hit = False
            if change.target in lines:
                x = lines[change.target]
                lines[x.id] = x.model_copy(
                    update={
                        "changes": _scaled(
                            cal, x.rate_per_year, x.changes, change.start, change.factor
                        )
                    }
                )
                hit = True
            for s in list(suppliers.values()):
                if change.target in (s.id, s.item):
                    suppliers[s.id] = s.model_copy(
                        update={
                            "changes": _scaled(
                                cal, s.rate_per_year, s.changes, change.start, change.factor
                            )
                        }
                    )
                    hit = True
            if not hit:
                raise _unknown(
                    where, change.target, "line, supplier or item", "ライン・供給元・品目"
                )
        elif isinstance(change, Outage | Open):
            if change.line not in lines:
                raise _unknown(where, change.line, "line", "ライン")
            x = lines[change.line]
            if isinstance(change, Outage):
                span = Span(start=change.start, end=change.end, fraction=change.fraction)
                lines[x.id] = x.model_copy(update={"outages": [*x.outages, span]})
            else:
                opened = _scaled(cal, x.rate_per_year, x.changes, change.start, 1.0)
                opened = [
                    c
                    if c.start != change.start
                    else RateChange(start=c.start, rate_per_year=change.rate_per_year)
                    for c in opened
                ]
                opens = x.opens
                if opens is not None and cal.first(opens) > cal.first(change.start):
                    opens = change.start  # opened earlier than planned
                lines[x.id] = x.model_copy(update={"changes": opened, "opens": opens})
        else:
            if change.requirement.item not in items:
                raise _unknown(where, change.requirement.item, "item", "品目")
            requirements.append(change.requirement)
    return model.model_copy(
        update={
            "lines": [lines[x.id] for x in model.lines],
            "suppliers": [suppliers[x.id] for x in model.suppliers],
            "requirements": requirements,
        }
    )


def _unknown(where: str, ident: str, en: str, ja: str) -> InvalidInput:
    return InvalidInput(
        Text(
            f"{where}: no {en} '{ident}' in the model",
            f"{where}: モデルに{ja}「{ident}」がありません",
        ),
        field=where,
        code="invalid_scenario",
    )


def compare(
    model: Model,
    scenarios: list[Scenario],
    options: Options | None = None,
    *,
    progress: Callable[[str, Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Plan]:
    """The baseline's plan and each scenario's, by id (``baseline`` first)."""
    plans: dict[str, Plan] = {}
    for sid, m in [("baseline", model), *((s.id, apply(model, s)) for s in scenarios)]:

        def told(p: Progress, sid: str = sid) -> None:
            if progress is not None:
                progress(sid, p)

        plans[sid] = solve(m, options, progress=told, cancel=cancel)
    return plans
