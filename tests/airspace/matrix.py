"""The airspace desk in the authorization matrix (found by ``tests/api/matrix_desks``):
every route under ``/api/v1/airspace``, by every role of both nations, on
their own and the partner's measures, released and national-only.

Each nation proposes a released and a national-only measure (volume and
purpose on the same marking), far from each other's: the matrix world has no
conflicts, so approving a fresh measure of one's own succeeds. Fresh
measures sit on a grid of their own, one degree apart, by cell.
"""

from __future__ import annotations

import json
from typing import Any

from alliance.airspace import DESK, AirspaceDesk, AlertRow, CoordinationRow, MeasureIn
from alliance.airspace.kinds import ALERTS, COORDINATIONS
from alliance.core.ids import new_id
from alliance.store.owned import create_owned
from alliance.store.writer import Tx
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR,
    CDR_STAFF,
    CREATED,
    OK,
    Call,
    Row,
    Rule,
    node_role,
    owner_acts,
    signed_in,
    view,
)
from tests.api.matrix_world import REL, Side, actor, marking

from .helpers import measure

_PLACE = {"JPN": 130.0, "USA": 150.0}


def _body(nation: str, label: str, lon: float, lat: float, released: bool) -> dict[str, Any]:
    body = measure(f"MX {label}", lon, lat)
    rel = marking(nation, released).model_dump()
    body.update(marking=rel, purpose_marking=rel)
    return body


def _grid(serial: int) -> tuple[float, float]:
    return -170.0 + (serial % 300), -60.0 + (serial // 300) % 100


def _create(side: Side) -> None:
    desk = side.node.desk("airspace", AirspaceDesk)
    for i, mark in enumerate((REL, "national")):
        made = desk.propose(
            actor(side.nation),
            MeasureIn.model_validate(
                _body(side.nation, mark, _PLACE[side.nation], 10.0 + i, mark == REL)
            ),
        )
        side.objects[("airspace_volume", mark)] = made.id
        assert made.purpose is not None
        side.objects[("airspace_measure", mark)] = _purpose_id(side, made.id)
        side.objects[("airspace_coordination", mark)] = _link(side, made.id, mark == REL)
        side.objects[("airspace_alert", mark)] = _alert(side, made.id, mark == REL)


def _alert(side: Side, volume_id: str, released: bool) -> str:
    """An alert as conformance raises it (on its volume's marking)."""
    cdr = actor(side.nation)
    desk = side.node.desk("airspace", AirspaceDesk)

    def job(tx: Tx) -> str:
        row = AlertRow(
            id=new_id(), hq_id=cdr.hq_id, volume_id=volume_id, designator="MX", track_uid="mx-uav",
            callsign="MX UAV", reasons=["footprint"], lat=10.0, lon=130.0, alt_ft=None,
            seen_at=tx.now, control_link="lost",
        )  # fmt: skip
        create_owned(
            tx, ALERTS, row, owner=side.nation,
            marking=marking(side.nation, released).build(side.nation), actor=cdr, grant=None,
            event="airspace.alert.raised",
        )  # fmt: skip
        return row.id

    return desk.ctx.writer.run(job)


def _link(side: Side, volume_id: str, released: bool) -> str:
    """A coordination link as a conflict would open it (the matrix world has no
    conflicts: its request id names nothing)."""
    cdr = actor(side.nation)
    desk = side.node.desk("airspace", AirspaceDesk)

    def job(tx: Tx) -> str:
        row = CoordinationRow(
            id=new_id(), hq_id=cdr.hq_id, request_id=f"mx-{volume_id}", volume_a=volume_id,
            volume_b=volume_id,
        )  # fmt: skip
        create_owned(
            tx, COORDINATIONS, row, owner=side.nation,
            marking=marking(side.nation, released).build(side.nation), actor=cdr, grant=None,
            event="airspace.coordination.opened",
        )  # fmt: skip
        return row.id

    return desk.ctx.writer.run(job)


def _purpose_id(side: Side, volume_id: str) -> str:
    from sqlalchemy import select

    from alliance.airspace import MeasureRow

    with side.node.db.read() as s:
        return s.scalars(select(MeasureRow.id).where(MeasureRow.volume_id == volume_id)).one()


def _fresh(c: Call) -> str:
    lon, lat = _grid(c.serial)
    desk = c.side.node.desk("airspace", AirspaceDesk)
    made = desk.propose(
        actor(c.side.nation),
        MeasureIn.model_validate(
            _body(c.side.nation, f"fresh {c.serial}", lon, lat, c.subject.mark == REL)
        ),
    )
    return made.id


def _new(c: Call, _ident: str) -> dict[str, Any]:
    lon, lat = _grid(c.serial)
    return _body(c.side.nation, f"new {c.serial}", lon, lat, False)


def _collection(c: Call, _ident: str) -> tuple[str, bytes]:
    lon, lat = _grid(c.serial)
    body = measure(f"MX import {c.serial}", lon, lat)
    feature = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [body["volume"]["footprint"]["coordinates"]],
        },
        "properties": {
            "designator": body["designator"],
            "kind": "other",
            "name": body["name"],
            "altitude": body["volume"]["altitude"],
            "window": body["volume"]["window"],
        },
    }
    doc = {"type": "FeatureCollection", "features": [feature]}
    return "application/geo+json", json.dumps(doc).encode()


def _draft(c: Call, _ident: str) -> dict[str, Any]:
    lon, lat = _grid(c.serial)
    return {"volume": measure("draft", lon, lat)["volume"]}


M = f"{API}/airspace/measures"
VIEW: Rule = view()

MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", M, signed_in(OK)),
        Row("POST", M, node_role(CDR_STAFF, CREATED), body=_new),
        Row("POST", f"{M}/import", node_role(CDR_STAFF, CREATED), content=_collection),
        Row("GET", f"{M}.geojson", signed_in(OK)),
        Row("GET", f"{M}.kml", signed_in(OK)),
        Row("GET", f"{M}/{{measure_id}}", VIEW, "airspace_volume"),
        Row("GET", f"{M}/{{measure_id}}/conflicts", VIEW, "airspace_volume"),
        Row(
            "POST",
            f"{M}/{{measure_id}}/approve",
            owner_acts(CDR, OK),
            "airspace_volume",
            fresh=True,
            make=_fresh,
        ),
        Row(
            "PATCH",
            f"{M}/{{measure_id}}",
            owner_acts(CDR_STAFF, OK),
            "airspace_volume",
            body=lambda c, _i: {"designator": f"MX changed {c.serial}"},
            fresh=True,
            make=_fresh,
        ),
        Row(
            "POST",
            f"{M}/{{measure_id}}/withdraw",
            owner_acts(CDR_STAFF, OK),
            "airspace_volume",
            fresh=True,
            make=_fresh,
        ),
        Row("GET", f"{API}/airspace/conflicts", signed_in(OK)),
        Row("GET", f"{API}/airspace/coordinations", signed_in(OK)),
        Row("GET", f"{API}/airspace/alerts", signed_in(OK)),
        Row("GET", f"{API}/airspace/alerts/{{alert_id}}", VIEW, "airspace_alert"),
        Row(
            "GET",
            f"{API}/airspace/coordinations/{{coordination_id}}",
            VIEW,
            "airspace_coordination",
        ),
        Row("POST", f"{API}/airspace/check", signed_in(OK), body=_draft),
    ),
    type_routes={
        "airspace_volume": f"GET {M}/{{measure_id}}",
        "airspace_measure": f"GET {M}/{{measure_id}}",
        "airspace_coordination": f"GET {API}/airspace/coordinations/{{coordination_id}}",
        "airspace_alert": f"GET {API}/airspace/alerts/{{alert_id}}",
    },
    create=_create,
)
