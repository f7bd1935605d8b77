"""What a solve returns: the plan, how good it is, what limits it, and how to
reproduce it (the model's hash, the solver and its options)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from alliance.core.models import Bilingual


class Series(BaseModel):
    """One quantity per period of the horizon."""

    key: str  # e.g. "usa-line-1/pac3-mse"
    values: list[float]


class Investment(BaseModel):
    expansion: str
    target: str
    nation: str
    decided: str  # the period of the decision
    online: str  # the first period with the added rate
    capital_cost: float
    running_cost: float


class Bottleneck(BaseModel):
    """A capacity that binds over a span of periods, and what one more unit of
    it per period over that span would buy."""

    kind: Literal["line", "supplier"]
    id: str
    nation: str
    start: str
    end: str
    periods: int
    gain: float  # weighted shortfall (unit-periods) or cost saved
    measure: Literal["shortfall", "cost"]
    text: Bilingual


class ClaimantResult(BaseModel):
    claimant: str
    item: str
    required: float
    delivered: float
    short_at_end: float
    late_unit_periods: float  # units delivered after their due period, times the periods late
    held: Bilingual | None = None  # why nothing was delivered (an unapproved transfer)


class Plan(BaseModel):
    model_hash: str
    solver: str
    options: dict[str, float | int | str]
    status: Literal["optimal", "time_limit"]
    periods: list[str]
    currency: str
    weighted_shortfall: float
    cost: float
    gap: float  # the larger relative MIP gap of the two stages
    solve_s: float
    production: list[Series]  # starts per line and item
    completions: list[Series]  # finished items per line and item
    supply: list[Series]  # component starts per supplier
    deliveries: list[Series]  # per claimant and item
    requirements: list[Series]  # due per claimant and item
    backlog: list[Series]  # owed and not delivered at each period's end
    capacity: list[Series]  # per line and supplier, investments included
    investments: list[Investment]
    claimants: list[ClaimantResult]
    bottlenecks: list[Bottleneck]
    summary: Bilingual
