"""The co-production model: what the optimizer reads (a pure engine, no node).

One document, YAML or JSON (or a folder of CSV tables, :mod:`.tables`):

* a **horizon** — first month, number of periods, period length (month,
  quarter, year);
* **items** — the products claimants receive (PAC-3 MSE, AMRAAM …) and the
  components they are built from (seeker, rocket motor, guidance section,
  airframe, energetics), each with the lead time from start to finish;
* the **bill of materials** — how many of each child a parent's start uses;
* **lines** — owned by a nation at a site, making some items at a rate per
  year shared between them, with a ramp-up after they open and planned
  outages, and a unit cost per item;
* **suppliers** — owned by a nation, supplying one component at a rate per
  year (changing over time), with a lead time and a unit cost;
* **expansions** — an option to add rate to a line or a supplier: capital
  cost, yearly running cost, added rate, lead time from the decision, earliest
  decision;
* **claimants** — each nation's services, and third-party transfers that need
  every producing nation's approval and a cleared export-control gate, with a
  priority (changing over time);
* **requirements** — a quantity of an item a claimant needs delivered by the
  end of a month, quarter or year; *firm* ones must be met;
* **inventories** — stock on hand at the start.

Rates are per year (as the public figures are: "600 a year to 2,000");
quantities are units. Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.text import NAME_CHARS, TEXT_CHARS
from alliance.core.validation_ja import japanese

# Every text is one line checked for control characters (alliance.core.text) and
# bounded; every number is bounded on both sides (which also refuses NaN).
Ident = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", max_length=64), NAME_CHARS
]
Nation = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$", max_length=3), NAME_CHARS]
When = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$", max_length=7),
    NAME_CHARS,
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), NAME_CHARS]
Note = Annotated[str, StringConstraints(max_length=2000), TEXT_CHARS]
Rate = Annotated[float, Field(ge=0, le=1e7)]  # per year
Qty = Annotated[float, Field(ge=0, le=1e9)]
Positive = Annotated[float, Field(gt=0, le=1e9)]
Money = Annotated[float, Field(ge=0, le=1e13)]
Periods = Annotated[int, Field(ge=0, le=120)]

MAX_PERIODS = 600
DEMO_MODEL = Path(__file__).parent / "data" / "demo.yaml"  # illustrative, fictional
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Identified(_Strict):
    id: Ident


class _Named(_Identified):
    name_en: Name
    name_ja: Name


class Horizon(_Strict):
    start: Annotated[
        str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7), NAME_CHARS
    ]
    periods: Annotated[int, Field(ge=1, le=MAX_PERIODS)]
    per: Literal["month", "quarter", "year"] = "month"
    # How often an expansion may be decided, in periods: by default every
    # quarter on a monthly horizon (as investment boards sit), else every period.
    decide_every: Annotated[int, Field(ge=1, le=12)] | None = None

    def decision_step(self) -> int:
        if self.decide_every is not None:
            return self.decide_every
        return 3 if self.per == "month" else 1


class Source(_Identified):
    """A public source a figure of an illustrative data set follows."""

    title: Name
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=500), NAME_CHARS]
    published: date
    as_of: date
    says: Name


class Item(_Named):
    kind: Literal["product", "component"]
    lead_time: Periods = 0  # periods from a start to the finished item


class BomLine(_Strict):
    parent: Ident
    child: Ident
    quantity: Positive


class Span(_Strict):
    start: When
    end: When  # inclusive: a line down "2027-01" to "2027-06" is down six months
    fraction: Annotated[float, Field(gt=0, le=1)] = 1.0  # of the rate lost


class RateChange(_Strict):
    start: When
    rate_per_year: Rate


class Line(_Named):
    nation: Nation
    site: Name
    items: list[Ident] = Field(min_length=1)
    rate_per_year: Rate
    changes: list[RateChange] = []
    opens: When | None = None
    ramp: list[Annotated[float, Field(gt=0, le=1)]] = []  # of the rate, per period after opening
    outages: list[Span] = []
    unit_cost: dict[Ident, Money] = {}
    sources: list[Ident] = []


class Supplier(_Named):
    nation: Nation
    item: Ident
    rate_per_year: Rate
    changes: list[RateChange] = []
    lead_time: Periods | None = None  # the item's own when not given
    unit_cost: Money = 0.0
    sources: list[Ident] = []


class Expansion(_Named):
    nation: Nation
    target: Ident  # a line or a supplier
    added_rate_per_year: Annotated[float, Field(gt=0, le=1e7)]
    capital_cost: Money
    running_cost_per_year: Money = 0.0
    lead_time: Periods
    earliest: When | None = None  # the earliest decision; the horizon's start if none
    sources: list[Ident] = []


class PriorityChange(_Strict):
    start: When
    priority: Annotated[float, Field(gt=0, le=1000)]


class Transfer(_Strict):
    """A third-party transfer: delivered only with every producing nation's
    approval and the export-control gate cleared."""

    approved_by: list[Nation] = []
    export_cleared: bool = False


class Claimant(_Named):
    nation: Nation
    priority: Annotated[float, Field(gt=0, le=1000)] = 1.0
    changes: list[PriorityChange] = []
    transfer: Transfer | None = None
    sources: list[Ident] = []


class Requirement(_Strict):
    claimant: Ident
    item: Ident
    due: When  # delivered by the end of this month, quarter or year
    quantity: Positive
    firm: bool = False


class Stock(_Strict):
    item: Ident
    quantity: Qty
    nation: Nation | None = None  # who holds it (a joint view releases it as an aggregate)


class Model(_Strict):
    """A whole co-production model."""

    name_en: Name
    name_ja: Name
    illustrative: bool = False
    note_en: Note = ""
    note_ja: Note = ""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$", max_length=3), NAME_CHARS] = (
        "USD"
    )
    horizon: Horizon
    sources: list[Source] = []
    items: list[Item] = Field(min_length=1)
    bom: list[BomLine] = []
    lines: list[Line] = []
    suppliers: list[Supplier] = []
    expansions: list[Expansion] = []
    claimants: list[Claimant] = []
    requirements: list[Requirement] = []
    stocks: list[Stock] = []

    def digest(self) -> str:
        """SHA-256 of the model's canonical JSON: the same model, the same hash."""
        return hashlib.sha256(canonical(self)).hexdigest()


def canonical(model: BaseModel) -> bytes:
    return json.dumps(
        model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


# -- periods -----------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """The horizon's periods: index 0 is the first."""

    year: int
    month: int  # 1-12, the first period's first month
    periods: int
    per: str

    @classmethod
    def of(cls, horizon: Horizon) -> Calendar:
        y, m = (int(x) for x in horizon.start.split("-"))
        return cls(y, m, horizon.periods, horizon.per)

    @property
    def months_per_period(self) -> int:
        return 12 // PER_YEAR[self.per]

    @property
    def per_year(self) -> int:
        return PER_YEAR[self.per]

    def _month_index(self, year: int, month: int) -> int:
        return (year - self.year) * 12 + (month - self.month)

    def first(self, when: str) -> int:
        """The period holding the first month of ``when`` (may be < 0 or ≥ periods)."""
        year, first_month, _ = _months(when)
        return self._month_index(year, first_month) // self.months_per_period

    def last(self, when: str) -> int:
        """The period holding the last month of ``when``."""
        year, _, last_month = _months(when)
        return self._month_index(year, last_month) // self.months_per_period

    def label(self, t: int) -> str:
        months = self.month - 1 + t * self.months_per_period
        year, month = self.year + months // 12, months % 12 + 1
        if self.per == "month":
            return f"{year:04d}-{month:02d}"
        if self.per == "quarter":
            return f"{year:04d}-Q{(month - 1) // 3 + 1}"
        return f"{year:04d}"

    def labels(self) -> list[str]:
        return [self.label(t) for t in range(self.periods)]


def _months(when: str) -> tuple[int, int, int]:
    found = re.fullmatch(r"(\d{4})(?:-(\d{2})|-Q([1-4]))?", when)
    if found is None:  # the models' patterns let nothing else through
        raise ValueError(when)
    year = int(found.group(1))
    if found.group(2):
        m = int(found.group(2))
        return year, m, m
    if found.group(3):
        q = int(found.group(3))
        return year, 3 * q - 2, 3 * q
    return year, 1, 12


# -- reading -------------------------------------------------------------------------


def model_error(message: Text, where: str) -> InvalidInput:
    return InvalidInput(message, field=where, code="invalid_model")


def parse_model(data: Any, source: str = "model") -> Model:
    """``data`` (parsed YAML or JSON) as a :class:`Model`, or every problem with
    its shape named by its place in the document (``lines.2.rate_per_year``)."""
    try:
        return Model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(document)"
            problems.append(
                model_error(
                    Text(f"{source}: {where}: {err['msg']}", f"{source}: {where}: {japanese(err)}"),
                    where,
                )
            )
        first = problems[0]
        raise InvalidInput(
            first.message, field=first.field, code="invalid_model", errors=problems
        ) from None


def load_model(path: Path) -> Model:
    """A model from a YAML or JSON file, or a folder of CSV tables."""
    if path.is_dir():
        from .tables import read_tables

        return read_tables(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise model_error(
            Text(f"{path}: cannot be read ({exc})", f"{path}: 読み込めません（{exc}）"), str(path)
        ) from None
    try:
        data = yaml.safe_load(text)  # JSON is YAML
    except yaml.YAMLError as exc:
        raise model_error(
            Text(f"{path}: not YAML or JSON: {exc}", f"{path}: YAMLでもJSONでもありません: {exc}"),
            str(path),
        ) from None
    return parse_model(data, path.name)


def dump_model(model: Model) -> str:
    """The model as YAML (the form it is read in), defaults left out."""
    return yaml.safe_dump(
        model.model_dump(mode="json", exclude_defaults=True),
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
