"""The released picture as GeoJSON (RFC 7946) and KML 2.2 (OGC 07-147r2)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from .tracks import Track


def geojson(tracks: Iterable[Track], banner: str, tlp: str | None = None) -> dict[str, Any]:
    """``banner``: the banner line for the viewer; ``tlp``: the TLP label, its own key."""
    return {
        "type": "FeatureCollection",
        "banner": banner,
        "tlp": tlp,
        "features": [
            {
                "type": "Feature",
                "id": t.uid,
                "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]},
                "properties": {k: v for k, v in t.to_json().items() if k not in {"lat", "lon"}},
            }
            for t in tracks
        ],
    }


def kml(tracks: Iterable[Track], banner: str, tlp: str | None = None) -> str:
    """``banner``: the document's name; ``tlp``: the TLP label, its own description."""
    placemarks = []
    for t in tracks:
        placemarks.append(
            "<Placemark>"
            f"<name>{escape(t.callsign)}</name>"
            f"<description>{escape(t.marking.banner.en)} | {escape(t.sidc)} | {escape(t.owner)}"
            "</description>"
            "<ExtendedData>"
            f'<Data name="uid"><value>{escape(t.uid)}</value></Data>'
            f'<Data name="owner"><value>{escape(t.owner)}</value></Data>'
            f'<Data name="sidc"><value>{escape(t.sidc)}</value></Data>'
            f'<Data name="releasable_to"><value>{escape(",".join(t.marking.nations))}</value></Data>'
            "</ExtendedData>"
            f"<Point><coordinates>{t.lon},{t.lat}</coordinates></Point>"
            "</Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(banner)}</name>"
        + (f"<description>{escape(tlp)}</description>" if tlp else "")
        + f"{''.join(placemarks)}"
        "</Document></kml>"
    )
