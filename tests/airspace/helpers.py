"""Fictional measures for the airspace desk's tests (exercise content)."""

from __future__ import annotations

from typing import Any

WINDOW = {"start": "2026-12-10T00:00:00Z", "end": "2026-12-10T06:00:00Z"}


def square(lon: float, lat: float, d: float = 0.1) -> list[list[float]]:
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d]]


def measure(
    designator: str,
    lon: float = 139.0,
    lat: float = 35.0,
    *,
    release: list[str] | None = None,
    purpose_release: list[str] | None = None,
    window: dict[str, str] | None = None,
    kind: str = "roz",
) -> dict[str, Any]:
    return {
        "designator": designator,
        "kind": kind,
        "volume": {
            "footprint": {"shape": "polygon", "coordinates": square(lon, lat)},
            "altitude": {"lower": 0, "lower_datum": "MSL", "upper": 10_000, "upper_datum": "MSL"},
            "window": window or WINDOW,
        },
        "name": f"Exercise measure {designator} (fictional)",
        "name_ja": f"訓練用措置 {designator}（架空）",
        "purpose": f"Fictional exercise purpose of {designator}",
        "marking": {"releasable_to": release or []},
        "purpose_marking": {"releasable_to": purpose_release or []},
    }
