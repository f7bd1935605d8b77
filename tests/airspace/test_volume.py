"""A volume as a planner writes it: what is refused, with a bilingual error
naming the field at fault, and what is read back."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from alliance.airspace.volume import Datum, Shape, parse_volume
from alliance.core.errors import InvalidInput

GOOD: dict[str, Any] = {
    "footprint": {
        "shape": "polygon",
        "coordinates": [[139.0, 35.0], [139.2, 35.0], [139.2, 35.2], [139.0, 35.2], [139.0, 35.0]],
    },
    "altitude": {"lower": 0, "lower_datum": "MSL", "upper": 5000, "upper_datum": "MSL"},
    "window": {"start": "2026-12-03T09:00:00Z", "end": "2026-12-03T21:00:00+09:00"},
}


def _with(path: str, value: object) -> dict[str, Any]:
    raw = copy.deepcopy(GOOD)
    node = raw
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return raw


def test_a_good_volume_reads_back_with_its_defaults() -> None:
    v = parse_volume(GOOD)
    assert v.footprint.shape is Shape.POLYGON
    assert len(v.footprint.coordinates) == 4  # the closing position is not kept twice
    assert v.lateral_buffer_m == 5_556.0
    assert v.vertical_buffer_ft == 500.0
    assert v.end.isoformat() == "2026-12-03T12:00:00+00:00"
    again = parse_volume(v.as_json())
    assert again == v


BAD = [
    # a bow tie: the edges cross
    (
        _with(
            "footprint.coordinates", [[139.0, 35.0], [139.2, 35.2], [139.2, 35.0], [139.0, 35.2]]
        ),
        "footprint.coordinates",
        "単純な多角形",
    ),
    (_with("altitude.upper", -100), "altitude.upper", "逆転"),
    (
        _with("altitude.lower", 200),
        "altitude.upper",
        "逆転",
    ),  # FL vs MSL compared after conversion below
    (_with("window.end", "2026-12-03T08:00:00Z"), "window.end", "window.start"),
    (_with("window.end", "2026-12-03T09:00:00Z"), "window.end", "window.start"),
    (_with("altitude.lower_datum", "AGL"), "altitude.lower_datum", "地表標高"),
    (_with("altitude.upper_datum", "AGL"), "altitude.upper_datum", "地表標高"),
    (_with("altitude.lower_datum", "QFE"), "altitude.lower_datum", "MSL・AGL・FL"),
    (
        _with("footprint.coordinates", [[139.0, 35.0], [139.2, 35.0]]),
        "footprint.coordinates",
        "3 個以上",
    ),
    (
        _with("footprint.coordinates", [[139.0, 35.0], [139.2, 95.0], [139.0, 35.2]]),
        "footprint.coordinates[1]",
        "緯度",
    ),
    (
        _with("footprint.coordinates", [[0.0, 0.0], [30.0, 0.0], [30.0, 30.0]]),
        "footprint.coordinates",
        "km",
    ),
    (_with("footprint.shape", "ellipse"), "footprint.shape", "polygon"),
    (_with("window.start", "2026-12-03T09:00:00"), "window.start", "オフセット"),
    (_with("window", ...), "window", "オブジェクト"),
    (
        {**GOOD, "footprint": {"shape": "circle", "center": [139.0, 35.0], "radius_m": 0}},
        "footprint.radius_m",
        "0 より大きく",
    ),
    (
        {**GOOD, "footprint": {"shape": "corridor", "coordinates": [[139.0, 35.0], [139.5, 35.0]]}},
        "footprint.width_m",
        "数値",
    ),
    ({**GOOD, "buffer": {"lateral_m": -1}}, "buffer.lateral_m", "0〜100,000"),
    (_with("altitude.ground_min_ft", 100), "altitude.ground_max_ft", "数値"),
]


@pytest.mark.parametrize(
    ("raw", "field", "ja"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_input_is_refused_naming_the_field_in_both_languages(
    raw: dict[str, Any], field: str, ja: str
) -> None:
    if field == "altitude.upper" and raw["altitude"].get("lower") == 200:
        raw["altitude"].update(lower_datum="FL", upper=19_000)  # FL200 = 20,000 ft > 19,000 ft MSL
    with pytest.raises(InvalidInput) as raised:
        parse_volume(raw)
    err = raised.value
    assert err.field == field, err.message.en
    assert err.code == "invalid_volume"
    assert ja in err.message.ja, err.message.ja
    assert err.message.en
    assert err.message.en != err.message.ja


def test_mixed_datums_with_a_conversion_are_accepted() -> None:
    raw = _with(
        "altitude",
        {
            "lower": 0,
            "lower_datum": "AGL",
            "upper": 45,
            "upper_datum": "FL",
            "ground_min_ft": 1200,
            "ground_max_ft": 2400,
        },
    )
    v = parse_volume(raw)
    assert v.band.lower_datum is Datum.AGL
    assert v.band.msl_ft() == (1_200.0, 4_500.0)


def test_a_footprint_across_the_180th_meridian_is_one_footprint() -> None:
    v = parse_volume(
        _with(
            "footprint.coordinates", [[179.9, 10.0], [-179.9, 10.0], [-179.9, 10.2], [179.9, 10.2]]
        )
    )
    assert len(v.footprint.coordinates) == 4
