"""Every input fits the column that stores it: limits declared once, checked here.

Issue 9: the API accepted an ``echelon`` of 300 characters for a 32-character
column (and ``home_*``/``location_*`` of 300 for 200), which PostgreSQL refused
with a 500 and SQLite stored silently; a NUL in a name reached PostgreSQL.
This module makes that class of bug fail a test instead of a request.

It walks every pydantic model a route of the API reads from a request body
(found on the routers of :mod:`alliance.api.routes`, so a new endpoint is
covered without editing this file) and the models of the org document loader
(:class:`~alliance.org.seed.OrgDocument`), down to each leaf, and checks:

* a text leaf has a maximum length and a character check from
  :mod:`alliance.core.text` (``NAME_CHARS``/``ID_CHARS`` for one-line text,
  ``TEXT_CHARS`` for running text; the SIDC check admits only ASCII letters,
  digits, ``*`` and ``-``);
* a time leaf is a :data:`~alliance.core.models.Moment` (range-checked, never a number);
* an integer leaf has a lower and an upper bound, at most ``limits.MAX_SEQ``,
  and a number both bounds (which also refuse NaN);
* a leaf stored in a column fits it: text no longer than ``String(n)`` (and
  one line, checked as a name), an enum's longest value likewise, an integer
  within ``Integer`` (32-bit) or ``BigInteger``.

How fields map to columns: each input model names its table in
``MODEL_TABLES``; a leaf's column is the column of the same name in that table
unless ``COLUMN_OF`` says otherwise; leaves stored elsewhere (a JSON column,
the ledger event only) are listed in ``NOT_A_COLUMN`` with where they go.
Nested models that are part of their parent's row (``MarkingIn``, ``Party``,
``Member``) are walked as part of it, with paths like ``marking.tlp``. A leaf
that maps nowhere fails the test: say where it is stored.

Integer query and path parameters of every route are bounded the same way.
Every ``String`` column has a size, and the schema modules take it from
:mod:`alliance.core.limits` (no literal sizes).
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo
from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Table, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

import alliance.api.routes
import alliance.store.schema
from alliance.api import create_app
from alliance.core import limits
from alliance.core.errors import InvalidInput
from alliance.core.models import MarkingIn, Moment
from alliance.core.sidc import Sidc
from alliance.core.text import ID_CHARS, NAME_CHARS, TEXT_CHARS
from alliance.desks import all_desks
from alliance.org.seed import OrgDocument, parse_document
from alliance.store.schema import Base
from tests.conftest import NodeFactory

ONE_LINE_CHECKS = (NAME_CHARS, ID_CHARS, get_args(Sidc)[-1])
CHAR_CHECKS = (*ONE_LINE_CHECKS, TEXT_CHARS)
MOMENT_CHECK = get_args(Moment)[1]

# Which table stores each input model (None: the model is not a row).
MODEL_TABLES: dict[str, str | None] = {
    # org desk
    "HqIn": "hqs",
    "HqPatch": "hqs",
    "UnitIn": "units",
    "UnitPatch": "units",
    "RelationshipIn": "command_relationships",
    "CounterpartIn": "counterparts",
    "TaskingIn": "taskings",
    # ACM desk
    "RequestIn": "coordination_requests",
    "RequestPatch": "coordination_requests",
    "CloseIn": "coordination_requests",
    "ResponseIn": "coordination_responses",
    "DecisionIn": "decisions",
    "WorkingGroupIn": "working_groups",
    "MeetingIn": "wg_meetings",
    "MeetingPatch": "wg_meetings",
    "ActionItemIn": "action_items",
    "ActionItemPatch": "action_items",
    "EscalateIn": "coordination_requests",
    "DelegationIn": "concurrence_delegations",
    "RevokeIn": "concurrence_delegations",
    "NationalDecisionIn": "national_decisions",
    # disclosure desk
    "ProposalIn": "disclosure_proposals",
    "ProposalDecisionIn": "disclosure_proposals",
    "GuidanceIn": "disclosure_guidance",
    # cyber desk
    "CollectionIn": "taxii_collections",
    # airspace desk: the volume's fields and designator; the purpose in airspace_measures
    "MeasureIn": "airspace_volumes",
    "MeasurePatch": "airspace_volumes",
    "VolumeCheckIn": None,  # deconflicted against what is held, never stored
    "VolumeIn": None,  # kept in a JSON column (see _volume_fields below)
    # industry desk: what is stored (the model itself in a JSON column: see
    # _industry_fields below), and a solve on request, which stores nothing
    "DatasetIn": "industry_datasets",
    "DatasetPatch": "industry_datasets",
    "ReleaseIn": "industry_releases",
    "JointPlanIn": "industry_plans",
    "JointPlanRevise": "industry_plans",
    "JointApprovalIn": "industry_plan_approvals",
    **dict.fromkeys(
        _INDUSTRY_MODELS := (
            "SolveIn",
            "Model",
            "Horizon",
            "Source",
            "Item",
            "BomLine",
            "Span",
            "RateChange",
            "Line",
            "Supplier",
            "Expansion",
            "PriorityChange",
            "Transfer",
            "Claimant",
            "Requirement",
            "Stock",
            "Scenario",
            "Scale",
            "Outage",
            "Open",
            "Require",
        )
    ),
    "FootprintIn": None,
    "AltitudeIn": None,
    "WindowIn": None,
    "BufferIn": None,
    # exercise desk
    "ExerciseIn": "exercises",
    "ObjectiveIn": "exercise_objectives",
    "RoleIn": "exercise_roles",
    "InjectIn": "injects",
    "InjectPatch": "injects",
    "InjectStepIn": "injects",
    "ObservationIn": "exercise_observations",
    "EvaluationIn": "exercise_evaluations",
    # exercise desk: running the clock (the exercise row holds it)
    "ClockStartIn": "exercises",
    "ClockChangeIn": "exercises",
    "ClockSpeedIn": "exercises",
    "ClockSetIn": "exercises",
    # plans desk
    "PlanIn": "plans",
    "PlanPatch": "plans",
    "PlanLineIn": "plan_lines",
    "PlanLinePatch": "plan_lines",
    "ApprovalIn": "plan_approvals",
    "ExecuteIn": "plan_approvals",
    "CommentIn": "plan_comments",
    # kept in JSON columns (see _JSON_MODELS below)
    "PlanParticipant": None,
    "Phase": None,
    "KeyEvent": None,
    "DecisionPoint": None,
    "Branch": None,
    "ProposedLine": None,
    # users, federation, COP
    "UserIn": "users",
    "PasswordIn": "users",  # sign-in: the username is looked up, never stored from here
    "PasswordChangeIn": "users",  # the passwords are hashed, never stored as given
    "SetPasswordIn": "users",  # the username is stored in users.username
    "ResumeIn": "quarantine",
    "ReportIn": "tracks",
    # the org document loader
    "OrgDocument": None,
    "SeedNation": "nations",
    "SeedHq": "hqs",
    "SeedUnit": "units",
    "SeedRelationship": "command_relationships",
    "SeedCounterpart": "counterparts",
    "SeedSource": None,
    "SeedDated": None,
    "SeedRetired": None,
}

# (model, path) -> column, where the names differ. "*" matches every model.
COLUMN_OF: dict[tuple[str, str], str] = {
    ("*", "marking.tlp"): "tlp",
    ("HqIn", "nation"): "owner",
    ("SeedHq", "nation"): "owner",
    ("SeedHq", "parent"): "parent_id",
    ("SeedNation", "code"): "id",
    ("SeedUnit", "hq"): "hq_id",
    ("SeedCounterpart", "hq"): "hq_id",
    ("SeedCounterpart", "partner"): "partner_hq_id",
    ("RelationshipIn", "superior.kind"): "superior_kind",
    ("RelationshipIn", "superior.id"): "superior_id",
    ("RelationshipIn", "subordinate.kind"): "subordinate_kind",
    ("RelationshipIn", "subordinate.id"): "subordinate_id",
    ("ResponseIn", "revision"): "request_revision",
    ("ResumeIn", "note"): "resolution",
    ("ProposalIn", "releasable_to[]"): "add_rel",
    ("GuidanceIn", "releasable_to[]"): "add_rel",
    ("ProposalDecisionIn", "note"): "decision_note",
    ("ReportIn", "operator_nation"): "operator_nation",
    ("InjectIn", "due"): "due_ex",
    ("InjectPatch", "due"): "due_ex",
    ("ClockStartIn", "at"): "clock_ex",
    ("ClockStartIn", "speed"): "clock_speed",
    ("ClockSpeedIn", "speed"): "clock_speed",
    ("ClockSetIn", "at"): "clock_ex",
}

# (model, path) -> where the value goes instead of a column of its own.
NOT_A_COLUMN: dict[tuple[str, str], str] = {
    ("*", "marking.releasable_to[]"): "joined into 'rel': test_a_full_marking_fits_rel",
    ("CloseIn", "note"): "the ledger event only",
    ("PasswordIn", "password"): "checked against users.password_hash (argon2id), never stored",
    ("PasswordChangeIn", "current_password"): "checked against users.password_hash, never stored",
    ("PasswordChangeIn", "new_password"): "stored only as its argon2id hash (users.password_hash)",
    ("SetPasswordIn", "password"): "stored only as its argon2id hash (users.password_hash)",
    ("RevokeIn", "note"): "the ledger event only",
    ("EscalateIn", "note"): "coordination_requests.escalations (JSON)",
    ("GuidanceIn", "object_types[]"): "disclosure_guidance.object_types (JSON)",
    ("EscalateIn", "to_hq_ids[]"): "coordination_requests.to_hq_ids (JSON)",
    ("ResponseIn", "comments[].grade"): "coordination_responses.comments (JSON)",
    ("ResponseIn", "comments[].text"): "coordination_responses.comments (JSON)",
    ("ResponseIn", "comments[].ref"): "coordination_responses.comments (JSON)",
    ("RequestIn", "to_hq_ids[]"): "coordination_requests.to_hq_ids (JSON)",
    ("WorkingGroupIn", "members[].nation"): "working_groups.members (JSON)",
    ("WorkingGroupIn", "members[].name"): "working_groups.members (JSON)",
    ("WorkingGroupIn", "members[].role"): "working_groups.members (JSON)",
    ("WorkingGroupIn", "members[].hq_id"): "working_groups.members (JSON)",
    ("OrgDocument", "format"): "names the document format",
    ("OrgDocument", "title_en"): "describes the document",
    ("OrgDocument", "title_ja"): "describes the document",
    ("SeedRelationship", "superior"): "split into superior_kind and superior_id",
    ("SeedRelationship", "subordinate"): "split into subordinate_kind and subordinate_id",
    ("SeedRelationship", "valid_from"): "parsed by parse_time into valid_from",
    ("SeedRelationship", "valid_to"): "parsed by parse_time into valid_to",
    ("ReportIn", "stale_seconds"): "added to the report's time: stale",
    # exercise desk
    ("ExerciseIn", "participants[].nation"): "exercises.participants (JSON)",
    ("ExerciseIn", "participants[].hq_id"): "exercises.participants (JSON)",
    ("*", "h_plus"): "parsed into injects.offset_s (seconds after H-hour)",
    ("*", "objective_ids[]"): "injects.objective_ids (JSON)",
    ("InjectIn", "marking.releasable_to[]"): "joined into injects.release_rel",
    ("InjectIn", "marking.tlp"): "injects.release_tlp",
    ("InjectPatch", "marking.releasable_to[]"): "joined into injects.release_rel",
    ("InjectPatch", "marking.tlp"): "injects.release_tlp",
    ("InjectStepIn", "note"): "the ledger event only",
    # public-fact provenance: checked by seed.check_facts, kept in the packaged data
    ("OrgDocument", "facts"): "says which rules the document follows",
    ("*", "sources[]"): "names a source listed in the document",
    ("*", "as_of"): "the date a public fact is known true as of (data file)",
    ("*", "translated[]"): "names fields whose text is a translation (data file)",
    ("SeedSource", "id"): "the source's id within the document",
    ("SeedSource", "title"): "the source's title (data file)",
    ("SeedSource", "publisher"): "the source's publisher (data file)",
    ("SeedSource", "url"): "the source's address (data file)",
    ("SeedSource", "read"): "the date the source was read (data file)",
    ("SeedSource", "kind"): "primary or secondary, a closed choice (data file)",
    ("SeedDated", "id"): "a dated record of the data file",
    ("SeedDated", "subject"): "a dated record of the data file",
    ("SeedDated", "valid_from"): "a dated record of the data file",
    ("SeedDated", "valid_to"): "a dated record of the data file",
    ("SeedDated", "fact_en"): "a dated record of the data file",
    ("SeedDated", "fact_ja"): "a dated record of the data file",
    ("SeedRetired", "type"): "selects the retired row's table",
    ("SeedRetired", "id"): "the retired row's id",
    ("SeedRetired", "name_en"): "units.name_en of the retired unit",
    ("SeedRetired", "name_ja"): "units.name_ja of the retired unit",
    ("SeedRetired", "reason_en"): "appended to command_relationships.caveats_en (text)",
    ("SeedRetired", "reason_ja"): "appended to command_relationships.caveats_ja (text)",
}

# Input models kept whole in a JSON column: every field of theirs goes there.
_JSON_MODELS = {
    "PlanParticipant": "plans.participants (JSON)",
    "Phase": "plans.phases (JSON)",
    "KeyEvent": "plans.phases (JSON): a phase's key events",
    "DecisionPoint": "plans.phases (JSON): a phase's decision points",
    "Branch": "plans.phases (JSON): a phase's branches",
    "ProposedLine": "plan_comments.proposed (JSON)",
}


def _json_fields() -> dict[tuple[str, str], str]:
    import alliance.plans.models as plan_models

    out: dict[tuple[str, str], str] = {}
    for name, where in _JSON_MODELS.items():
        model = getattr(plan_models, name)
        for field_name in model.model_fields:
            out[(name, field_name)] = where
    return out


NOT_A_COLUMN.update(_json_fields())
_VOLUME_MODELS = ("VolumeIn", "FootprintIn", "AltitudeIn", "WindowIn", "BufferIn")


def _volume_fields() -> dict[tuple[str, str], str]:
    """The airspace desk's volume: one JSON column, checked by parse_volume."""
    import alliance.airspace.models as airspace_models

    where = "airspace_volumes.volume (JSON), checked by alliance.airspace.volume.parse_volume"
    out = {
        (name, field_name): where
        for name in _VOLUME_MODELS
        for field_name in getattr(airspace_models, name).model_fields
    }
    out[("FootprintIn", "coordinates[][]")] = out[("FootprintIn", "center[]")] = where
    return out


NOT_A_COLUMN.update(_volume_fields())
NOT_A_COLUMN.update(
    {
        ("VolumeCheckIn", "id"): "names a stored measure, never stored",
        ("MeasureIn", "aircraft[]"): "airspace_volumes.aircraft (JSON)",
        ("MeasurePatch", "aircraft[]"): "airspace_volumes.aircraft (JSON)",
        ("MeasureIn", "name"): "airspace_measures.name (the purpose object)",
        ("MeasureIn", "name_ja"): "airspace_measures.name_ja (the purpose object)",
        ("MeasureIn", "purpose"): "airspace_measures.purpose (the purpose object)",
        ("MeasureIn", "purpose_marking.tlp"): "airspace_measures.tlp (the purpose object)",
        ("MeasureIn", "purpose_marking.releasable_to[]"): "airspace_measures.rel",
    }
)
NOT_A_COLUMN.update(
    {
        ("ApprovalIn", "approve"): "chooses plan_approvals.act (approve or withdraw)",
        ("PlanLineIn", "unit_ids[]"): "plan_lines.unit_ids (JSON)",
        ("PlanLinePatch", "unit_ids[]"): "plan_lines.unit_ids (JSON)",
    }
)


def _industry_fields() -> dict[tuple[str, str], str]:
    """The industry desk: a solve's input is solved and answered, never stored; a
    dataset's model is kept whole in a JSON column; a plan's inputs are read to solve."""
    from alliance.industry import SolveIn
    from alliance.industry.records import DatasetIn, DatasetPatch, JointPlanIn, JointPlanRevise

    out: dict[tuple[str, str], str] = {}
    for leaf in leaves(SolveIn):
        out[(leaf.model, leaf.path)] = "solved and answered, never stored"
    for model in (DatasetIn, DatasetPatch):
        for leaf in leaves(model):
            if leaf.path.startswith("model."):
                out[(leaf.model, leaf.path)] = "industry_datasets.model (JSON, bounded by Model)"
    for plan_in in (JointPlanIn, JointPlanRevise):
        name = plan_in.__name__
        out[(name, "dataset_id")] = "read to solve; industry_plans.dataset_digest records it"
        out[(name, "release_ids[]")] = "industry_plans.release_ids (JSON)"
        out[(name, "time_limit_s")] = "the solver's time limit, not stored"
    out[("ReleaseIn", "to[]")] = "industry_releases.rel (the release's marking)"
    return out


# Models walked as part of their parent's row.
PART_OF_ROW = {"MarkingIn", "Party", "Member", "GradedComment", "Participant"}


@dataclass(frozen=True)
class Leaf:
    model: str  # the input model whose row it belongs to
    path: str  # within that model: "name_en", "marking.tlp", "members[].role"
    kind: Any  # str, int, float, bool, datetime, an Enum subclass, or "literal"
    metadata: tuple[Any, ...]
    values: tuple[str, ...] = ()  # of an enum or literal

    def __str__(self) -> str:
        return f"{self.model}.{self.path}"


def _flat(metadata: tuple[Any, ...]) -> Iterator[Any]:
    for item in metadata:
        if isinstance(item, FieldInfo):  # Annotated[int, Field(ge=1)] inside a union
            yield from _flat(tuple(item.metadata))
        else:
            yield item


def _max_length(leaf: Leaf) -> int | None:
    sizes = [m.max_length for m in _flat(leaf.metadata) if getattr(m, "max_length", None)]
    return min(sizes) if sizes else None


def _bounds(leaf: Leaf) -> tuple[int | None, int | None]:
    low: list[int] = []
    high: list[int] = []
    for m in _flat(leaf.metadata):
        if getattr(m, "ge", None) is not None:
            low.append(m.ge)
        if getattr(m, "gt", None) is not None:
            low.append(m.gt + 1)
        if getattr(m, "le", None) is not None:
            high.append(m.le)
        if getattr(m, "lt", None) is not None:
            high.append(m.lt - 1)
    return (max(low) if low else None, min(high) if high else None)


def _bounds_of_float(leaf: Leaf) -> tuple[float | None, float | None]:
    flat = list(_flat(leaf.metadata))
    low = [
        b for m in flat for b in (getattr(m, "ge", None), getattr(m, "gt", None)) if b is not None
    ]
    high = [
        b for m in flat for b in (getattr(m, "le", None), getattr(m, "lt", None)) if b is not None
    ]
    return (max(low) if low else None, min(high) if high else None)


def _has(leaf: Leaf, checks: tuple[Any, ...]) -> bool:
    return any(any(m is c for c in checks) for m in _flat(leaf.metadata))


def leaves(model: type[BaseModel], owner: str | None = None, prefix: str = "") -> Iterator[Leaf]:
    """Every leaf of ``model``; nested row models start a context of their own."""
    if owner is None or model.__name__ not in PART_OF_ROW:
        owner, prefix = model.__name__, ""
    for name, info in model.model_fields.items():
        yield from _walk(owner, prefix + name, info.annotation, tuple(info.metadata))


def _walk(owner: str, path: str, annotation: Any, metadata: tuple[Any, ...]) -> Iterator[Leaf]:
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        yield from _walk(owner, path, base, metadata + tuple(extra))
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                yield from _walk(owner, path, arg, metadata)
    elif origin in (list, set, frozenset, tuple):
        for arg in get_args(annotation):  # the list's own bounds are not the element's
            if arg is not Ellipsis:
                yield from _walk(owner, path + "[]", arg, ())
    elif origin is dict:  # a mapping: its keys and its values are leaves of their own
        key, value = get_args(annotation)
        yield from _walk(owner, path + "{key}", key, ())
        yield from _walk(owner, path + "{}", value, ())
    elif origin is Literal:
        yield Leaf(owner, path, "literal", metadata, tuple(str(v) for v in get_args(annotation)))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from leaves(annotation, owner, path + ".")
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        yield Leaf(owner, path, annotation, metadata, tuple(str(e.value) for e in annotation))
    else:
        yield Leaf(owner, path, annotation, metadata)


NOT_A_COLUMN.update(_industry_fields())  # after leaves(): it walks the model with it


def _routers() -> list[APIRouter]:
    found = []
    for info in pkgutil.iter_modules(alliance.api.routes.__path__):
        module = importlib.import_module(f"alliance.api.routes.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    found.extend(spec.routes() for spec in all_desks() if spec.routes is not None)
    return found


def _routes() -> list[APIRoute]:
    """Every route of the routers, those of routers they include as well
    (FastAPI keeps an included router as it is: a desk's router may be the sum
    of its parts, as the exercise desk's is), each under its served path."""
    found: list[APIRoute] = []
    for router in _routers():
        for ctx in iter_route_contexts(router.routes):
            route = ctx.original_route
            if not isinstance(route, APIRoute):
                continue
            if ctx.path and ctx.path != route.path:
                route = copy.copy(route)
                route.path = ctx.path
            found.append(route)
    return found


def _body_models() -> list[type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for route in _routes():
        for param in route.dependant.body_params:
            annotation = param.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                models[annotation.__name__] = annotation
    models[OrgDocument.__name__] = OrgDocument
    for model in list(models.values()):
        for leaf_model in _nested(model):
            models.setdefault(leaf_model.__name__, leaf_model)
    return sorted(
        (m for name, m in models.items() if name not in PART_OF_ROW), key=lambda m: m.__name__
    )


def _nested(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            t = stack.pop()
            stack.extend(get_args(t))
            if isinstance(t, type) and issubclass(t, BaseModel):
                yield t
                yield from _nested(t)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _column_of(leaf: Leaf) -> str | None:
    """The column that stores ``leaf``; None if it is stored elsewhere; raises if unknown."""
    for key in ((leaf.model, leaf.path), ("*", leaf.path)):
        if key in NOT_A_COLUMN:
            return None
        if key in COLUMN_OF:
            return COLUMN_OF[key]
    table = MODEL_TABLES[leaf.model]
    if table is not None and leaf.path in _table(table).c:
        return leaf.path
    raise LookupError(f"{leaf}: no column known; map it in COLUMN_OF or NOT_A_COLUMN")


def _sql_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    return column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type


def problems(model: type[BaseModel]) -> list[str]:
    """Everything wrong with one input model, each naming the field."""
    found = []
    table_name = MODEL_TABLES.get(model.__name__, "?")
    if table_name == "?":
        return [f"{model.__name__}: a new input model; say in MODEL_TABLES which table stores it"]
    for leaf in leaves(model):
        found.extend(_leaf_problems(leaf))
        try:
            column = _column_of(leaf)
        except LookupError as exc:
            found.append(str(exc))
            continue
        # A nested input model that is a row of its own (the taskings of a national
        # decision) fits its own table.
        leaf_table = table_name if leaf.model == model.__name__ else MODEL_TABLES[leaf.model]
        if column is not None and leaf_table is not None:
            found.extend(_fit_problems(leaf, _table(leaf_table), column))
    return found


def _leaf_problems(leaf: Leaf) -> list[str]:
    if leaf.kind is str:
        out = []
        if _max_length(leaf) is None:
            out.append(f"{leaf}: text with no maximum length")
        if not _has(leaf, CHAR_CHECKS):
            out.append(f"{leaf}: text with no control-character check (alliance.core.text)")
        return out
    if leaf.kind is datetime:
        return [] if _has(leaf, (MOMENT_CHECK,)) else [f"{leaf}: a time that is not a Moment"]
    if leaf.kind is date:  # a calendar date is bounded by its type
        return []
    if leaf.kind is int:
        low, high = _bounds(leaf)
        if low is None or high is None or high > limits.MAX_SEQ:
            return [f"{leaf}: an integer not bounded, or above MAX_SEQ ({low}..{high})"]
        return []
    if leaf.kind is float:  # bounds also refuse NaN, which pydantic would take
        bottom, top = _bounds_of_float(leaf)
        ok = bottom is not None and top is not None
        return [] if ok else [f"{leaf}: an unbounded number"]
    if leaf.kind in (bool, "literal") or leaf.values:  # booleans, enums, literals
        return []
    return [f"{leaf}: a value of type {leaf.kind!r} this test cannot bound"]


def _fit_problems(leaf: Leaf, table: Table, column_name: str) -> list[str]:
    if column_name not in table.c:
        return [f"{leaf}: mapped to {table.name}.{column_name}, which does not exist"]
    column = table.c[column_name]
    sql = _sql_type(column.type)
    where = f"{table.name}.{column_name}"
    if isinstance(sql, String) and not isinstance(sql, Text):
        size = sql.length
        assert size is not None
        if leaf.values:
            longest = max(len(v) for v in leaf.values)
            return [] if longest <= size else [f"{leaf}: value of {longest} > {where} {size}"]
        if leaf.kind is not str:
            return [f"{leaf}: a {leaf.kind!r} stored in text column {where}"]
        out = []
        most = _max_length(leaf)
        if most is not None and most > size:
            out.append(f"{leaf}: accepts {most} characters, {where} holds {size}")
        if not _has(leaf, ONE_LINE_CHECKS):
            out.append(f"{leaf}: stored in one-line {where} but checked as running text")
        return out
    if isinstance(sql, Text):
        return [] if leaf.kind is str else [f"{leaf}: {leaf.kind!r} stored in text {where}"]
    if isinstance(sql, Integer):
        top = limits.MAX_SEQ if isinstance(sql, BigInteger) else limits.MAX_VERSION
        high = _bounds(leaf)[1]
        ok = leaf.kind is int and high is not None and high <= top
        return [] if ok else [f"{leaf}: may exceed {where} ({type(sql).__name__}, max {top})"]
    if isinstance(sql, DateTime):
        return [] if leaf.kind is datetime else [f"{leaf}: {leaf.kind!r} stored in time {where}"]
    if isinstance(sql, Float):
        return [] if leaf.kind is float else [f"{leaf}: {leaf.kind!r} stored in {where}"]
    if isinstance(sql, Boolean):
        return [] if leaf.kind is bool else [f"{leaf}: {leaf.kind!r} stored in {where}"]
    return [f"{leaf}: stored in {where} of a type this test does not know ({sql!r})"]


@pytest.mark.parametrize("model", _body_models(), ids=lambda m: m.__name__)
def test_every_input_field_is_bounded_checked_and_fits_its_column(
    model: type[BaseModel],
) -> None:
    found = problems(model)
    assert not found, "\n".join(found)


def test_the_walk_finds_the_inputs_it_should() -> None:
    """The checks above are only as good as the walk: it must see the known models,
    their nested parts and every kind of leaf (or the test would pass vacuously)."""
    names = {m.__name__ for m in _body_models()}
    assert {"HqIn", "UnitIn", "UnitPatch", "MeetingIn", "UserIn", "ResumeIn"} <= names
    assert {"SeedHq", "SeedUnit", "SeedRelationship", "OrgDocument"} <= names
    found = {str(leaf): leaf for m in _body_models() for leaf in leaves(m)}
    assert _max_length(found["UnitIn.echelon"]) == limits.LABEL
    assert _max_length(found["SeedUnit.echelon"]) == limits.LABEL
    assert found["HqIn.marking.tlp"].kind is str
    assert found["RelationshipIn.superior.kind"].values == ("hq", "unit")
    assert found["WorkingGroupIn.members[].role"].kind is str
    assert found["TaskingIn.due"].kind is datetime
    assert _bounds(found["HqPatch.version"]) == (1, limits.MAX_VERSION)


def test_the_check_catches_an_input_longer_than_its_column() -> None:
    """What issue 9 found: a 300-character echelon for a 32-character column."""

    class UnitIn(BaseModel):  # shaped like issue9-base's
        echelon: Annotated[str, NAME_CHARS] = ""
        home_en: Annotated[str, NAME_CHARS, Field(max_length=300)] = ""
        name_en: Annotated[str, Field(max_length=200)]

    assert problems(UnitIn) == [
        "UnitIn.echelon: text with no maximum length",
        "UnitIn.home_en: accepts 300 characters, units.home_en holds 200",
        "UnitIn.name_en: text with no control-character check (alliance.core.text)",
        "UnitIn.name_en: stored in one-line units.name_en but checked as running text",
    ]


def test_a_full_marking_fits_rel() -> None:
    """``rel`` holds the marking's nations joined by commas."""
    most = MarkingIn.model_fields["releasable_to"].metadata
    count = min(m.max_length for m in most if getattr(m, "max_length", None))
    assert count == limits.MAX_RELEASABLE
    stored = count * limits.NATION + (count - 1)
    for table in Base.metadata.tables.values():
        for column in table.c:
            if column.name in {"rel", "release_rel"}:
                assert isinstance(column.type, String)
                assert column.type.length is not None
                assert stored <= column.type.length, f"{table.name}.{column.name}"


def test_integer_query_and_path_parameters_are_bounded() -> None:
    found = []
    for route in _routes():
        params = route.dependant.query_params + route.dependant.path_params
        for param in params:
            annotation = param.field_info.annotation
            if annotation is int or int in get_args(annotation):
                leaf = Leaf(route.path, param.name, int, tuple(param.field_info.metadata))
                found.extend(_leaf_problems(leaf))
            if annotation is datetime or datetime in get_args(annotation):
                found.append(f"{route.path} {param.name}: a time query that is not a Moment")
    assert not found, "\n".join(found)


def test_the_routes_walked_are_the_apps_routes(make_node: NodeFactory) -> None:
    """Every API route a real node serves (its OpenAPI) is on a router this module walks."""
    schema = create_app(make_node("JPN", seed=False)).openapi()
    walked = {(r.path, m.lower()) for r in _routes() for m in r.methods or ()}
    served = {
        (path.removeprefix("/api/v1"), method)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    }
    assert len(served) >= 30, served
    assert served <= walked, served - walked


SCHEMA = Path(alliance.store.schema.__file__).parent
LITERAL_SIZE = re.compile(r"\bString\(\s*\d")
# The infrastructure tables, and each desk's (``<desk>/tables.py``).
TABLE_MODULES = {
    **{f"store/schema/{p.name}": p for p in sorted(SCHEMA.glob("*.py"))},
    **{
        f"{spec.name}/tables.py": Path(
            importlib.import_module(spec.make.__module__).__file__ or ""
        ).parent.joinpath("tables.py")
        for spec in all_desks()
    },
}


@pytest.mark.parametrize("module", sorted(TABLE_MODULES))
def test_column_sizes_come_from_core_limits(module: str) -> None:
    source = TABLE_MODULES[module].read_text(encoding="utf-8")
    literal = [line.strip() for line in source.splitlines() if LITERAL_SIZE.search(line)]
    assert not literal, "sizes not from alliance.core.limits:\n" + "\n".join(literal)


def test_every_string_column_has_a_size() -> None:
    unsized = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.c
        if isinstance(_sql_type(column.type), String)
        and not isinstance(_sql_type(column.type), Text)
        and _sql_type(column.type).length is None  # type: ignore[attr-defined]
    ]
    assert not unsized, unsized


def _document(**unit: Any) -> str:
    entry = {
        "id": "jpn-x",
        "hq": "jpn-gcc",
        "name_en": "X",
        "name_ja": "X",
        "sidc": "SFGPUCIA---H---",
        "domain": "land",
        **unit,
    }
    return json.dumps({"format": "alliance-org/1", "units": [entry]})


@pytest.mark.parametrize(
    ("unit", "field", "ja"),
    [
        ({"echelon": "e" * (limits.LABEL + 1)}, "units.0.echelon", "値が不正"),
        ({"home_en": "h" * (limits.SHORT_TEXT + 1)}, "units.0.home_en", "値が不正"),
        ({"name_en": "A\x00B"}, "units.0.name_en", "U+0000"),
        ({"id": "jpn-\u202ex"}, "units.0.id", "U+202E"),
    ],
)
def test_the_document_loader_refuses_what_the_api_refuses(
    unit: dict[str, str], field: str, ja: str
) -> None:
    """A seed or an imported document reads the same limits as the API."""
    with pytest.raises(InvalidInput) as caught:
        parse_document(_document(**unit))
    assert caught.value.code == "invalid_document"
    assert caught.value.field == field
    assert ja in caught.value.message.ja
    parse_document(_document())  # the same document without the bad value loads
