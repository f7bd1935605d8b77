"""Coordination measures as KML 2.2, for TAK clients and globe viewers.

Each measure is a ``Placemark``: its designator as the name; its portion
mark, kind, status, owner, band and window as the description and as
``ExtendedData``; its geodesic outline as a ``Polygon`` drawn at the band's
upper altitude (metres, ``absolute``: feet MSL converted, the geoid taken as
MSL, as TAK clients do) and extruded down to the ground, so a 3D view shows
the wall of the volume. The document's name is the page's banner as the
viewer's nation writes it. Text is escaped; nothing is parsed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from alliance.core import markings
from alliance.core.markings import Marking

from .geojson import outline
from .models import MeasureOut
from .volume import parse_volume

FT = 0.3048


def _data(name: str, value: object) -> str:
    return f'<Data name="{escape(name)}"><value>{escape(str(value))}</value></Data>'


def document(items: Sequence[tuple[MeasureOut, Marking]], page: markings.Page, viewer: str) -> str:
    placemarks = []
    for m, marking in items:
        volume = parse_volume(m.volume)
        lower, upper = volume.band.msl_ft()
        ring = " ".join(f"{x:.6f},{y:.6f},{upper * FT:.1f}" for x, y in outline(volume.footprint))
        portion = markings.joined(marking.marks(viewer).portion)
        band = f"{lower:,.0f}–{upper:,.0f} ft MSL"
        window = f"{m.volume['window']['start']} – {m.volume['window']['end']}"
        placemarks.append(
            "<Placemark>"
            f"<name>{escape(m.designator)}</name>"
            f"<description>{escape(f'{portion} | {m.kind} | {m.status} | {m.owner} | {band} | {window}')}"
            "</description>"
            "<ExtendedData>"
            f"{_data('id', m.id)}{_data('owner', m.owner)}{_data('kind', m.kind)}"
            f"{_data('status', m.status)}{_data('lower_ft_msl', lower)}"
            f"{_data('upper_ft_msl', upper)}{_data('start', m.volume['window']['start'])}"
            f"{_data('end', m.volume['window']['end'])}"
            f"{_data('releasable_to', ','.join(sorted(marking.releasable_to)))}"
            "</ExtendedData>"
            "<Polygon><extrude>1</extrude><altitudeMode>absolute</altitudeMode>"
            f"<outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates></LinearRing>"
            "</outerBoundaryIs></Polygon>"
            "</Placemark>"
        )
    label = page.tlp_label.en if page.tlp_label else None
    said = ([label] if label else []) + [markings.joined(page.note)]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(markings.joined(page.banner))}</name>"
        f"<description>{escape(' | '.join(said))}</description>"
        f"{''.join(placemarks)}"
        "</Document></kml>"
    )
