"""The released picture as GeoJSON (RFC 7946) and KML 2.2 (OGC 07-147r2).

Exercise data stays marked in an export: each feature or placemark carries its
exercise flag and name, and an export holding any exercise track says so at
its top (``exercise`` in GeoJSON, the document's name and description in KML),
as the console's EXERCISE banner does. Each item carries its portion mark as
the viewer's nation writes it (``portion``; :func:`alliance.core.release.marks`),
beside the banner line of the whole export, and its TLP label: the export's
TLP label and each item's own (``tlp``), as TLP 2.0 requires them to travel
with the data. The words are the console's (:mod:`alliance.core.markings`):
the banner as the viewer's nation writes it, and the note saying which
tracks set it. A track's Japanese callsign and remarks travel beside the
English ones (``callsign_ja``, ``remarks_ja``): every GeoJSON feature has both,
a KML placemark its Japanese callsign where it has one (and no remarks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from alliance.core import markings
from alliance.core.i18n import Text

from .tracks import Track


def exercise_banner(tracks: Iterable[Track]) -> Text | None:
    """``EXERCISE`` and the names of the exercises among ``tracks``; None if none is."""
    names = sorted({t.exercise_name or "EXERCISE" for t in tracks if t.exercise})
    if not names:
        return None
    listed = ", ".join(names)
    return Text(
        f"EXERCISE EXERCISE EXERCISE — {listed} — exercise data, not real-world",
        f"演習 演習 演習 — {listed} — 演習データ（実動ではありません）",
    )


def portion(track: Track, viewer: str | None) -> str:
    """The track's portion mark as ``viewer``'s nation writes it, both languages
    (once when they are the same, as a US control marking is)."""
    return markings.joined(track.marking.marks(viewer).portion)


def tlp(track: Track) -> str | None:
    """The track's own TLP label (``TLP:AMBER``), or None."""
    label = track.marking.tlp_label
    return label.en if label else None


def geojson(
    tracks: Iterable[Track], page: markings.Page, viewer: str | None = None
) -> dict[str, Any]:
    """``page``: what the export is marked with (``banner``, ``tlp``, ``banner_note``)."""
    tracks = list(tracks)
    exercise = exercise_banner(tracks)
    return {
        "type": "FeatureCollection",
        "banner": markings.joined(page.banner),
        "tlp": page.tlp_label.en if page.tlp_label else None,
        "banner_note": page.note.as_dict(),
        "exercise": exercise.as_dict() if exercise else None,
        "features": [
            {
                "type": "Feature",
                "id": t.uid,
                "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]},
                "properties": {
                    **{k: v for k, v in t.to_json(viewer).items() if k not in {"lat", "lon"}},
                    "portion": portion(t, viewer),
                    "tlp": tlp(t),
                },
            }
            for t in tracks
        ],
    }


def _japanese(t: Track) -> str:
    """The callsign in Japanese, where the track has one (the placemark's name
    is the callsign every client reads, the English or only one; a placemark
    carries no remarks in either language)."""
    if not t.callsign_ja:
        return ""
    return f'<Data name="callsign_ja"><value>{escape(t.callsign_ja)}</value></Data>'


def kml(tracks: Iterable[Track], page: markings.Page, viewer: str | None = None) -> str:
    """The banner is the document's name; its TLP label and the note saying which
    tracks set them its description; each placemark's portion mark and TLP label
    its description's first part."""
    tracks = list(tracks)
    banner = markings.joined(page.banner)
    exercise = exercise_banner(tracks)
    placemarks = []
    for t in tracks:
        name = f"[EXERCISE] {t.callsign}" if t.exercise else t.callsign
        placemarks.append(
            "<Placemark>"
            f"<name>{escape(name)}</name>"
            f"<description>{escape(' '.join(filter(None, (portion(t, viewer), tlp(t)))))}"
            f" | {escape(t.sidc)} | {escape(t.owner)}"
            "</description>"
            "<ExtendedData>"
            f'<Data name="uid"><value>{escape(t.uid)}</value></Data>'
            f'<Data name="owner"><value>{escape(t.owner)}</value></Data>'
            f'<Data name="sidc"><value>{escape(t.sidc)}</value></Data>'
            f'<Data name="releasable_to"><value>{escape(",".join(t.marking.nations))}</value></Data>'
            f'<Data name="tlp"><value>{escape(tlp(t) or "")}</value></Data>'
            f'<Data name="exercise"><value>{"true" if t.exercise else "false"}</value></Data>'
            f'<Data name="exercise_name"><value>{escape(t.exercise_name)}</value></Data>'
            f"{_japanese(t)}"
            "</ExtendedData>"
            f"<Point><coordinates>{t.lon},{t.lat}</coordinates></Point>"
            "</Placemark>"
        )
    title = f"{banner} — {exercise.en}" if exercise else banner
    label = page.tlp_label.en if page.tlp_label else None
    said = (
        ([label] if label else [])
        + [markings.joined(page.note)]
        + ([f"{exercise.en} / {exercise.ja}"] if exercise else [])
    )
    description = f"<description>{escape(' | '.join(said))}</description>" if said else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(title)}</name>{description}"
        f"{''.join(placemarks)}"
        "</Document></kml>"
    )
